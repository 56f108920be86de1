import { runCli } from "./main";

/** What a CLI run printed and how it exited. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI's sources in this process with `env` and a fixed clock, catching what it prints. Tests only. */
export async function runCliCapturing(
  argv: string[],
  env: Record<string, string | undefined>,
  now: Date,
): Promise<CliOutcome> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
    now: () => new Date(now),
  });
  return { code, stdout, stderr };
}
