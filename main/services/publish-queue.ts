/**
 * Publishing and retracting own keys, now or later: online, the action runs at once; offline (or while
 * reconnecting) it is kept in the vault (so it survives a restart), shown as pending, and run in order
 * as soon as the account is online again. The core decides, so every front end gets the same answer.
 * Nothing asked for offline is silently dropped: each action ends as done, failed (with the reason) or
 * cancelled by the user.
 */
import { randomUUID } from 'node:crypto';
import type { AccessRequest, EffectiveNodeConfig, QueuedActionView } from '../../contract/index.js';
import type { AppEvents } from '../events.js';
import { KeyringError, toIpcError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { QueuedActionRecord } from '../vault/schema.js';
import type { AccountSession } from '../xmpp/session.js';
import type { OwnKeys } from './own-keys.js';
import { VaultHolder } from './vault-holder.js';

export class PublishQueue {
  readonly #vaults: VaultHolder;
  readonly #session: AccountSession;
  readonly #keys: OwnKeys;
  readonly #events: AppEvents;
  readonly #log: Logger;
  #draining: Promise<void> | undefined;

  constructor(deps: { vaults: VaultHolder; session: AccountSession; ownKeys: OwnKeys; events: AppEvents; log: Logger }) {
    this.#vaults = deps.vaults;
    this.#session = deps.session;
    this.#keys = deps.ownKeys;
    this.#events = deps.events;
    this.#log = deps.log;
    this.#session.events.on('online', () => void this.drain());
  }

  /** Pending actions of the account last connected. */
  list(): QueuedActionView[] {
    const account = this.#session.state.account;
    if (!account || !this.#vaults.isOpen) return [];
    return (this.#vaults.vault.account(account)?.queue ?? []).map((a) => ({ ...a }));
  }

  /** XEP-0222 publish of an own key now when online, or once online. */
  async publish(
    fingerprint: string,
    access: AccessRequest,
    reconfigure: boolean,
  ): Promise<{ outcome: 'published'; config: EffectiveNodeConfig } | { outcome: 'queued'; action: QueuedActionView }> {
    if (this.#session.state.status === 'online') return { outcome: 'published', config: await this.#keys.publish(fingerprint, access, reconfigure) };
    return { outcome: 'queued', action: await this.#add({ kind: 'publish', fingerprint, access, ...(reconfigure ? { reconfigure } : {}) }) };
  }

  /** Retracts an own key from its node now when online, or once online. */
  async retract(fingerprint: string): Promise<{ outcome: 'retracted' } | { outcome: 'queued'; action: QueuedActionView }> {
    if (this.#session.state.status === 'online') {
      await this.#keys.retract(fingerprint);
      return { outcome: 'retracted' };
    }
    return { outcome: 'queued', action: await this.#add({ kind: 'retract', fingerprint }) };
  }

  async #add(action: { kind: 'publish' | 'retract'; fingerprint: string; access?: AccessRequest; reconfigure?: boolean }): Promise<QueuedActionView> {
    const account = this.#session.state.account;
    if (!account) throw new KeyringError('not-connected', 'Connect this account once, so the app knows where to publish.');
    if (!this.#vaults.vault.account(account)?.ownKeys.some((k) => k.fingerprint === action.fingerprint)) {
      throw new KeyringError('not-found', `No key ${action.fingerprint} for ${account}.`, 'fingerprint');
    }
    const record: QueuedActionRecord = {
      id: randomUUID(),
      kind: action.kind,
      fingerprint: action.fingerprint,
      ...(action.access ? { access: action.access } : {}),
      ...(action.reconfigure ? { reconfigure: true } : {}),
      requestedAt: new Date().toISOString(),
    };
    await this.#vaults.vault.update((draft) => {
      const target = VaultHolder.accountIn(draft, account);
      target.queue = [...(target.queue ?? []), record];
    });
    this.#changed();
    // Online again while this was being saved: run it now.
    if (this.#session.state.status === 'online') void this.drain();
    return { ...record };
  }

  async cancel(id: string): Promise<QueuedActionView[]> {
    const account = this.#session.state.account;
    if (!account) return [];
    const found = await this.#remove(account, id);
    if (!found) throw new KeyringError('not-found', 'That action already ran or was cancelled.');
    this.#changed();
    return this.list();
  }

  /** Runs pending actions in order; one run at a time. */
  drain(): Promise<void> {
    this.#draining ??= this.#run().finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  async #run(): Promise<void> {
    for (;;) {
      const account = this.#session.state.account;
      if (!account || !this.#vaults.isOpen || this.#session.state.status !== 'online') return;
      const next = this.#vaults.vault.account(account)?.queue?.[0];
      if (!next) return;
      let outcome: { ok: true } | { ok: false; error: ReturnType<typeof toIpcError> };
      try {
        if (next.kind === 'publish' && next.access) await this.#keys.publish(next.fingerprint, next.access, next.reconfigure ?? false);
        else await this.#keys.retract(next.fingerprint);
        outcome = { ok: true };
      } catch (error) {
        // Lost the connection midway: keep the action for the next time we are online.
        if (this.#session.state.status !== 'online') return;
        outcome = { ok: false, error: toIpcError(error) };
        this.#log.warn(`queued ${next.kind} of ${next.fingerprint} failed: ${outcome.error.message}`);
      }
      await this.#remove(account, next.id);
      this.#events.emit('queue:ran', { action: { ...next }, ...(outcome.ok ? { ok: true } : { ok: false, error: outcome.error }) });
      this.#changed();
    }
  }

  async #remove(account: string, id: string): Promise<boolean> {
    return this.#vaults.vault.update((draft) => {
      const target = VaultHolder.accountIn(draft, account);
      const before = target.queue?.length ?? 0;
      target.queue = (target.queue ?? []).filter((a) => a.id !== id);
      return target.queue.length < before;
    });
  }

  #changed(): void {
    this.#events.emit('queue:changed', this.list());
  }
}
