import type { AccessRequest, EffectiveNodeConfig, KeyringApi, OwnKeyView } from '../../../preload/contract';
import type { ActivityLog } from './activity.svelte';
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
  readonly #api: KeyringApi;
  readonly #activity: ActivityLog;

  constructor(api: KeyringApi, activity: ActivityLog) {
    this.#api = api;
    this.#activity = activity;
  }

  async refresh(): Promise<void> {
    const keys = await this.loading.run(() => this.#api.request('keys:list'));
    if (keys) this.keys = keys;
  }

  async generate(bits: 2048 | 3072 | 4096, validityDays: number): Promise<OwnKeyView | undefined> {
    const key = await this.generating.run(() => this.#api.request('keys:generate', { bits, validityDays }));
    if (key) {
      this.keys = [...this.keys, key];
      this.#activity.add('generated', `New ${bits}-bit key`, key.fingerprint);
    }
    return key;
  }

  async publish(fingerprint: string, access: AccessRequest, reconfigure: boolean): Promise<EffectiveNodeConfig | undefined> {
    const config = await this.publishing.run(() =>
      this.#api.request('keys:publish', { fingerprint, access, ...(reconfigure ? { reconfigure } : {}) }),
    );
    if (config) {
      this.published = { ...this.published, [fingerprint]: config };
      this.#activity.add('published', `Published with access: ${config.accessModel}`, fingerprint);
      await this.refresh();
    }
    return config;
  }

  async retract(fingerprint: string): Promise<void> {
    const keys = await this.retracting.run(() => this.#api.request('keys:retract', { fingerprint }));
    if (keys) {
      this.keys = keys;
      this.#activity.add('retracted', 'Removed from your node', fingerprint);
    }
  }

  async exportPem(fingerprint: string): Promise<string | undefined> {
    const exported = await this.exporting.run(() => this.#api.request('keys:exportCertificate', { fingerprint, format: 'pem' }));
    return exported?.pem;
  }
}
