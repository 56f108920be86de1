import type { ReportFormat } from "@/lib/report/formats";

/** Exit codes are part of the CLI's contract: scripts branch on them. */
export const EXIT = { clean: 0, findings: 1, error: 2 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The real stderr when it is a terminal: a progress bar is drawn there; plain lines otherwise. */
  terminal?: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
  now: () => Date;
}

/** The parsed command line. */
export interface CliOptions {
  config: string;
  format: ReportFormat;
  output?: string;
  now?: Date;
  progress: boolean;
}
