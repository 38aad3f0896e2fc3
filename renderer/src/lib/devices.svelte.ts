import type { KeyringApi, OtherKeyProtocol, OtherKeysView, OtherKeyView } from '../../../contract';
import { getApi } from './bridge';
import { Task } from './task.svelte';

/**
 * Other apps' keys (OMEMO devices, OpenPGP keys): contacts' as last read or notified, and the user's own.
 * One store for the window, made on first use (devicesStore), so the contact view and My keys share it
 * without the screens that hold them passing it along.
 */
export class DevicesStore {
  contacts = $state<Record<string, OtherKeysView>>({});
  own = $state<OtherKeysView | undefined>();
  readonly fetching = new Task();
  readonly loadingOwn = new Task();
  readonly removing = new Task();
  readonly #api: KeyringApi;

  constructor(api: KeyringApi) {
    this.#api = api;
    // Background readings (sign-in) and notifications.
    api.on('devices:contact', (view) => {
      this.contacts = { ...this.contacts, [view.jid]: view };
      if (this.own && view.jid === this.own.jid) this.own = view;
    });
  }

  async fetch(jid: string): Promise<void> {
    const view = await this.fetching.run(() => this.#api.devices.fetchContact({ jid }));
    if (view) this.contacts = { ...this.contacts, [jid]: view };
  }

  async loadOwn(): Promise<void> {
    const view = await this.loadingOwn.run(() => this.#api.devices.own());
    if (view) this.own = view;
  }

  async removeOwn(protocol: 'omemo' | 'omemo2', deviceId: number): Promise<boolean> {
    const view = await this.removing.run(() => this.#api.devices.removeOwn({ protocol, deviceId }));
    if (view) this.own = view;
    return view !== undefined;
  }
}

let shared: Promise<DevicesStore> | undefined;

export function devicesStore(): Promise<DevicesStore> {
  shared ??= getApi().then((api) => new DevicesStore(api));
  return shared;
}

export const PROTOCOL_TEXT: Record<OtherKeyProtocol, string> = { omemo: 'OMEMO', omemo2: 'OMEMO 2', openpgp: 'OpenPGP' };

/** What a person calls the key: "OMEMO device 1717 “Laptop”", "OpenPGP key". */
export function otherKeyName(k: OtherKeyView): string {
  if (k.deviceId === undefined) return `${PROTOCOL_TEXT[k.protocol]} key`;
  return `${PROTOCOL_TEXT[k.protocol]} device ${k.deviceId}${k.label ? ` “${k.label}”` : ''}`;
}

export const STATE_TEXT: Record<OtherKeyView['state'], string> = { known: 'Seen before', new: 'New', changed: 'Changed', removed: 'Removed' };
