import { accessOf, expiryText, HELD_BACK_REVOCATION_PUBLISHED_LINE, heldBackRevocationsPublished, keyName, needsRenewal, nextValidityChange } from './own-keys';
import type { AccessRequest, EffectiveNodeConfig, KeyAudience, OwnKeyView, PublishAnswer, QueuedActionView, RevocationReasonName } from '../../../contract';
import { fileToBase64 } from './base64';
import { describeAccess, unverifiedNote } from './format';
import { queuedFailuresAfter, queuedOutcomeLine, queuedWriteSubject } from './queued-action';
import { ScreenStore } from './screen-store';
import { Task } from './task.svelte';
import { keyNodeUnreadLine, newKeyLine, renewedLine, revokedLine } from './wording';

/** How long "Undo" stays offered after a key is retracted. */
export const UNDO_RETRACT_MS = 10_000;

/** A retract that can still be undone: publishing the same certificate again, to the audience it had. */
export interface UndoableRetract {
  fingerprint: string;
  name: string;
  access: AccessRequest;
}

/** After a key's expiry moment, how long My keys waits before asking main (its clock may differ by a little). */
const EXPIRY_SLACK_MS = 1_000;
/** The longest single wait for the next expiry moment: a refresh then, and another wait. */
const MAX_EXPIRY_WAIT_MS = 6 * 3600_000;

/** The user's own keys: list, generate, publish, retract, export. Private keys never come here. */
type OtherDeviceChange = 'added' | 'withdrawn' | 'revoked';

/**
 * What each change from another device of the account is called on My keys (a short title, and what
 * it means when that is not plain from the title) and, both together, in Activity. A key revoked is
 * also reported when a restored backup was made before its revocation (main/services/own-revocations.ts).
 */
export const OTHER_DEVICE_NEWS: Record<OtherDeviceChange, { title: string; detail?: string }> = {
  added: { title: 'Key added to your account from another device' },
  withdrawn: { title: 'Key withdrawn from your account by another device' },
  revoked: { title: 'Key revoked on your account', detail: 'By another of your devices, by a revoke here whose answer the connection cut off, or after the backup you restored was made. It is never published again.' },
};

/**
 * A key of this vault found on the account's key node while recorded here as not published (a publish
 * cut off before it was recorded, or a key restored from a backup): main recorded it as published, to
 * the audience the server reports. Said in Activity.
 */
export const FOUND_ON_SERVER_LINE = 'Key found published on your server: recorded';

/** The news in one line, for Activity. */
export function otherDeviceNewsLine(change: OtherDeviceChange): string {
  const { title, detail } = OTHER_DEVICE_NEWS[change];
  return detail ? `${title}. ${detail}` : title;
}

