/** Minimal leveled logger; main services take one as a dependency so tests can capture or silence it. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(`[keyring] ${m}`),
  warn: (m) => console.warn(`[keyring] ${m}`),
  error: (m, e) => console.error(`[keyring] ${m}`, e ?? ''),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Warnings and errors to stderr only (stdout stays the command's output): the CLI's --debug. */
export const stderrLogger: Logger = {
  info: () => {},
  warn: (m) => process.stderr.write(`[keyring] ${m}\n`),
  error: (m, e) => process.stderr.write(`[keyring] ${m}${e instanceof Error ? `: ${e.name}: ${e.message}` : ''}\n`),
};
