export function findElectronBinary(): string | undefined;
export function fetchElectronBinary(): Promise<{ ok: boolean; reason: string }>;
