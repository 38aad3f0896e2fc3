export function findElectronBinary(): string | undefined;
export function fetchElectronBinary(): Promise<{ ok: boolean; reason: string }>;
/** The installer's failure in words a person can act on (never empty). */
export function describeInstallFailure(stderr: string, code: number | null): string;
