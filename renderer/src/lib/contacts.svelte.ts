import type { ContactKeysView, IpcError, KeyringApi, PresenceRequestsView, RosterChangeAnswer, RosterContactView, TrustPolicy, VerifyAnswer } from '../../../contract';
import { QR_IMAGE_LIMITS } from '../../../contract/limits';
import { fileToBase64 } from './base64';
import { accountChangedSince, accountShown } from './account-epoch';
import { attentionList, hasOpenMismatch, type Attention } from './attention';
import { MAX_ENTRIES_PER_KIND, type ActivityLog } from './activity.svelte';
import type { DevicesStore } from './devices.svelte';
import { ScreenStore } from './screen-store';
import { Task } from './task.svelte';
import { groupContacts } from './contact-groups';
import { addedWords, existingContact } from './add-contact';
import { queuedWriteLine, queuedWriteSubject } from './queued-action';
import { byJid, EVENT_BATCH_MS } from './event-batch';
import { applyPending, noPendingKeyViews, trustChange, whole, withTrust } from './contact-key-events';
import { keyActivity, verificationTakenBack } from './key-activity';

/** The roster and what each contact publishes; updated live by main's `contacts:keys` events. */
export class ContactsStore extends ScreenStore {
  // Raw (not deeply reactive): both are only ever replaced whole, and a deep proxy over thousands of
  // contacts costs every read of them.
  roster = $state.raw<RosterContactView[]>([]);
  keys = $state.raw<Record<string, ContactKeysView>>({});
  filter = $state('');
  selected = $state<string | undefined>();
  /** What the last add asked, said on that contact's card (review walk 4, item 19). */
  added = $state<{ jid: string; text: string } | undefined>();
  readonly loading = new Task();
  readonly fetching = new Task();
  // Its refusals show in the comparison's dialog only, which goes with the account's screen on a switch.
  readonly verifying = new Task({ notDone: 'Your fingerprint comparison was not recorded.' });
  /** Unverify, accept, policy changes (shown on the contact's card, which goes with the account's screen on a switch). */
  readonly deciding = new Task({ notDone: 'Your change to how their keys are trusted was not recorded.' });
  /**
   * A contact's groups and removal, on their card; `editingJid` is whose (an error shows on that card
   * only). Adding and answering a request have their own: each error shows where its action was asked.
   */
  readonly editing = new Task();
  editingJid = $state<string | undefined>();
  /**
   * Groups typed on a contact's card and not saved yet, by contact: kept when another contact is opened
   * (typing was lost without a word), until saved; the card says they are not saved.
   */
  groupDrafts = $state<Record<string, string>>({});
  readonly adding = new Task();
  readonly answering = new Task();
  /** The account's trust policy (contacts without one of their own). */
  accountPolicy = $state<TrustPolicy>('tofu');
  /** Contacts asking to see your presence, waiting for your answer. */
  requests = $state<string[]>([]);
  /** Requests main heard but does not list (it keeps the newest: PRESENCE_REQUEST_LIMITS). */
  requestsNotShown = $state(0);

