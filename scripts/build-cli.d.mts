/** Builds the CLI bundle, its source map and its list of inputs under `root` (default: this project). */
export declare function buildCli(root?: string): Promise<{ outfile: string; inputs: number; bytes: number }>;
