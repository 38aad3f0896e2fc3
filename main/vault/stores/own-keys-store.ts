/**
 * The user's own keys in the vault: the certificate in the clear (it is public), the private key only
 * sealed with the vault key (PKCS#8 DER, bound to its fingerprint), and where each key is published.
 */
import type { KeyObject } from 'node:crypto';
import type { OwnKeyRecord, PublicationRecord } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn } from './account-record.js';

const privateKeyPurpose = (fingerprint: string) => `private-key:${fingerprint}`;

export interface NewOwnKey {
  fingerprint: string;
  certificateDer: Buffer;
  /** Sealed before it is stored; never logged. */
  privateKey: KeyObject;
}

export class OwnKeysStore {
  readonly #vaults: VaultHolder;

  constructor(vaults: VaultHolder) {
    this.#vaults = vaults;
  }

  /** The account's keys, in the order they were made or imported. */
  list(account: string): readonly OwnKeyRecord[] {
    return this.#vaults.vault.account(account)?.ownKeys ?? [];
  }

  find(account: string, fingerprint: string): OwnKeyRecord | undefined {
    return this.list(account).find((k) => k.fingerprint === fingerprint);
  }

  async add(account: string, key: NewOwnKey): Promise<OwnKeyRecord> {
    const vault = this.#vaults.vault;
    const record: OwnKeyRecord = {
      fingerprint: key.fingerprint,
      certificate: key.certificateDer.toString('base64'),
      createdAt: new Date().toISOString(),
      privateKey: vault.seal(key.privateKey.export({ type: 'pkcs8', format: 'der' }), privateKeyPurpose(key.fingerprint)),
      publications: [],
    };
    await vault.update((draft) => {
      accountIn(draft, account).ownKeys.push(record);
    });
    return record;
  }

  /** Records that the key is published on `node` (replacing what was recorded there), or no longer is. */
  async setPublication(account: string, fingerprint: string, node: string, publication: Omit<PublicationRecord, 'node'> | undefined): Promise<void> {
    await this.#vaults.vault.update((draft) => {
      const record = accountIn(draft, account).ownKeys.find((k) => k.fingerprint === fingerprint);
      if (!record) return;
      const others = record.publications.filter((p) => p.node !== node);
      record.publications = publication ? [...others, { node, ...publication }] : others;
    });
  }
}
