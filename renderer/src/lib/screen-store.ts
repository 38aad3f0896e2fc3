import type { KeyringApi } from '../../../contract';
import type { ActivityLog } from './activity.svelte';
import { Task } from './task.svelte';

/** What a screen's store starts from: the bridge to main, and the Activity list it writes what happened to. */
export abstract class ScreenStore {
  protected readonly api: KeyringApi;
  protected readonly activity: ActivityLog;

  /**
   * Counts the accounts this store has shown (App.svelte calls forgetAccount when another is signed in
   * or tried). A reading asked for before the change and answered after it belongs to the previous
   * account: `accountMark` tells, and it is dropped, never shown as the new one's.
   */
  #accountEpoch = 0;

  constructor(api: KeyringApi, activity: ActivityLog) {
    this.api = api;
    this.activity = activity;
  }

  /** Drops everything of the previous account; the subclass's reset says what that is. */
  forgetAccount(): void {
    this.#accountEpoch++;
    // What failed for the previous account (a publish refused, a Restore that could not run) is not the
    // new one's: no error of it stays on screen.
    for (const value of Object.values(this)) if (value instanceof Task) value.error = undefined;
    this.resetForAccount();
  }

  /** Back to what the store held before any account's data: no item of the previous one stays. */
  protected abstract resetForAccount(): void;

  /** A mark to take before a reading, and the check after it: false once another account came meanwhile. */
  protected accountMark(): () => boolean {
    const epoch = this.#accountEpoch;
    return () => epoch === this.#accountEpoch;
  }
}
