export declare const BUNDLE_FILE: string;
export declare const INPUTS_FILE: string;
export declare const WORKER_BUNDLE_FILE: string;
export declare function findCompiledCliProblem(root: string): string | null;
