import type { ContactKeysView, KeyringApi, RosterContactView } from '../../../preload/contract';
import type { ActivityLog } from './activity.svelte';
import { Task } from './task.svelte';
import { groupContacts } from './contact-groups';

/** The roster and what each contact publishes; updated live by main's `contacts:keys` events. */
export class ContactsStore {
  roster = $state<RosterContactView[]>([]);
  keys = $state<Record<string, ContactKeysView>>({});
  filter = $state('');
  selected = $state<string | undefined>();
  readonly loading = new Task();
  readonly fetching = new Task();
  readonly verifying = new Task();

  readonly groups = $derived(groupContacts(this.roster, this.filter));
  /** Roster groups, for the access picker. */
  readonly groupNames = $derived(this.roster.flatMap((c) => c.groups).filter((g, i, all) => all.indexOf(g) === i).sort());
  /** Contacts with a key that changed: these need the user's attention. */
  readonly attention = $derived(Object.values(this.keys).filter((v) => v.keys.some((k) => k.trust === 'changed')).map((v) => v.jid));

  readonly #api: KeyringApi;
  readonly #activity: ActivityLog;

  constructor(api: KeyringApi, activity: ActivityLog) {
    this.#api = api;
    this.#activity = activity;
  }

  start(): () => void {
    return this.#api.on('contacts:keys', (view) => this.#accept(view, true));
  }

  async refreshRoster(): Promise<void> {
    const roster = await this.loading.run(() => this.#api.request('roster:list'));
    if (roster) this.roster = roster;
  }

  async fetchKeys(jid: string): Promise<void> {
    const view = await this.fetching.run(() => this.#api.request('contacts:fetchKeys', { jid }));
    if (view) this.#accept(view, false);
  }

  async markVerified(jid: string, fingerprint: string): Promise<void> {
    const view = await this.verifying.run(() => this.#api.request('contacts:markVerified', { jid, fingerprint }));
    if (view) {
      this.keys = { ...this.keys, [jid]: { ...(this.keys[jid] ?? view), keys: view.keys } };
      this.#activity.add('verified', `Marked ${jid}'s key as verified`, fingerprint);
    }
  }

  #accept(view: ContactKeysView, live: boolean): void {
    this.keys = { ...this.keys, [view.jid]: view };
    for (const change of view.changes) {
      if (change.kind === 'changed') this.#activity.add('changed', `${view.jid} published a NEW key replacing one you had`, change.fingerprint);
      else if (change.kind === 'new') this.#activity.add('received', `New key from ${view.jid}`, change.fingerprint);
      else if (change.kind === 'retracted') this.#activity.add('retracted', `${view.jid} withdrew a key`, change.fingerprint);
    }
    if (live && view.fetch === 'notified' && view.changes.length === 0 && view.keys.length > 0) {
      this.#activity.add('received', `Key notification from ${view.jid}`, view.keys[0]?.fingerprint);
    }
  }
}