  readonly groups = $derived(groupContacts(this.roster, this.filter));
  /** Roster groups, for the access picker. */
  readonly groupNames = $derived(sortedUnique(this.roster.flatMap((c) => c.groups)));
  /** Other apps' keys (made once for the window, App.svelte); absent, their warnings are not counted. */
  readonly #devices: DevicesStore | undefined;
  /**
   * Contacts who need the user before their keys are relied on (X.509, or another app's OMEMO device or
   * OpenPGP key): a key that changed, or a comparison that matched none of their keys and no match since
   * (lib/attention.ts words them wherever they are counted).
   */
  readonly attentionWhy = $derived.by((): Attention => {
    const views = Object.values(this.keys);
    const changed = views.filter((v) => v.keys.some((k) => k.trust === 'changed')).map((v) => v.jid);
    const mismatched = views.filter((v) => hasOpenMismatch(v)).map((v) => v.jid);
    return {
      changed: sortedUnique([...changed, ...(this.#devices?.attention ?? [])]),
      mismatched: sortedUnique([...mismatched, ...(this.#devices?.mismatched ?? [])]),
    };
  });
  /** Everyone in attentionWhy, once, sorted. */
  readonly attention = $derived(attentionList(this.attentionWhy));

  /** Keys views, trust changes and presences from events, not yet applied (by contact). Not reactive. */
  #arrivedKeys = noPendingKeyViews();
  #arrivedPresence = byJid<boolean>();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(api: KeyringApi, activity: ActivityLog, devices?: DevicesStore) {
    super(api, activity);
    this.#devices = devices;
  }

  start(): () => void {
    const offs = [
      this.api.on('contacts:keys', (view) => {
        whole(this.#arrivedKeys, view);
        this.#flushSoon();
      }),
      // Trust changed in this window or another (contact-key-events.ts): every window shows the same.
      this.api.on('contacts:trust', (change) => {
        if (change.kind === 'account-policy') void this.#accountPolicyChanged(change.policy);
        else {
          trustChange(this.#arrivedKeys, change.view);
          this.#flushSoon();
        }
      }),
      this.api.on('roster:changed', () => void this.refreshRoster()),
      this.api.on('roster:requests', (requests) => this.#showRequests(requests)),
      this.api.on('roster:presence', ({ jid, online }) => {
        this.#arrivedPresence[jid] = online;
        this.#flushSoon();
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    };
  }

  #flushSoon(): void {
    this.#flushTimer ??= setTimeout(() => this.#flush(), EVENT_BATCH_MS);
  }

  /** Applies the events that arrived since the last time: one new map, one new roster. */
  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const applied = applyPending(this.keys, this.#arrivedKeys);
    if (applied) {
      this.#arrivedKeys = noPendingKeyViews();
      this.keys = applied.keys;
      for (const view of applied.report) this.#report(view);
    }
    const presence = this.#arrivedPresence;
    if (Object.keys(presence).length > 0) {
      this.#arrivedPresence = byJid();
      this.roster = this.roster.map((c) => {
        const online = presence[c.jid];
        return online === undefined || online === c.online ? c : { ...c, online };
      });
    }
  }

  /**
   * Adds a contact (main asks to see their presence unless you already see it or asked). Once done the
   * new contact is selected and `added` says what was asked; the screen opens their card.
   */
  async add(jid: string, name: string, groups: string[]): Promise<boolean> {
    const before = existingContact(this.roster, jid);
    const answer = await this.adding.run(() =>
      this.api.roster.add({ jid, groups, ...(name.trim() ? { name: name.trim() } : {}) }),
    );
    this.#changed(answer);
    const now = answer?.outcome === 'done' ? existingContact(this.roster, jid) : undefined;
    if (now) {
      this.selected = now.jid;
      this.added = { jid: now.jid, text: addedWords(now.jid, before) };
    }
    return answer !== undefined;
  }

  async setGroups(jid: string, groups: string[]): Promise<void> {
    this.editingJid = jid;
    const answer = await this.editing.run(() => this.api.roster.setGroups({ jid, groups }));
    this.#changed(answer);
    if (answer) delete this.groupDrafts[jid];
  }

  async remove(jid: string): Promise<void> {
    this.editingJid = jid;
    const answer = await this.editing.run(() => this.api.roster.remove({ jid }));
    this.#changed(answer);
    if (answer?.outcome === 'done' && this.selected === jid) this.selected = undefined;
  }

  /** A roster change done (the roster as it now stands), or waiting for the connection (Activity shows it). */
  #changed(answer: RosterChangeAnswer | undefined): void {
    if (answer?.outcome === 'done') this.roster = answer.contacts;
    else if (answer) {
      const line = queuedWriteLine(answer.action);
      this.activity.add(line.kind, line.text, queuedWriteSubject(answer.action));
    }
  }

  async answer(jid: string, approve: boolean): Promise<void> {
    const requests = await this.answering.run(() => this.api.roster.answer({ jid, approve }));
    if (requests) this.#showRequests(requests);
    await this.refreshRoster();
  }

  #showRequests(view: PresenceRequestsView): void {
    this.requests = view.jids;
    this.requestsNotShown = view.notShown;
  }

  async refreshRoster(): Promise<void> {
    const sameAccount = this.accountMark();
    const roster = await this.loading.run(() => this.api.roster.list());
    if (roster && sameAccount()) {
      this.roster = roster;
      // Presences that came before this answer are in it already.
      this.#arrivedPresence = byJid();
    }
    const requests = await this.api.roster.requests();
    if (requests.ok && sameAccount()) this.#showRequests(requests.value);
    const policy = await this.api.contacts.accountPolicy();
    if (policy.ok && sameAccount()) this.accountPolicy = policy.value;
  }

  protected resetForAccount(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#arrivedKeys = noPendingKeyViews();
    this.#arrivedPresence = byJid();
    this.roster = [];
    this.keys = {};
    this.filter = '';
    this.selected = undefined;
    this.editingJid = undefined;
    this.groupDrafts = {};
    this.requests = [];
    this.requestsNotShown = 0;
    this.accountPolicy = 'tofu';
  }

  /** The account's default, for contacts without a policy of their own. */
  async setAccountPolicy(policy: TrustPolicy): Promise<void> {
    const set = await this.deciding.run(() => this.api.contacts.setAccountPolicy({ policy }));
    if (!set) return;
    this.accountPolicy = set;
    // Other contacts show it when next opened (opening fetches their keys again).
    if (this.selected && this.keys[this.selected]?.policySource === 'account') await this.fetchKeys(this.selected);
  }

  /**
   * The account's policy was set (here or in another window): the open contact shows what it makes of
   * their keys, read from what main remembers (no request to their server); others when next opened.
   */
  async #accountPolicyChanged(policy: TrustPolicy): Promise<void> {
    this.accountPolicy = policy;
    const open = this.selected;
    if (!open || this.keys[open]?.policySource !== 'account') return;
    const known = await this.api.contacts.knownKeys({ jid: open });
    if (known.ok) this.#replace(known.value);
  }

  async fetchKeys(jid: string): Promise<void> {
    const view = await this.fetching.run(() => this.api.contacts.fetchKeys({ jid }));
    if (view) this.#accept(view);
  }

  /**
   * Compares what the user typed or pasted (a fingerprint or a verification link) with the contact's
   * current keys; main decides, and a mismatch verifies nothing.
   */
  async verify(jid: string, claim: string): Promise<VerifyAnswer | undefined> {
    const answer = await this.verifying.run(() => this.api.contacts.verify({ jid, claim }));
    if (answer) this.#verified(jid, answer);
    else this.#plainVerifyError();
    return answer;
  }

  /** The same with a picture of their QR code (dropped, pasted or chosen). */
  async verifyQrImage(jid: string, file: File): Promise<VerifyAnswer | undefined> {
    // No type is sent: main tells PNG from JPEG by the bytes (File.type comes from the file's name).
    const asked = accountShown();
    const answer = await this.verifying.run(async () => {
      // Refused before it is read: a picture far past main's limit would not even cross the connection
      // (the browser host closes a page's connection on a message that large).
      if (file.size > QR_IMAGE_LIMITS.bytes) return { ok: false as const, error: qrPictureTooLarge(file) };
      const dataBase64 = await fileToBase64(file);
      const changed = accountChangedSince(asked);
      if (changed) return { ok: false as const, error: changed };
      return this.api.contacts.verifyQrImage({ jid, dataBase64 });
    });
    if (answer) this.#verified(jid, answer);
    else this.#plainVerifyError();
    return answer;
  }

  async unverify(jid: string, fingerprint: string): Promise<void> {
    const view = await this.deciding.run(() => this.api.contacts.unverify({ jid, fingerprint }));
    if (view) {
      this.#replace(view);
      // The key is back where it was before the verification: a change never accepted warns again.
      const warnsAgain = view.keys.some((k) => k.fingerprint === fingerprint && k.trust === 'changed');
      const line = verificationTakenBack('a verification', warnsAgain);
      this.activity.add(line.kind, line.text, { contact: jid, fingerprint });
    }
  }

  async accept(jid: string, fingerprint: string): Promise<void> {
    const view = await this.deciding.run(() => this.api.contacts.accept({ jid, fingerprint }));
    if (view) {
      this.#replace(view);
      this.activity.add('verified', 'You accepted a changed key without comparing', { contact: jid, fingerprint });
    }
  }

  async setPolicy(jid: string, policy: TrustPolicy | null): Promise<void> {
    const view = await this.deciding.run(() => this.api.contacts.setPolicy({ jid, policy }));
    if (view) this.#replace(view);
    // Their other apps' keys follow the same policy: read them again to show what it makes of them.
    if (view) await this.#devices?.fetch(jid);
  }

  /** The field's name prefixes a refused parameter's message ("claim: …"): in the dialog it is jargon. */
  #plainVerifyError(): void {
    const error = this.verifying.error;
    if (error?.field) this.verifying.error = { ...error, message: error.message.replace(`${error.field}: `, '') };
  }

  #verified(jid: string, answer: VerifyAnswer): void {
    this.#replace(answer.view);
    if (answer.outcome === 'verified') this.activity.add('verified', 'Fingerprints matched: key verified', { contact: jid, fingerprint: answer.fingerprint });
    else {
      const comparedWith = answer.view.keys.filter((k) => k.trust !== 'retracted').map((k) => k.fingerprint);
      this.activity.add('mismatch', 'Fingerprints did NOT match: nothing was verified', { contact: jid, fingerprint: answer.offered, comparedWith });
    }
  }

  /** A view from an answer: the keys as they now stand, keeping what the last fetch said otherwise. */
  #replace(view: ContactKeysView): void {
    this.keys = { ...this.keys, [view.jid]: withTrust(this.keys[view.jid], view) };
  }

  /** A view a request answered: shown at once, after what events brought before it (older news first). */
  #accept(view: ContactKeysView): void {
    this.#flush();
    this.keys = { ...this.keys, [view.jid]: view };
    this.#report(view);
  }

  /** What a view's changes mean, in the Activity list (key-activity.ts). */
  #report(view: ContactKeysView): void {
    for (const entry of keyActivity(view, MAX_ENTRIES_PER_KIND)) {
      this.activity.add(entry.kind, entry.text, entry.fingerprint === undefined ? { contact: view.jid } : { contact: view.jid, fingerprint: entry.fingerprint });
    }
  }
}

/** A plain lookup by address, without a prototype (an address is never mistaken for a built-in name). */
function sortedUnique(names: readonly string[]): string[] {
  const sorted = [...names].sort();
  return sorted.filter((name, i) => name !== sorted[i - 1]);
}

/** A picture of a QR code over the size main reads, said before anything is read or sent. */
export function qrPictureTooLarge(file: { name: string; size: number }): IpcError {
  // Rounded up: a file just over the limit never reads as the limit itself ("8 MiB; at most 8 MiB").
  const mib = (bytes: number) => String(Math.ceil((bytes / 2 ** 20) * 10) / 10);
  return {
    code: 'invalid-argument',
    message: `“${file.name}” is ${mib(file.size)} MiB; a picture of a QR code may be at most ${mib(QR_IMAGE_LIMITS.bytes)} MiB. Crop it to the code, or compare the fingerprint by eye.`,
  };
}
