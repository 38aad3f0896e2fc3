import type { ContactKeysView, KeyChangeView, KeyringApi, RosterChangeAnswer, RosterContactView } from '../../../contract';
import type { ActivityKind, ActivityLog } from './activity.svelte';
import { Task } from './task.svelte';
import { groupContacts } from './contact-groups';
import { describeQueuedWrite, queuedWriteSubject } from './queued-action';

/** Above this many changes of one kind in one update, the activity list gets one summary line. */
const MAX_ENTRIES_PER_KIND = 3;

/** The roster and what each contact publishes; updated live by main's `contacts:keys` events. */
export class ContactsStore {
  roster = $state<RosterContactView[]>([]);
  keys = $state<Record<string, ContactKeysView>>({});
  filter = $state('');
  selected = $state<string | undefined>();
  readonly loading = new Task();
  readonly fetching = new Task();
  readonly verifying = new Task();
  readonly editing = new Task();
  /** Contacts asking to see your presence, waiting for your answer. */
  requests = $state<string[]>([]);

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
    const offs = [
      this.#api.on('contacts:keys', (view) => this.#accept(view, true)),
      this.#api.on('roster:changed', () => void this.refreshRoster()),
      this.#api.on('roster:requests', (requests) => (this.requests = requests)),
      this.#api.on('roster:presence', ({ jid, online }) => {
        this.roster = this.roster.map((c) => (c.jid === jid ? { ...c, online } : c));
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  async add(jid: string, name: string, groups: string[]): Promise<boolean> {
    const answer = await this.editing.run(() =>
      this.#api.roster.add({ jid, groups, ...(name.trim() ? { name: name.trim() } : {}) }),
    );
    this.#changed(answer);
    return answer !== undefined;
  }

  async setGroups(jid: string, groups: string[]): Promise<void> {
    this.#changed(await this.editing.run(() => this.#api.roster.setGroups({ jid, groups })));
  }

  async remove(jid: string): Promise<void> {
    const answer = await this.editing.run(() => this.#api.roster.remove({ jid }));
    this.#changed(answer);
    if (answer?.outcome === 'done' && this.selected === jid) this.selected = undefined;
  }

  /** A roster change done (the roster as it now stands), or waiting for the connection (Activity shows it). */
  #changed(answer: RosterChangeAnswer | undefined): void {
    if (answer?.outcome === 'done') this.roster = answer.contacts;
    else if (answer) this.#activity.add('changed', `Waiting for the connection: ${describeQueuedWrite(answer.action)}`, queuedWriteSubject(answer.action));
  }

  async answer(jid: string, approve: boolean): Promise<void> {
    const requests = await this.editing.run(() => this.#api.roster.answer({ jid, approve }));
    if (requests) this.requests = requests;
    await this.refreshRoster();
  }

  async refreshRoster(): Promise<void> {
    const roster = await this.loading.run(() => this.#api.roster.list());
    if (roster) this.roster = roster;
    const requests = await this.#api.roster.requests();
    if (requests.ok) this.requests = requests.value;
  }

  async fetchKeys(jid: string): Promise<void> {
    const view = await this.fetching.run(() => this.#api.contacts.fetchKeys({ jid }));
    if (view) this.#accept(view, false);
  }

  async markVerified(jid: string, fingerprint: string): Promise<void> {
    const view = await this.verifying.run(() => this.#api.contacts.markVerified({ jid, fingerprint }));
    if (view) {
      this.keys = { ...this.keys, [jid]: { ...(this.keys[jid] ?? view), keys: view.keys } };
      this.#activity.add('verified', `Marked ${jid}'s key as verified`, fingerprint);
    }
  }

  #accept(view: ContactKeysView, live: boolean): void {
    this.keys = { ...this.keys, [view.jid]: view };
    // One entry per key, or one line per kind when a fetch brings many (a contact publishing dozens of
    // keys at once must not bury everything else in the activity list).
    const of = (kind: KeyChangeView['kind']) => view.changes.filter((c) => c.kind === kind);
    const report = (kind: KeyChangeView['kind'], activity: ActivityKind, one: string, many: (n: number) => string) => {
      const changes = of(kind);
      if (changes.length > MAX_ENTRIES_PER_KIND) this.#activity.add(activity, many(changes.length), view.jid);
      else for (const change of changes) this.#activity.add(activity, one, change.fingerprint);
    };
    report('changed', 'changed', `${view.jid} published a NEW key replacing one you had`, (n) => `${view.jid} published ${n} NEW keys replacing ones you had`);
    report('new', 'received', `New key from ${view.jid}`, (n) => `${n} new keys from ${view.jid}`);
    report('retracted', 'retracted', `${view.jid} withdrew a key`, (n) => `${view.jid} withdrew ${n} keys`);
    if (live && view.fetch === 'notified' && view.changes.length === 0 && view.keys.length > 0) {
      this.#activity.add('received', `Key notification from ${view.jid}`, view.keys[0]?.fingerprint);
    }
  }
}
