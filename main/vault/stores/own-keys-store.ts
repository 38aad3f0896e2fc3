/**
 * The user's own keys in the vault: the certificate in the clear (it is public), the private key only
 * sealed with the vault key (PKCS#8 DER, bound to its fingerprint), and where each key is published.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { RevocationStatement } from '../../keys/revocation.js';
import type { SuccessionStatement } from '../../keys/succession.js';
import type { OwnKeyRecord, PublicationRecord, VaultDocument } from '../schema.js';
import type { VaultHolder } from '../vault-holder.js';
import { accountIn } from './account-record.js';

const privateKeyPurpose = (fingerprint: string) => `private-key:${fingerprint}`;

export interface NewOwnKey {
  fingerprint: string;
  certificateDer: Buffer;
  /** Sealed before it is stored; never logged. */
  privateKey: KeyObject;
  label?: string;
  /** Signed by the key this one replaces (renewal, rotation). */
  succession?: SuccessionStatement;
  /** Prepared when the key was made (revocation.ts prepareRevocations). */
  revocations?: RevocationStatement[];
  /** When the key was made; now unless restored from a backup. */
  createdAt?: string;
  /** Taken in from a file, not made here (schema.ts). */
  imported?: true;
}

export interface OwnKeysStoreOptions {
  /**
   * Told after every write of an account's keys is on disk, whichever service made it: the core turns
   * it into the `keys:changed` event, so every window shows the list as it now stands (one place, so no
   * path that changes a key can forget to say so).
   */
  changed?: (account: string) => void;
}

export class OwnKeysStore {
  readonly #vaults: VaultHolder;
  readonly #changed: (account: string) => void;

  constructor(vaults: VaultHolder, options: OwnKeysStoreOptions = {}) {
    this.#vaults = vaults;
    this.#changed = options.changed ?? (() => undefined);
  }

