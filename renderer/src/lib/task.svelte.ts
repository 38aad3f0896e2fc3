import type { IpcError, Result } from '../../../contract';
import { accountMark } from './account-epoch';

/**
 * One user-started operation's visible state: running (for progress and disabled buttons) and the last
 * error (for an inline message). Every store runs its requests through one of these.
 */
export class Task {
  running = $state(false);
  error = $state<IpcError | undefined>();

  /**
   * Runs `work`; a failed Result or a thrown error lands in `error`, and undefined is returned. An answer
   * that comes after another account was signed in (or tried) is the previous account's: neither its
   * value nor its error is given to the screens (undefined, no error), so nothing of it is shown or
   * written to Activity as the new account's (account-epoch.ts). Save main's refusal of a change asked
   * for the previous account ('account-changed', main/ipc/dispatcher.ts): it names both accounts and
   * says nothing was done, which the person who pressed the button needs to read on whichever
   * account's screen is shown by then.
   */
  async run<T>(work: () => Promise<Result<T>>): Promise<T | undefined> {
    this.running = true;
    this.error = undefined;
    const sameAccount = accountMark();
    try {
      const result = await work();
      if (!sameAccount()) {
        if (!result.ok && result.error.code === 'account-changed') this.error = result.error;
        return undefined;
      }
      if (result.ok) return result.value;
      this.error = result.error;
      return undefined;
    } catch (error) {
      if (!sameAccount()) return undefined;
      this.error = { code: 'internal', message: error instanceof Error ? error.message : String(error) };
      return undefined;
    } finally {
      this.running = false;
    }
  }
}
