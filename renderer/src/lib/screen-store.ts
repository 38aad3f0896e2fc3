import type { KeyringApi } from '../../../contract';
import type { ActivityLog } from './activity.svelte';

/** What a screen's store starts from: the bridge to main, and the Activity list it writes what happened to. */
export abstract class ScreenStore {
  protected readonly api: KeyringApi;
  protected readonly activity: ActivityLog;

  constructor(api: KeyringApi, activity: ActivityLog) {
    this.api = api;
    this.activity = activity;
  }
}
