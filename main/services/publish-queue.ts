/**
 * Every write, now or later: online, it runs at once; offline (or while reconnecting) it is kept in the
 * vault (main/vault/stores/queue-store.ts, so it survives a restart), shown as pending, and run in the
 * order it was asked for as soon as the account is online again. Writes are: publishing and retracting
 * own keys, publishing the profile (vCard4 + nickname), and adding, regrouping and removing contacts.
 * The core decides, so every front end gets the same answer. Nothing asked for offline is silently
 * dropped or half done: each action ends as done, failed (with the reason) or cancelled by the user.
 */
import { randomUUID } from 'node:crypto';
import type {
  AccessRequest,
  EffectiveNodeConfig,
  IpcError,
  NodeConfigDeviation,
  Profile,
  ProfilePublishAnswer,
  QueuedActionView,
  QueuedWrite,
  RevocationReasonName,
  RevokeOutcome,
  RosterChangeAnswer,
} from '../../contract/index.js';
import type { AppEvents } from '../events.js';
import { KeyringError, toIpcError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { QueuedActionRecord } from '../vault/schema.js';
import type { QueueStore } from '../vault/stores/queue-store.js';
import type { OwnKeys } from './own-keys.js';
import type { ProfileService } from './profile.js';
import { contactBareJid } from '../xmpp/contact-jid.js';
import { ownAddressRefused, type RosterService } from './roster-service.js';
import { forWrite, markNow, stillMarked } from './session-mark.js';
import type { SessionPort } from './session-port.js';

/** What queue:ran says of an action that ran but that the vault could not take off its list. */
export const STILL_LISTED =
  'It could not be taken off the list of waiting changes (the vault could not be saved: is the disk full?). It will not run again while the app stays open.';

export interface PublishQueueDeps {
  store: QueueStore;
  ownKeys: OwnKeys;
  roster: Pick<RosterService, 'add' | 'setGroups' | 'remove'>;
  profile: Pick<ProfileService, 'publish'>;
  session: SessionPort;
  events: AppEvents;
  log: Logger;
}

export class PublishQueue {
  readonly #deps: PublishQueueDeps;
  #draining: Promise<void> | undefined;
  /**
   * Actions that ran but that the vault could not take off the queue (a full disk): they are done, so
   * they are no longer shown as waiting, and they never run again in this process, whatever the user
   * did since (a key withdrawn after its publish ran must not be published again); the next run only
   * takes them off. Held here, since the vault could not record it.
   */
  readonly #ranStillListed = new Set<string>();

  constructor(deps: PublishQueueDeps) {
    this.#deps = deps;
  }

  /** Pending actions of the account last connected. */
  list(): QueuedActionView[] {
    const account = this.#deps.session.state.account;
    if (!account) return [];
    return this.#deps.store
      .list(account)
      .filter((a) => !this.#ranStillListed.has(a.id))
      .map((a) => ({ ...a }));
  }

  /** XEP-0222 publish of an own key now when online, or once online. */
  async publish(
    fingerprint: string,
    access: AccessRequest,
    reconfigure: boolean,
  ): Promise<{ outcome: 'published'; config: EffectiveNodeConfig } | { outcome: 'queued'; action: QueuedActionView }> {
    if (!this.#deps.ownKeys.has(fingerprint)) throw new KeyringError('not-found', `No key ${fingerprint} for ${this.#deps.session.state.account ?? 'this account'}.`, 'fingerprint');
    if (this.#canRunNow()) return { outcome: 'published', config: await this.#deps.ownKeys.publish(fingerprint, access, reconfigure) };
    return { outcome: 'queued', action: await this.#add({ kind: 'publish', fingerprint, access, ...(reconfigure ? { reconfigure } : {}) }) };
  }

  /** Retracts an own key from its node now when online, or once online. */
  async retract(fingerprint: string): Promise<{ outcome: 'retracted' } | { outcome: 'queued'; action: QueuedActionView }> {
    if (!this.#deps.ownKeys.has(fingerprint)) throw new KeyringError('not-found', `No key ${fingerprint} for ${this.#deps.session.state.account ?? 'this account'}.`, 'fingerprint');
    if (this.#canRunNow()) {
      await this.#deps.ownKeys.retract(fingerprint);
      return { outcome: 'retracted' };
    }
    return { outcome: 'queued', action: await this.#add({ kind: 'retract', fingerprint }) };
  }

  /** Revokes an own key (publishes its revocation, then withdraws it) now when online, or once online. */
  async revoke(fingerprint: string, reason: RevocationReasonName): Promise<({ outcome: 'revoked' } & RevokeOutcome) | { outcome: 'queued'; action: QueuedActionView }> {
    if (!this.#deps.ownKeys.has(fingerprint)) throw new KeyringError('not-found', `No key ${fingerprint} for ${this.#deps.session.state.account ?? 'this account'}.`, 'fingerprint');
    if (this.#canRunNow()) return { outcome: 'revoked', ...(await this.#deps.ownKeys.revoke(fingerprint, reason)) };
    return { outcome: 'queued', action: await this.#add({ kind: 'revoke', fingerprint, reason }) };
  }

  /**
   * Publishes the profile (vCard4 + nickname, XEP-0222) now when online, or once online. With `base`
   * (what the edits were made from) it is merged onto what the server holds when it goes out, queued or
   * not (ProfileService.publish): a field another app changed while it waited stays.
   */
  async publishProfile(profile: Profile, access: AccessRequest, reconfigure: boolean, base?: Profile): Promise<ProfilePublishAnswer> {
    if (this.#canRunNow()) return { outcome: 'published', ...(await this.#deps.profile.publish(profile, access, { reconfigure, ...(base ? { base } : {}) })) };
    return { outcome: 'queued', action: await this.#add({ kind: 'profile-publish', profile, ...(base ? { base } : {}), access, ...(reconfigure ? { reconfigure } : {}) }) };
  }

  /**
   * Adds a contact (already one: to the groups named, none taken away) and asks to see their presence,
   * now or once online. The address is checked and put in its one form first: a queued add would
   * otherwise fail only later, out of sight.
   */
  async addContact(contact: { jid: string; name?: string; groups: string[] }): Promise<RosterChangeAnswer> {
    const jid = ownAddressRefused(contactBareJid(contact.jid), this.#deps.session.state.account);
    if (this.#canRunNow()) return { outcome: 'done', contacts: await this.#deps.roster.add({ ...contact, jid }) };
    return { outcome: 'queued', action: await this.#add({ kind: 'roster-add', ...contact, jid }) };
  }

  async setContactGroups(jid: string, groups: string[]): Promise<RosterChangeAnswer> {
    if (this.#canRunNow()) return { outcome: 'done', contacts: await this.#deps.roster.setGroups(jid, groups) };
    return { outcome: 'queued', action: await this.#add({ kind: 'roster-groups', jid, groups }) };
  }

  async removeContact(jid: string): Promise<RosterChangeAnswer> {
    if (this.#canRunNow()) return { outcome: 'done', contacts: await this.#deps.roster.remove(jid) };
    return { outcome: 'queued', action: await this.#add({ kind: 'roster-remove', jid }) };
  }

  async cancel(id: string): Promise<QueuedActionView[]> {
    const account = this.#deps.session.state.account;
    if (!account) return [];
    const found = await this.#deps.store.remove(account, id);
    this.#ranStillListed.delete(id);
    if (!found) throw new KeyringError('not-found', 'That action already ran or was cancelled.');
    this.#changed();
    return this.list();
  }

  /** Runs pending actions in order; one run at a time. The core calls it each time the account is online. */
  drain(): Promise<void> {
    this.#draining ??= this.#run().finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  /**
   * Online, and nothing older waiting: a write asked for now must not overtake one asked for while
   * offline (a contact removed offline, then added again online, must end up added).
   */
  #canRunNow(): boolean {
    // What ran but is still in the vault's queue counts too: a new write then waits behind it, and the
    // run it starts takes that one off first (#run), so that no leftover is left to run after it.
    const account = this.#deps.session.state.account;
    return this.#deps.session.state.status === 'online' && (account === undefined || this.#deps.store.list(account).length === 0);
  }

  async #add(write: QueuedWrite): Promise<QueuedActionView> {
    const account = this.#deps.session.state.account;
    if (!account) throw new KeyringError('not-connected', 'Connect this account once, so the app knows where to write.');
    const record = { id: randomUUID(), ...write, requestedAt: new Date().toISOString() } as QueuedActionRecord;
    await this.#deps.store.append(account, record);
    this.#changed();
    // Online again while this was being saved (or older writes still running): run it in its turn.
    if (this.#deps.session.state.status === 'online') void this.drain();
    return { ...record };
  }

  /**
   * Why a leftover action is no longer wanted, or undefined if it still is. An action that ran and
   * stayed queued in an earlier run of the app (the vault could not take it off) runs again at the next
   * connection; a publish of a key that was deleted since is not run. (One of a key revoked since is
   * run, and refused by OwnKeys.publish in its own words: a revoked key is never published again.)
   */
  #unwanted(action: QueuedActionRecord): string | undefined {
    if (action.kind !== 'publish') return undefined;
    if (!this.#deps.ownKeys.has(action.fingerprint)) return 'the key was deleted since';
    return undefined;
  }

  /**
   * Runs one action; what the nodes it published to fell short of, read back (none for writes that
   * publish nothing), for queue:ran to tell as a direct write's answer would.
   */
  async #perform(action: QueuedActionRecord): Promise<NodeConfigDeviation[]> {
    switch (action.kind) {
      case 'publish':
        return (await this.#deps.ownKeys.publish(action.fingerprint, action.access, action.reconfigure ?? false)).deviations;
      case 'retract':
        try {
          await this.#deps.ownKeys.retract(action.fingerprint);
        } catch (error) {
          // Revoked meanwhile by another device of the account (own-revocations.ts): its item went with
          // the revocation, so what was asked is done.
          if (!(error instanceof KeyringError && error.code === 'not-found' && (await this.#deps.ownKeys.revokedHere(action.fingerprint)))) throw error;
        }
        return [];
      case 'revoke':
        // Revoked meanwhile by another device of the account: done, and its signed statement stays on
        // the node (a second one would only replace it).
        if (await this.#deps.ownKeys.revokedHere(action.fingerprint)) return [];
        return (await this.#deps.ownKeys.revoke(action.fingerprint, action.reason)).config?.deviations ?? [];
      case 'profile-publish': {
        const published = await this.#deps.profile.publish(action.profile, action.access, {
          reconfigure: action.reconfigure ?? false,
          ...(action.base ? { base: action.base } : {}),
        });
        return published.configs.flatMap((c) => c.deviations);
      }
      case 'roster-add':
        await this.#deps.roster.add({ jid: action.jid, groups: action.groups, ...(action.name ? { name: action.name } : {}) });
        return [];
      case 'roster-groups':
        await this.#deps.roster.setGroups(action.jid, action.groups);
        return [];
      case 'roster-remove':
        await this.#deps.roster.remove(action.jid);
        return [];
    }
  }

  async #run(): Promise<void> {
    for (;;) {
      const account = this.#deps.session.state.account;
      if (!account || this.#deps.session.state.status !== 'online') return;
      const next = this.#deps.store.list(account)[0];
      if (!next) return;
      // Whose action this is, and on which connection it runs: another account signed in meanwhile
      // (another window pressed Connect) stops it (own-keys.ts, session-mark.ts), and it is not that account's news.
      const mark = markNow(this.#deps.session);
      if (this.#ranStillListed.has(next.id)) {
        // Ran already in this process: only taken off now (the disk has room again), never run twice.
        if (!(await this.#takeOff(account, next))) return;
        this.#ranStillListed.delete(next.id);
        continue;
      }
      let outcome: { ok: true; skipped?: string; deviations?: NodeConfigDeviation[] } | { ok: false; error: IpcError };
      try {
        const unwanted = this.#unwanted(next);
        if (unwanted === undefined) {
          const deviations = await this.#perform(next);
          outcome = deviations.length > 0 ? { ok: true, deviations } : { ok: true };
        } else outcome = { ok: true, skipped: unwanted };
      } catch (error) {
        // Lost the connection midway: keep the action for the next time we are online.
        if (this.#deps.session.state.status !== 'online') return;
        // Another account signed in midway, or this one's stream replaced: kept for this account's next
        // connection, and the loop goes on with the queue of the account online now.
        if (!stillMarked(this.#deps.session, mark)) continue;
        outcome = { ok: false, error: toIpcError(error) };
        this.#deps.log.warn(`queued ${next.kind} failed: ${outcome.error.message}`);
      }
      const takenOff = await this.#takeOff(account, next);
      if (!takenOff) this.#ranStillListed.add(next.id);
      // Done for romeo while mercutio signed in: it is off romeo's queue, but mercutio's windows show
      // mercutio's Activity, and the event names no account. Over a reconnect of romeo's, it is his news.
      if (stillMarked(this.#deps.session, forWrite(mark))) this.#deps.events.emit('queue:ran', {
        action: { ...next },
        ...(outcome.ok
          ? { ok: true, ...(outcome.skipped ? { skipped: outcome.skipped } : {}), ...(outcome.deviations ? { deviations: outcome.deviations } : {}) }
          : { ok: false, error: outcome.error }),
        ...(takenOff ? {} : { stillListed: STILL_LISTED }),
      });
      this.#changed();
      // The run ends here, since the vault takes nothing now; the next connection goes on.
      if (!takenOff) return;
    }
  }

  /**
   * Takes an action that ran off the vault's queue; false if the vault cannot (a full disk). Never
   * throws: nobody awaits the run (core.ts starts it at sign-in), and a rejection nobody handles would
   * end the browser host's process.
   */
  async #takeOff(account: string, action: QueuedActionRecord): Promise<boolean> {
    try {
      await this.#deps.store.remove(account, action.id);
      return true;
    } catch (error) {
      this.#deps.log.warn(`queued ${action.kind} ran, but stays in the vault's queue: ${toIpcError(error).message}`);
      return false;
    }
  }

  /** Tells the screens what is pending now, after something other than the queue changed it (a key deleted). */
  announce(): void {
    this.#changed();
  }

  #changed(): void {
    this.#deps.events.emit('queue:changed', this.list());
  }
}
