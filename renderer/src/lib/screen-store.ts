import type { KeyringApi } from '../../../contract';
import type { ActivityLog } from './activity.svelte';
import { accountMark } from './account-epoch';
import { Task } from './task.svelte';

/** What a screen's store starts from: the bridge to main, and the Activity list it writes what happened to. */
export abstract class ScreenStore {
  protected readonly api: KeyringApi;
  protected readonly activity: ActivityLog;

  constructor(api: KeyringApi, activity: ActivityLog) {
    this.api = api;
    this.activity = activity;
  }

  /**
   * Drops everything of the previous account (App.svelte calls it when another is signed in or tried,
   * after nextAccountEpoch); the subclass's reset says what that is.
   */
  forgetAccount(): void {
    // What failed for the previous account (a publish refused, a Restore that could not run) is not the
    // new one's: no error of it stays on screen.
    for (const value of Object.values(this)) if (value instanceof Task) value.error = undefined;
    this.resetForAccount();
  }

  /** Back to what the store held before any account's data: no item of the previous one stays. */
  protected abstract resetForAccount(): void;

  /**
   * A mark to take before a reading not run through a Task (which checks by itself), and the check
   * after it: false once another account came meanwhile (account-epoch.ts).
   */
  protected accountMark(): () => boolean {
    return accountMark();
  }
}
