import type { OtherKeyProtocol, OtherKeysView, OtherKeyVerifyAnswer, OtherKeyView } from '../../../contract';
import { otherKeyStyleOf } from '../../../contract/format';
import { hasOpenMismatch } from './attention';
import { formatDay } from './format';
import { byJid, EVENT_BATCH_MS } from './event-batch';
import { ScreenStore } from './screen-store';
import { Task } from './task.svelte';
import { verificationTakenBack } from './key-activity';

/**
 * Other apps' keys (OMEMO devices, OpenPGP keys): contacts' as last read or notified, and the user's own.
 * One store for the window, made by the app with the Activity list (provideDevicesStore) and found by the
 * screens through devicesStore(), so the contact view and My keys share it without passing it along.
 */
export class DevicesStore extends ScreenStore {
  /**
   * Contacts' devices and keys by bare JID, as last read or notified. Raw (not deeply reactive): only
   * ever replaced whole, and a deep proxy over thousands of contacts costs every read of them.
   */
  contacts = $state.raw<Record<string, OtherKeysView>>({});
  /** The user's own (My keys). */
  own = $state<OtherKeysView | undefined>();
  /** Reading a contact's; reading the user's own; taking an own device off the list. */
  readonly fetching = new Task();
  readonly loadingOwn = new Task();
  readonly removing = new Task();
  /** Contacts with a device or key that changed and is not yet verified or accepted. */
  readonly attention = $derived(
    Object.values(this.contacts)
      .filter((v) => v.jid !== this.own?.jid && v.keys.some((k) => k.state === 'changed'))
      .map((v) => v.jid),
  );
  /** Contacts with a comparison of these fingerprints that matched nothing, and no match since. */
  readonly mismatched = $derived(
    Object.values(this.contacts)
      .filter((v) => v.jid !== this.own?.jid && hasOpenMismatch(v))
      .map((v) => v.jid),
  );

  /** Comparing a fingerprint, taking a verification back or accepting a changed key (one at a time: the last one's error shows). */
  readonly deciding = new Task({ notDone: 'Your comparison, or change to how their keys from other apps are trusted, was not recorded.' });

  /**
   * Views from events, not yet applied (by contact: the latest wins). A sign-in reads every contact's
   * devices and main announces each one: with 5,000 contacts, applying each alone copied the whole map
   * and worked out `attention` again every time, ~10 ms an event, and the page took minutes to catch up
   * (answers to its requests wait behind the events on the same socket). Applied together instead, at
   * most every EVENT_BATCH_MS, as ContactsStore does with contacts' keys.
   */
  #arrived = byJid<OtherKeysView>();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  /** Follows background readings (sign-in) and notifications; returns the unsubscribe. */
  start(): () => void {
    const off = this.api.on('devices:contact', (view) => {
      this.#arrived[view.jid] = view;
      this.#flushTimer ??= setTimeout(() => this.#flush(), EVENT_BATCH_MS);
      if (this.own && view.jid === this.own.jid) this.own = view;
    });
    return () => {
      off();
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    };
  }

  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const views = Object.values(this.#arrived);
    if (views.length === 0) return;
    this.#arrived = byJid<OtherKeysView>();
    this.#take(...views);
  }

  async fetch(jid: string): Promise<void> {
    const view = await this.fetching.run(() => this.api.devices.fetchContact({ jid }));
    if (view) this.#take(view);
  }

  async loadOwn(): Promise<void> {
    const view = await this.loadingOwn.run(() => this.api.devices.own());
    if (view) this.own = view;
  }

  protected resetForAccount(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#arrived = byJid<OtherKeysView>();
    this.contacts = {};
    this.own = undefined;
  }

  async removeOwn(protocol: 'omemo' | 'omemo2', deviceId: number): Promise<boolean> {
    const view = await this.removing.run(() => this.api.devices.removeOwn({ protocol, deviceId }));
    if (view) this.own = view;
    return view !== undefined;
  }

  /** Compares what the user typed with the contact's current devices and keys; main decides. */
  async verify(jid: string, fingerprint: string): Promise<OtherKeyVerifyAnswer | undefined> {
    const answer = await this.deciding.run(() => this.api.devices.verify({ jid, fingerprint }));
    const error = this.deciding.error;
    // "fingerprint: …" names a parameter: in the form it is jargon.
    if (error?.field) this.deciding.error = { ...error, message: error.message.replace(`${error.field}: `, '') };
    if (!answer) return undefined;
    this.#take(answer.view);
    if (answer.outcome === 'verified') this.activity.add('verified', 'Fingerprints matched: OMEMO or OpenPGP key verified', { contact: jid, fingerprint: answer.fingerprint });
    else {
      // The whole fingerprint and where it differs, as the card shows it: a near miss begins like their key.
      const comparedWith = answer.view.keys.filter((k) => k.state !== 'removed' && k.fingerprint !== '').map((k) => k.fingerprint);
      this.activity.add('mismatch', 'Fingerprints did NOT match any OMEMO device or OpenPGP key: nothing was verified', {
        contact: jid,
        fingerprint: answer.offered,
        comparedWith,
        comparedStyle: otherKeyStyleOf(answer.offered),
      });
    }
    return answer;
  }

