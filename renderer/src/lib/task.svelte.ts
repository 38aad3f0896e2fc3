import type { IpcError, Result } from '../../../contract';
import { accountMark, accountShown } from './account-epoch';
import { settleAnswer } from './late-answer';

/**
 * One user-started operation's visible state: running (for progress and disabled buttons) and the last
 * error (for an inline message). Every store runs its requests through one of these.
 */
export class Task {
  running = $state(false);
  error = $state<IpcError | undefined>();
  /** What was not done when a refusal of the switch is told over every screen (late-answer.ts, AskedFor.notDone). */
  readonly #notDone: string | undefined;

  /**
   * `notDone`: for a Task whose error only a dialog shows, which goes with the previous account's
   * screen: what was not done, said with main's 'account-changed' refusal over every screen instead.
   */
  constructor(options: { notDone?: string } = {}) {
    this.#notDone = options.notDone;
  }

  /**
   * Runs `work`; a failed Result or a thrown error lands in `error`, and undefined is returned. An answer
   * that comes after another account was signed in (or tried) is the previous account's: neither its
   * value nor its error is given to the screens (undefined, no error), so nothing of it is shown or
   * written to Activity as the new account's (account-epoch.ts). Save the refusals about the switch
   * itself (late-answer.ts): main's refusal of a change asked for the previous account, kept in `error`
   * and shown on whichever account's screen is shown by then; and work of the previous account stopped
   * by the switch, whose words say what was done and what to do again, shown over every screen and
   * written to Activity under the account it was about (App.svelte).
   */
  async run<T>(work: () => Promise<Result<T>>): Promise<T | undefined> {
    this.running = true;
    this.error = undefined;
    const sameAccount = accountMark();
    const account = accountShown();
    try {
      const settled = settleAnswer(await work(), { sameAccount: sameAccount(), account, ...(this.#notDone === undefined ? {} : { notDone: this.#notDone }) });
      if (settled.error) this.error = settled.error;
      return settled.value;
    } catch (error) {
      if (!sameAccount()) return undefined;
      this.error = { code: 'internal', message: error instanceof Error ? error.message : String(error) };
      return undefined;
    } finally {
      this.running = false;
    }
  }
}