  /** Runs a write of `account`'s keys, then says they changed (a write that threw changed nothing). */
  async #write<T>(account: string, change: (draft: VaultDocument) => T): Promise<T> {
    const result = await this.#vaults.vault.update(change);
    this.#changed(account);
    return result;
  }

  /** The account's keys, in the order they were made or imported. */
  list(account: string): readonly OwnKeyRecord[] {
    return this.#vaults.vault.account(account)?.ownKeys ?? [];
  }

  find(account: string, fingerprint: string): OwnKeyRecord | undefined {
    return this.list(account).find((k) => k.fingerprint === fingerprint);
  }

  async add(account: string, key: NewOwnKey): Promise<OwnKeyRecord> {
    const record = this.sealed(key);
    await this.#write(account, (draft) => {
      accountIn(draft, account).ownKeys.push(record);
    });
    return record;
  }

  /**
   * The record a new key is stored as, its private half sealed, without storing it: a restore
   * (backups-store.ts) writes several in one go.
   */
  sealed(key: NewOwnKey): OwnKeyRecord {
    return {
      fingerprint: key.fingerprint,
      certificate: key.certificateDer.toString('base64'),
      createdAt: key.createdAt ?? new Date().toISOString(),
      ...(key.label ? { label: key.label } : {}),
      ...(key.imported ? { imported: true as const } : {}),
      privateKey: this.#vaults.vault.seal(key.privateKey.export({ type: 'pkcs8', format: 'der' }), privateKeyPurpose(key.fingerprint)),
      publications: [],
      ...(key.succession ? { succession: key.succession } : {}),
      ...(key.revocations && key.revocations.length > 0 ? { revocations: key.revocations } : {}),
    };
  }

  /** The key's private half, opened from the vault for signing here in main; never logged, never sent. */
  privateKey(account: string, fingerprint: string): KeyObject | undefined {
    const record = this.find(account, fingerprint);
    if (!record) return undefined;
    const der = this.#vaults.vault.open(record.privateKey, privateKeyPurpose(fingerprint));
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  }

  /** Keeps the revocation statements prepared for a key made before they were (one per reason). */
  async setPreparedRevocations(account: string, fingerprint: string, revocations: RevocationStatement[]): Promise<void> {
    await this.#write(account, (draft) => {
      const record = accountIn(draft, account).ownKeys.find((k) => k.fingerprint === fingerprint);
      if (record && !record.revocations) record.revocations = revocations;
    });
  }

  /** The key was revoked with this statement: it is no longer published anywhere, and never will be again. */
  async setRevoked(account: string, fingerprint: string, statement: RevocationStatement): Promise<void> {
    await this.#write(account, (draft) => {
      const record = accountIn(draft, account).ownKeys.find((k) => k.fingerprint === fingerprint);
      if (!record) return;
      record.revoked = statement;
      record.publications = [];
    });
  }

  /** Whether the key's revocation is still to go out (schema.ts `revocationOwed`). */
  async setRevocationOwed(account: string, fingerprint: string, owed: boolean): Promise<void> {
    await this.#write(account, (draft) => {
      const record = accountIn(draft, account).ownKeys.find((k) => k.fingerprint === fingerprint);
      if (!record || (record.revocationOwed === true) === owed) return;
      if (owed) record.revocationOwed = true;
      else delete record.revocationOwed;
    });
  }

  /** Names the key, or (empty) takes its name away. */
  async setLabel(account: string, fingerprint: string, label: string): Promise<void> {
    await this.#write(account, (draft) => {
      const record = accountIn(draft, account).ownKeys.find((k) => k.fingerprint === fingerprint);
      if (!record) return;
      if (label) record.label = label;
      else delete record.label;
    });
  }

  /**
   * Erases the key, private half included, and in the same write any publish or retract of it still
   * waiting for the connection (it would fail on a key that is gone). Answers whether it was there.
   */
  remove(account: string, fingerprint: string): Promise<boolean> {
    return this.#write(account, (draft) => {
      const owner = accountIn(draft, account);
      const before = owner.ownKeys.length;
      owner.ownKeys = owner.ownKeys.filter((k) => k.fingerprint !== fingerprint);
      if (owner.queue) owner.queue = owner.queue.filter((a) => !('fingerprint' in a) || a.fingerprint !== fingerprint);
      return owner.ownKeys.length !== before;
    });
  }

  /**
   * The node's audience changed (one configuration for every item on it): every key recorded as
   * published there is now readable by the new audience. Each keeps its own publishedAt.
   */
  async setAudience(account: string, node: string, audience: Pick<PublicationRecord, 'accessModel' | 'groups' | 'allow'>): Promise<void> {
    await this.#write(account, (draft) => {
      for (const record of accountIn(draft, account).ownKeys) {
        record.publications = record.publications.map((p) =>
          p.node === node
            ? {
                node,
                accessModel: audience.accessModel,
                ...(audience.groups ? { groups: [...audience.groups] } : {}),
                ...(audience.allow ? { allow: [...audience.allow] } : {}),
                publishedAt: p.publishedAt,
              }
            : p,
        );
      }
    });
  }

  /**
   * Accept on `node` (drift watch): the keys recorded as published there that the node still holds
   * (`kept`) now have the node's audience, each keeping its publishedAt, and the others are no longer
   * recorded there. One write for every key, so a full disk records all of them or none. Answers how
   * many keys it recorded a change for; none recorded as published there: nothing is written.
   */
  async acceptAudience(
    account: string,
    node: string,
    audience: Pick<PublicationRecord, 'accessModel' | 'groups' | 'allow'>,
    kept: ReadonlySet<string>,
  ): Promise<number> {
    if (!this.list(account).some((k) => k.publications.some((p) => p.node === node))) return 0;
    return this.#write(account, (draft) => {
      let changed = 0;
      for (const record of accountIn(draft, account).ownKeys) {
        const publication = record.publications.find((p) => p.node === node);
        if (!publication) continue;
        const others = record.publications.filter((p) => p.node !== node);
        record.publications = kept.has(record.fingerprint)
          ? [
              ...others,
              {
                node,
                accessModel: audience.accessModel,
                ...(audience.groups ? { groups: [...audience.groups] } : {}),
                ...(audience.allow ? { allow: [...audience.allow] } : {}),
                publishedAt: publication.publishedAt,
              },
            ]
          : others;
        changed++;
      }
      return changed;
    });
  }

  /** Records that the key is published on `node` (replacing what was recorded there), or no longer is. */
  async setPublication(account: string, fingerprint: string, node: string, publication: Omit<PublicationRecord, 'node'> | undefined): Promise<void> {
    await this.#write(account, (draft) => {
      const record = accountIn(draft, account).ownKeys.find((k) => k.fingerprint === fingerprint);
      if (!record) return;
      const others = record.publications.filter((p) => p.node !== node);
      record.publications = publication ? [...others, { node, ...publication }] : others;
    });
  }
}
