/**
 * What would end a plain Node process (the CLI, the browser host) during each test of the file that
 * calls it: every uncaught exception, as text. Vitest's own listener stays.
 */
import { afterEach, beforeEach } from 'vitest';

export function collectUncaught(): () => string[] {
  let uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => void uncaught.push(error);
  beforeEach(() => {
    uncaught = [];
    process.on('uncaughtException', onUncaught);
  });
  afterEach(() => {
    process.off('uncaughtException', onUncaught);
  });
  return () => uncaught.map((e) => String(e));
}
