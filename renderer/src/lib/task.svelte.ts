import type { IpcError, Result } from '../../../contract';

/**
 * One user-started operation's visible state: running (for progress and disabled buttons) and the last
 * error (for an inline message). Every store runs its requests through one of these.
 */
export class Task {
  running = $state(false);
  error = $state<IpcError | undefined>();

  /** Runs `work`; a failed Result or a thrown error lands in `error`, and undefined is returned. */
  async run<T>(work: () => Promise<Result<T>>): Promise<T | undefined> {
    this.running = true;
    this.error = undefined;
    try {
      const result = await work();
      if (result.ok) return result.value;
      this.error = result.error;
      return undefined;
    } catch (error) {
      this.error = { code: 'internal', message: error instanceof Error ? error.message : String(error) };
      return undefined;
    } finally {
      this.running = false;
    }
  }
}