export class KeysStore extends ScreenStore {
  #keys = $state<OwnKeyView[]>([]);
  /** The account's keys as main last listed them. */
  get keys(): OwnKeyView[] {
    return this.#keys;
  }
  /** Every new list (an answer, a refresh, keys:changed) is compared with the last, whichever brings the change. */
  set keys(next: OwnKeyView[]) {
    for (const fingerprint of heldBackRevocationsPublished(this.#keys, next)) this.activity.add('published', HELD_BACK_REVOCATION_PUBLISHED_LINE, fingerprint);
    this.#keys = next;
  }
  /** The node configuration the server reported after the last publish, per fingerprint. */
  published = $state<Record<string, EffectiveNodeConfig>>({});
  readonly loading = new Task();
  readonly generating = new Task();
  readonly publishing = new Task();
  readonly retracting = new Task();
  readonly exporting = new Task();
  readonly importing = new Task();
  /** Every write asked for while offline (keys, profile, contacts), waiting for the connection. */
  pending = $state<QueuedActionView[]>([]);
  readonly cancelling = new Task();
  /** Keys another device of this account published (or withdrew) while this one was online. */
  otherDevice = $state<{ fingerprint: string; change: OtherDeviceChange; at: string }[]>([]);
  readonly renaming = new Task();
  readonly deleting = new Task();
  readonly undoing = new Task();
  readonly renewing = new Task();
  readonly revoking = new Task();
  /** Who may read the keys already published, as last asked (the publish panel starts there). */
  audience = $state<KeyAudience | undefined>();
  readonly loadingAudience = new Task();
  /** Per key, the last write queued offline that failed when it ran, in Activity's words (queued-action.ts). */
  queuedFailures = $state<Record<string, string>>({});
  /** The last retract, while it can be undone. */
  undoable = $state<UndoableRetract | undefined>();
  #undoTimer: ReturnType<typeof setTimeout> | undefined;
  /** Expiry warnings already written to Activity in this session ("fingerprint level"): each once. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping only: nothing on screen reads it
  readonly #warned = new Set<string>();
  /** Published keys that expire within 30 days or have expired: the My keys badge counts them. */
  readonly expiring = $derived(this.keys.filter(needsRenewal));
  /** Follows the offline queue; returns the unsubscribe. */
  start(): () => void {
    const offChanged = this.api.on('queue:changed', (pending) => (this.pending = pending));
    const offRan = this.api.on('queue:ran', (outcome) => {
      this.queuedFailures = queuedFailuresAfter(this.queuedFailures, outcome);
      const line = queuedOutcomeLine(outcome);
      this.activity.add(
        outcome.ok && !outcome.skipped ? (outcome.action.kind === 'retract' || outcome.action.kind === 'roster-remove' ? 'retracted' : 'published') : 'changed',
        outcome.stillListed ? `${line}. ${outcome.stillListed}` : line,
        queuedWriteSubject(outcome.action),
      );
      void this.refresh();
    });
    // The list as it now stands, after a change made anywhere: this window, another one, the queue.
    const offKeysChanged = this.api.on('keys:changed', (keys) => {
      this.keys = keys;
      this.#warnAboutExpiry();
    });
    const offOtherDevice = this.api.on('keys:otherDevice', ({ added, withdrawn, revoked, found, at }) => {
      for (const fingerprint of found) {
        // Its audience as the server reported it (keys:changed brought the publication just before).
        const publication = this.keys.find((k) => k.fingerprint === fingerprint)?.publications[0];
        const audience = publication && describeAccess(publication.accessModel, publication.groups, publication.allow);
        this.activity.add('published', FOUND_ON_SERVER_LINE, audience ? { fingerprint, audience } : fingerprint);
      }
      const news = [
        ...added.map((fingerprint) => ({ fingerprint, change: 'added' as const, at })),
        ...withdrawn.map((fingerprint) => ({ fingerprint, change: 'withdrawn' as const, at })),
        ...revoked.map((fingerprint) => ({ fingerprint, change: 'revoked' as const, at })),
      ];
      this.otherDevice = [...news, ...this.otherDevice.filter((o) => !news.some((n) => n.fingerprint === o.fingerprint))].slice(0, 32);
      for (const n of news) this.activity.add('received', otherDeviceNewsLine(n.change), n.fingerprint);
      // A key revoked elsewhere is revoked here now, one found published is published: its card and the
      // audience must say so.
      if (revoked.length > 0 || found.length > 0) void this.refresh();
    });
    const offKeyNodeUnread = this.api.on('keys:keyNodeUnread', ({ reason }) => this.activity.add('changed', keyNodeUnreadLine(reason)));
    void this.#loadQueue();
    // What main said of the keys' time holds until the next moment it changes (own-keys.ts
    // nextValidityChange): then the list is asked for again, so a key that starts or expires while the
    // screen is open is shown as it now is (current or not, valid or not). Long waits are cut into pieces
    // (a timer holds at most ~24 days), each a refresh.
    const stopExpiryTimer = $effect.root(() => {
      $effect(() => {
        const at = nextValidityChange(this.keys, Date.now());
        if (at === undefined) return;
        const timer = setTimeout(() => void this.refresh(), Math.min(Math.max(at - Date.now(), 0) + EXPIRY_SLACK_MS, MAX_EXPIRY_WAIT_MS));
        return () => clearTimeout(timer);
      });
    });
    return () => {
      offChanged();
      offRan();
      offOtherDevice();
      offKeyNodeUnread();
      offKeysChanged();
      stopExpiryTimer();
    };
  }

  async cancel(id: string): Promise<void> {
    const pending = await this.cancelling.run(() => this.api.queue.cancel({ id }));
    if (pending) this.pending = pending;
  }

  async #loadQueue(): Promise<void> {
    const sameAccount = this.accountMark();
    const pending = await this.api.queue.list();
    if (pending.ok && sameAccount()) this.pending = pending.value;
  }

  protected resetForAccount(): void {
    this.keys = [];
    this.published = {};
    this.pending = [];
    this.otherDevice = [];
    this.audience = undefined;
    clearTimeout(this.#undoTimer);
    this.undoable = undefined;
    // #warned is kept: a fingerprint is one account's, and coming back to it must not warn twice.
    void this.#loadQueue();
  }

  /** The list, and who may read the published keys (so the publish panel opens on it at once). */
  async refresh(): Promise<void> {
    const [keys] = await Promise.all([this.loading.run(() => this.api.keys.list()), this.loadAudience()]);
    if (keys) {
      this.keys = keys;
      this.#warnAboutExpiry();
    }
  }

  /** One Activity entry per published key and warning level (30, 7, 1 days, expired). */
  #warnAboutExpiry(): void {
    for (const key of this.expiring) {
      const mark = `${key.fingerprint} ${key.expiry.level}`;
      if (this.#warned.has(mark)) continue;
      this.#warned.add(mark);
      this.activity.add('changed', `${keyName(key)}: ${expiryText(key.expiry)}. Renew it on My keys.`, key.fingerprint);
    }
  }

  async generate(bits: 2048 | 3072 | 4096, validityDays: number, label = ''): Promise<OwnKeyView | undefined> {
    const key = await this.generating.run(() => this.api.keys.generate({ bits, validityDays, ...(label.trim() ? { label } : {}) }));
    if (key) {
      this.keys = [key, ...this.keys.filter((k) => k.fingerprint !== key.fingerprint)];
      this.activity.add('generated', newKeyLine(key.bits ?? bits), key.fingerprint);
      void this.refresh(); // which key is current may have changed
    }
    return key;
  }

  /** Imports PEM files (key + certificate) or one PKCS#12; the bytes go to main, which keeps the key. The key as main lists it; undefined when refused. */
  async import(files: readonly File[], password: string): Promise<OwnKeyView | undefined> {
    const encoded = await Promise.all(files.map(fileToBase64));
    const key = await this.importing.run(() =>
      this.api.keys.import({ files: encoded, ...(password ? { password } : {}) }),
    );
    if (key) {
      this.keys = [key, ...this.keys.filter((k) => k.fingerprint !== key.fingerprint)];
      this.activity.add('generated', 'Imported a key', key.fingerprint);
      void this.refresh();
    }
    return key;
  }

  /**
   * Publishes now when online; offline, main keeps it for when the account is online again (it
   * survives a restart). Either way the answer carries the key list as it now stands.
   */
  async publish(fingerprint: string, access: AccessRequest, reconfigure: boolean): Promise<PublishAnswer | undefined> {
    // The last publish's "Published." must not sit next to this one's error.
    const { [fingerprint]: _stale, ...others } = this.published;
    this.published = others;
    const answer = await this.publishing.run(() => this.api.keys.publish({ fingerprint, access, ...(reconfigure ? { reconfigure } : {}) }));
    if (!answer) return undefined;
    this.keys = answer.keys;
    if (answer.outcome === 'published') {
      this.published = { ...this.published, [fingerprint]: answer.config };
      const { [fingerprint]: _failedEarlier, ...stillFailed } = this.queuedFailures;
      this.queuedFailures = stillFailed;
      // The audience as the server read it back, not as asked.
      const audience = describeAccess(answer.config.accessModel, answer.config.rosterGroupsAllowed, answer.config.whitelist);
      this.activity.add('published', `Published your key${unverifiedNote(answer.config.deviations)}`, { fingerprint, audience });
    } else {
      this.activity.add('waiting', 'Waiting for the connection to publish', {
        fingerprint,
        audience: describeAccess(access.model, access.groups, access.allow),
      });
    }
    return answer;
  }

  /**
   * A publish panel opened afresh for `fingerprint`: the report (or refusal) of a publish from an earlier
   * opening is dropped, as it would read as news of this one. A publish still running keeps its outcome.
   */
  startPublishing(fingerprint: string): void {
    if (this.publishing.running) return;
    const { [fingerprint]: _earlier, ...others } = this.published;
    this.published = others;
    this.publishing.error = undefined;
  }

  /** Asks main who may read the keys already published (the server when online, else what was recorded). */
  async loadAudience(): Promise<KeyAudience | undefined> {
    const audience = await this.loadingAudience.run(() => this.api.keys.audience());
    if (audience) this.audience = audience;
    return audience;
  }

  /**
   * Retracts now (or once online). Done at once, it can be undone for a few seconds: XEP-0060 lets the
   * owner publish the same item again, so contacts fetch the same certificate as before.
   */
  async retract(fingerprint: string): Promise<void> {
    const before = this.keys.find((k) => k.fingerprint === fingerprint);
    const answer = await this.retracting.run(() => this.api.keys.retract({ fingerprint }));
    if (!answer) return;
    this.keys = answer.keys;
    if (answer.outcome === 'retracted') this.activity.add('retracted', 'Removed from your node', fingerprint);
    else this.activity.add('waiting', 'Waiting for the connection to retract', fingerprint);
    const publication = before?.publications[0];
    const access = publication && accessOf(publication.accessModel, publication.groups, publication.allow);
    if (answer.outcome === 'retracted' && before && access) this.#offerUndo({ fingerprint, name: keyName(before), access });
  }

  /** Publishes the retracted key again, to the audience it had. */
  async undoRetract(): Promise<void> {
    const undo = this.undoable;
    if (!undo) return;
    this.#offerUndo(undefined);
    const answer = await this.undoing.run(() => this.api.keys.publish({ fingerprint: undo.fingerprint, access: undo.access }));
    if (!answer) return;
    this.keys = answer.keys;
    if (answer.outcome === 'published') this.activity.add('published', `Published again (undo)${unverifiedNote(answer.config.deviations)}`, undo.fingerprint);
    else this.activity.add('waiting', 'Waiting for the connection to publish again', undo.fingerprint);
  }

  dismissUndo(): void {
    this.#offerUndo(undefined);
  }

  /** Renews (main publishes the successor to the same audience, then withdraws this one); true when done. */
  async renew(fingerprint: string, newKey: boolean): Promise<boolean> {
    const answer = await this.renewing.run(() => this.api.keys.renew({ fingerprint, ...(newKey ? { newKey } : {}) }));
    if (!answer) {
      // A renewal refused after its successor was made keeps that successor (main says so): the list is
      // read again, so its card is there to publish from.
      void this.refresh();
      return false;
    }
    this.keys = answer.keys;
    this.activity.add('published', renewedLine(answer, newKey), answer.fingerprint);
    return true;
  }

  /** Revokes a key for good: main publishes the revocation, then withdraws the key (or, offline, later). */
  async revoke(fingerprint: string, reason: RevocationReasonName): Promise<boolean> {
    const answer = await this.revoking.run(() => this.api.keys.revoke({ fingerprint, reason }));
    if (!answer) {
      // A revoke refused may still have revoked the key here (its revocation held back by the node's
      // setting: main says so): the list is read again, so the card never shows it usable.
      void this.refresh();
      return false;
    }
    this.keys = answer.keys;
    if (answer.outcome === 'queued') this.activity.add('waiting', 'Waiting for the connection to revoke', fingerprint);
    else this.activity.add('retracted', revokedLine(answer), fingerprint);
    return true;
  }

  async rename(fingerprint: string, label: string): Promise<boolean> {
    const keys = await this.renaming.run(() => this.api.keys.rename({ fingerprint, label }));
    if (keys) this.keys = keys;
    return keys !== undefined;
  }

  /** Deletes the key (main retracts it first when published); true when it is gone. */
  async delete(fingerprint: string): Promise<boolean> {
    const answer = await this.deleting.run(() => this.api.keys.delete({ fingerprint }));
    if (!answer) return false;
    this.keys = answer.keys;
    if (this.undoable?.fingerprint === fingerprint) this.#offerUndo(undefined);
    this.activity.add('retracted', answer.retracted ? 'Withdrawn from your account and deleted' : 'Deleted from this computer', fingerprint);
    return true;
  }

  #offerUndo(undo: UndoableRetract | undefined): void {
    clearTimeout(this.#undoTimer);
    this.undoable = undo;
    if (undo) this.#undoTimer = setTimeout(() => (this.undoable = undefined), UNDO_RETRACT_MS);
  }

  async exportPem(fingerprint: string): Promise<string | undefined> {
    const exported = await this.exporting.run(() => this.api.keys.exportCertificate({ fingerprint, format: 'pem' }));
    return exported?.pem;
  }
}

