import type { AccessRequest, EffectiveNodeConfig, KeyringApi, OwnKeyView, PublishAnswer, QueuedActionView } from '../../../contract';
import type { ActivityLog } from './activity.svelte';
import { fileToBase64 } from './base64';
import { describeAccess } from './format';
import { queuedWriteName, queuedWriteSubject } from './queued-action';
import { Task } from './task.svelte';

/** The user's own keys: list, generate, publish, retract, export. Private keys never come here. */
export class KeysStore {
  keys = $state<OwnKeyView[]>([]);
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
  otherDevice = $state<{ fingerprint: string; change: 'added' | 'withdrawn'; at: string }[]>([]);
  readonly #api: KeyringApi;
  readonly #activity: ActivityLog;

  constructor(api: KeyringApi, activity: ActivityLog) {
    this.#api = api;
    this.#activity = activity;
  }

  /** Follows the offline queue; returns the unsubscribe. */
  start(): () => void {
    const offChanged = this.#api.on('queue:changed', (pending) => (this.pending = pending));
    const offRan = this.#api.on('queue:ran', (outcome) => {
      const what = queuedWriteName(outcome.action);
      this.#activity.add(
        outcome.ok ? (outcome.action.kind === 'retract' || outcome.action.kind === 'roster-remove' ? 'retracted' : 'published') : 'changed',
        outcome.ok ? `${what} done` : `${what} failed: ${outcome.error?.message ?? 'unknown error'}`,
        queuedWriteSubject(outcome.action),
      );
      void this.refresh();
    });
    const offOtherDevice = this.#api.on('keys:otherDevice', ({ added, withdrawn, at }) => {
      const news = [...added.map((fingerprint) => ({ fingerprint, change: 'added' as const, at })), ...withdrawn.map((fingerprint) => ({ fingerprint, change: 'withdrawn' as const, at }))];
      this.otherDevice = [...news, ...this.otherDevice.filter((o) => !news.some((n) => n.fingerprint === o.fingerprint))].slice(0, 32);
      for (const n of news) {
        this.#activity.add('received', n.change === 'added' ? 'Key added to your account from another device' : 'Key withdrawn from your account by another device', n.fingerprint);
      }
    });
    void this.#api.queue.list().then((r) => r.ok && (this.pending = r.value));
    return () => {
      offChanged();
      offRan();
      offOtherDevice();
    };
  }

  async cancel(id: string): Promise<void> {
    const pending = await this.cancelling.run(() => this.#api.queue.cancel({ id }));
    if (pending) this.pending = pending;
  }

  async refresh(): Promise<void> {
    const keys = await this.loading.run(() => this.#api.keys.list());
    if (keys) this.keys = keys;
  }

  async generate(bits: 2048 | 3072 | 4096, validityDays: number): Promise<OwnKeyView | undefined> {
    const key = await this.generating.run(() => this.#api.keys.generate({ bits, validityDays }));
    if (key) {
      this.keys = [...this.keys, key];
      this.#activity.add('generated', `New ${bits}-bit key`, key.fingerprint);
    }
    return key;
  }

  /** Imports PEM files (key + certificate) or one PKCS#12; the bytes go to main, which keeps the key. */
  async import(files: readonly File[], password: string): Promise<boolean> {
    const encoded = await Promise.all(files.map(fileToBase64));
    const key = await this.importing.run(() =>
      this.#api.keys.import({ files: encoded, ...(password ? { password } : {}) }),
    );
    if (key) {
      this.keys = [...this.keys, key];
      this.#activity.add('generated', 'Imported a key', key.fingerprint);
    }
    return key !== undefined;
  }

  /**
   * Publishes now when online; offline, main keeps it for when the account is online again (it
   * survives a restart). Either way the answer carries the key list as it now stands.
   */
  async publish(fingerprint: string, access: AccessRequest, reconfigure: boolean): Promise<PublishAnswer | undefined> {
    // The last publish's "Published." must not sit next to this one's error.
    const { [fingerprint]: _stale, ...others } = this.published;
    this.published = others;
    const answer = await this.publishing.run(() => this.#api.keys.publish({ fingerprint, access, ...(reconfigure ? { reconfigure } : {}) }));
    if (!answer) return undefined;
    this.keys = answer.keys;
    if (answer.outcome === 'published') {
      this.published = { ...this.published, [fingerprint]: answer.config };
      // The audience as the server read it back, not as asked.
      const audience = describeAccess(answer.config.accessModel, answer.config.rosterGroupsAllowed, answer.config.whitelist);
      this.#activity.add('published', 'Published your key', { fingerprint, audience });
    } else {
      this.#activity.add('published', 'Waiting for the connection to publish', {
        fingerprint,
        audience: describeAccess(access.model, access.groups, access.allow),
      });
    }
    return answer;
  }

  async retract(fingerprint: string): Promise<void> {
    const answer = await this.retracting.run(() => this.#api.keys.retract({ fingerprint }));
    if (!answer) return;
    this.keys = answer.keys;
    this.#activity.add('retracted', answer.outcome === 'retracted' ? 'Removed from your node' : 'Waiting for the connection to retract', fingerprint);
  }

  async exportPem(fingerprint: string): Promise<string | undefined> {
    const exported = await this.exporting.run(() => this.#api.keys.exportCertificate({ fingerprint, format: 'pem' }));
    return exported?.pem;
  }
}
