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
import type { SessionPort } from './session-port.js';

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

  constructor(deps: PublishQueueDeps) {
    this.#deps = deps;
  }

  /** Pending actions of the account last connected. */
  list(): QueuedActionView[] {
    const account = this.#deps.session.state.account;
    if (!account) return [];
    return this.#deps.store.list(account).map((a) => ({ ...a }));
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

  /** Publishes the profile (vCard4 + nickname, XEP-0222) now when online, or once online. */
  async publishProfile(profile: Profile, access: AccessRequest, reconfigure: boolean): Promise<ProfilePublishAnswer> {
    if (this.#canRunNow()) return { outcome: 'published', configs: await this.#deps.profile.publish(profile, access, { reconfigure }) };
    return { outcome: 'queued', action: await this.#add({ kind: 'profile-publish', profile, access, ...(reconfigure ? { reconfigure } : {}) }) };
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
    return this.#deps.session.state.status === 'online' && this.list().length === 0;
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

  async #perform(action: QueuedActionRecord): Promise<void> {
    switch (action.kind) {
      case 'publish':
        await this.#deps.ownKeys.publish(action.fingerprint, action.access, action.reconfigure ?? false);
        return;
      case 'retract':
        try {
          await this.#deps.ownKeys.retract(action.fingerprint);
        } catch (error) {
          // Revoked meanwhile by another device of the account (own-revocations.ts): its item went with
          // the revocation, so what was asked is done.
          if (!(error instanceof KeyringError && error.code === 'not-found' && (await this.#deps.ownKeys.revokedHere(action.fingerprint)))) throw error;
        }
        return;
      case 'revoke':
        // Revoked meanwhile by another device of the account: done, and its signed statement stays on
        // the node (a second one would only replace it).
        if (await this.#deps.ownKeys.revokedHere(action.fingerprint)) return;
        await this.#deps.ownKeys.revoke(action.fingerprint, action.reason);
        return;
      case 'profile-publish':
        await this.#deps.profile.publish(action.profile, action.access, { reconfigure: action.reconfigure ?? false });
        return;
      case 'roster-add':
        await this.#deps.roster.add({ jid: action.jid, groups: action.groups, ...(action.name ? { name: action.name } : {}) });
        return;
      case 'roster-groups':
        await this.#deps.roster.setGroups(action.jid, action.groups);
        return;
      case 'roster-remove':
        await this.#deps.roster.remove(action.jid);
        return;
    }
  }

  async #run(): Promise<void> {
    for (;;) {
      const account = this.#deps.session.state.account;
      if (!account || this.#deps.session.state.status !== 'online') return;
      const next = this.#deps.store.list(account)[0];
      if (!next) return;
      let outcome: { ok: true } | { ok: false; error: IpcError };
      try {
        await this.#perform(next);
        outcome = { ok: true };
      } catch (error) {
        // Lost the connection midway: keep the action for the next time we are online.
        if (this.#deps.session.state.status !== 'online') return;
        outcome = { ok: false, error: toIpcError(error) };
        this.#deps.log.warn(`queued ${next.kind} failed: ${outcome.error.message}`);
      }
      try {
        await this.#deps.store.remove(account, next.id);
      } catch (error) {
        // It ran, but the vault cannot take it off the queue (a full disk): it stays, and runs again
        // at the next connection (a publish, a withdrawal or a roster change is the same done twice).
        // The run ends here, since it would only take the same action again; nobody awaits it (core.ts
        // starts it at sign-in), and a rejection nobody handles would end the browser host's process.
        this.#deps.log.warn(`queued ${next.kind} ran, but stays queued: ${toIpcError(error).message}`);
        return;
      }
      this.#deps.events.emit('queue:ran', { action: { ...next }, ...(outcome.ok ? { ok: true } : { ok: false, error: outcome.error }) });
      this.#changed();
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
