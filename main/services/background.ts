import type { Logger } from '../logger.js';

/**
 * Lets work run on without its caller waiting (a notification handler, a vault copy): a failure is
 * logged as a warning naming what failed, and never becomes an unhandled rejection.
 */
export function inBackground(log: Logger, what: string, work: Promise<unknown>): void {
  void work.catch((error: unknown) => log.warn(`${what}: ${String(error)}`));
}