  /** Takes back a verification (the same words in Activity as for an X.509 key). */
  async unverify(jid: string, key: OtherKeyView): Promise<void> {
    const view = await this.deciding.run(() => this.api.devices.unverify({ jid, fingerprint: key.fingerprint }));
    if (!view) return;
    this.#take(view);
    // A change never accepted warns again once the verification that cleared it is gone.
    const stillAChange = view.keys.some((k) => k.fingerprint === key.fingerprint && k.decision === 'changed');
    const line = verificationTakenBack(`the verification of ${otherKeyName(key)}`, stillAChange);
    this.activity.add(line.kind, line.text, { contact: jid, fingerprint: key.fingerprint });
  }

  async accept(jid: string, key: OtherKeyView): Promise<void> {
    const view = await this.deciding.run(() => this.api.devices.accept({ jid, fingerprint: key.fingerprint }));
    if (!view) return;
    this.#take(view);
    this.activity.add('verified', `You accepted a changed ${otherKeyName(key)} without comparing`, { contact: jid, fingerprint: key.fingerprint });
  }

  /**
   * A contact's view as it now stands. A changed key goes to Activity once: when it turns 'changed', or
   * (still unresolved from an earlier run) when the contact's keys are first read in this one.
   */
  #take(...views: OtherKeysView[]): void {
    const next = { ...this.contacts };
    for (const view of views) {
      // An answer to a request came after any event still waiting: the event is older news.
      delete this.#arrived[view.jid];
      const wasChanged = (next[view.jid]?.keys ?? []).filter((k) => k.state === 'changed').map(keyId);
      for (const key of view.keys) {
        if (key.state === 'changed' && !wasChanged.includes(keyId(key))) {
          this.activity.add('changed', `${otherKeyName(key)} has another key than before: compare it`, { contact: view.jid, fingerprint: key.fingerprint });
        }
      }
      next[view.jid] = view;
    }
    this.contacts = next;
  }
}

/** A device or key across readings: OMEMO by its list and device id, OpenPGP by its fingerprint. */
function keyId(k: OtherKeyView): string {
  return `${k.protocol}:${k.deviceId ?? k.fingerprint}`;
}

let provide: ((store: DevicesStore) => void) | undefined;
const shared = new Promise<DevicesStore>((resolve) => (provide = resolve));

/** The app's one DevicesStore, made where the Activity list is (App.svelte). */
export function provideDevicesStore(store: DevicesStore): void {
  provide?.(store);
}

export function devicesStore(): Promise<DevicesStore> {
  return shared;
}

export const PROTOCOL_TEXT: Record<OtherKeyProtocol, string> = { omemo: 'OMEMO', omemo2: 'OMEMO 2', openpgp: 'OpenPGP' };

/** What a person calls the key: "OMEMO device 1717 “Laptop”", "OpenPGP key". */
export function otherKeyName(k: Pick<OtherKeyView, 'protocol' | 'deviceId' | 'label'>): string {
  if (k.deviceId === undefined) return `${PROTOCOL_TEXT[k.protocol]} key`;
  return `${PROTOCOL_TEXT[k.protocol]} device ${k.deviceId}${k.label ? ` “${k.label}”` : ''}`;
}

/**
 * The badge for a device's or key's state. 'known' is every one that is not new: there when the app first
 * read the account (a second ago, perhaps) or listed for over OTHER_KEY_LIMITS.newForDays. It says since
 * when the app has known it, never that the person saw it before (walk 6: "Seen before" on a first look).
 */
export function stateText(k: Pick<OtherKeyView, 'state' | 'firstSeen'>): string {
  if (k.state === 'known') return `Known since ${formatDay(k.firstSeen)}`;
  return { new: 'New', changed: 'Changed', removed: 'Removed' }[k.state];
}

/**
 * Why a device shows no fingerprint: its app published no keys for it (main: OtherKeyView.noBundle), or
 * they were there but could not be read (the row's problems say how).
 */
export function noFingerprintText(k: Pick<OtherKeyView, 'noBundle'>): string {
  return k.noBundle ? 'No fingerprint: the app on this device published no keys for it.' : 'No fingerprint: its keys could not be read.';
}
