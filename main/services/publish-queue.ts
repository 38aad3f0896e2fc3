/**
 * Publishing and retracting own keys, now or later: online, the action runs at once; offline (or while
 * reconnecting) it is kept in the vault (main/vault/stores/queue-store.ts, so it survives a restart),
 * shown as pending, and run in order as soon as the account is online again. The core decides, so every
 * front end gets the same answer. Nothing asked for offline is silently dropped: each action ends as
 * done, failed (with the reason) or cancelled by the user.
 */
import { randomUUID } from 'node:crypto';
import type { AccessRequest, EffectiveNodeConfig, IpcError, QueuedActionView } from '../../contract/index.js';
import type { AppEvents } from '../events.js';
import { KeyringError, toIpcError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { QueuedActionRecord } from '../vault/schema.js';
import type { QueueStore } from '../vault/stores/queue-store.js';
import type { OwnKeys } from './own-keys.js';
import type { SessionPort } from './session-port.js';

export interface PublishQueueDeps {
  store: QueueStore;
  ownKeys: OwnKeys;
  session: SessionPort;
  events: AppEvents;
  log: Logger;
}

export class PublishQueue {
  readonly #store: QueueStore;
  readonly #keys: OwnKeys;
  readonly #session: SessionPort;
  readonly #events: AppEvents;
  readonly #log: Logger;
  #draining: Promise<void> | undefined;

  constructor(deps: PublishQueueDeps) {
    this.#store = deps.store;
    this.#keys = deps.ownKeys;
    this.#session = deps.session;
    this.#events = deps.events;
    this.#log = deps.log;
  }

  /** Pending actions of the account last connected. */
  list(): QueuedActionView[] {
    const account = this.#session.state.account;
    if (!account) return [];
    return this.#store.list(account).map((a) => ({ ...a }));
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

  async cancel(id: string): Promise<QueuedActionView[]> {
    const account = this.#session.state.account;
    if (!account) return [];
    const found = await this.#store.remove(account, id);
    if (!found) throw new KeyringError('not-found', 'That action already ran or was cancelled.');
    this.#changed();
    return this.list();
  }

  /** Runs pending actions in order; one run at a time. The core calls it each time the account is online. */
  drain(): Promise<void> {
    this.#draining ??= this.#run().finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  async #add(action: Pick<QueuedActionRecord, 'kind' | 'fingerprint' | 'access' | 'reconfigure'>): Promise<QueuedActionView> {
    const account = this.#session.state.account;
    if (!account) throw new KeyringError('not-connected', 'Connect this account once, so the app knows where to publish.');
    if (!this.#keys.has(action.fingerprint)) {
      throw new KeyringError('not-found', `No key ${action.fingerprint} for ${account}.`, 'fingerprint');
    }
    const record: QueuedActionRecord = { id: randomUUID(), ...action, requestedAt: new Date().toISOString() };
    await this.#store.append(account, record);
    this.#changed();
    // Online again while this was being saved: run it now.
    if (this.#session.state.status === 'online') void this.drain();
    return { ...record };
  }

  async #run(): Promise<void> {
    for (;;) {
      const account = this.#session.state.account;
      if (!account || this.#session.state.status !== 'online') return;
      const next = this.#store.list(account)[0];
      if (!next) return;
      let outcome: { ok: true } | { ok: false; error: IpcError };
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
      await this.#store.remove(account, next.id);
      this.#events.emit('queue:ran', { action: { ...next }, ...(outcome.ok ? { ok: true } : { ok: false, error: outcome.error }) });
      this.#changed();
    }
  }

  /** Tells the screens what is pending now, after something other than the queue changed it (a key deleted). */
  announce(): void {
    this.#changed();
  }

  #changed(): void {
    this.#events.emit('queue:changed', this.list());
  }
}
