/**
 * The user's own keys: made here (RSA + self-signed certificate binding the bare JID), kept in the vault
 * with the private key sealed, published to the account's PEP node the XEP-0222 way. The private key
 * never leaves this module's callers in main; what goes out is public data and fingerprints.
 */
import { createPrivateKey } from 'node:crypto';
import type { AccessRequest, EffectiveNodeConfig, OwnKeyView } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import { createSelfSignedCertificate, DEFAULT_VALIDITY_DAYS } from '../keys/certificate.js';
import { exportCertificatePem } from '../keys/export-key.js';
import { certificateFingerprint } from '../keys/fingerprint.js';
import { generateRsaKeyPair, type RsaKeySize } from '../keys/generate.js';
import { importKeyFiles } from '../keys/import-key.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { checkPublishedCertificate } from '../keys/validate.js';
import type { OwnKeyRecord } from '../vault/schema.js';
import { NS } from '../xmpp/namespaces.js';
import { publishPersistent, retractItem } from '../xmpp/persistent-node.js';
import { pubkeyPayload } from '../xmpp/pubkey-items.js';
import type { AccountSession } from '../xmpp/session.js';
import { VaultHolder } from './vault-holder.js';

/** What the renderer and CLI see of an own key: public data only. */
export type OwnKeySummary = OwnKeyView;

/** Keys can coexist on the node (XEP-0222 §4); Prosody's default of 1 would overwrite older ones. */
export const KEY_NODE_MAX_ITEMS = 32;
const privateKeyPurpose = (fingerprint: string) => `private-key:${fingerprint}`;

export class OwnKeys {
  readonly #vaults: VaultHolder;
  readonly #session: AccountSession;

  constructor(vaults: VaultHolder, session: AccountSession) {
    this.#vaults = vaults;
    this.#session = session;
  }

  /** Makes a key pair and certificate for the connected account and stores them. */
  async generate(options: { bits: RsaKeySize; validityDays?: number }): Promise<OwnKeySummary> {
    const vault = this.#vaults.vault;
    const jid = this.#session.bareJid;
    const { privateKey } = await generateRsaKeyPair(options.bits);
    const der = await createSelfSignedCertificate({
      bareJid: jid,
      privateKey, // never logged
      validityDays: options.validityDays ?? DEFAULT_VALIDITY_DAYS,
    });
    const fingerprint = certificateFingerprint(der);
    const record: OwnKeyRecord = {
      fingerprint,
      certificate: der.toString('base64'),
      createdAt: new Date().toISOString(),
      // PKCS#8 DER sealed with the vault key: the only form in which a private key is stored.
      privateKey: vault.seal(privateKey.export({ type: 'pkcs8', format: 'der' }), privateKeyPurpose(fingerprint)),
      publications: [],
    };
    await vault.update((draft) => {
      VaultHolder.accountIn(draft, jid).ownKeys.push(record);
    });
    return summarize(record, jid);
  }

  /**
   * Takes an existing key and certificate (PEM files or one PKCS#12) into the vault. The certificate
   * must name this account, or contacts would see it as bound to someone else (jid-mismatch).
   */
  async import(files: readonly Uint8Array[], password?: string): Promise<OwnKeySummary> {
    const vault = this.#vaults.vault;
    const jid = this.#session.bareJid;
    const identity = await importKeyFiles(files, password); // holds the private key: never logged
    if (!identity.jid || bareJidKey(identity.jid) !== bareJidKey(jid)) {
      throw new KeyringError(
        'invalid-argument',
        `This certificate is for ${identity.jid ?? 'no XMPP address'}, not for ${jid}; contacts would not accept it as yours.`,
        'files',
      );
    }
    if (vault.account(jid)?.ownKeys.some((k) => k.fingerprint === identity.fingerprint)) {
      throw new KeyringError('invalid-argument', 'This key is already in your keyring.', 'files');
    }
    const record: OwnKeyRecord = {
      fingerprint: identity.fingerprint,
      certificate: identity.certificateDer.toString('base64'),
      createdAt: new Date().toISOString(),
      privateKey: vault.seal(identity.privateKey.export({ type: 'pkcs8', format: 'der' }), privateKeyPurpose(identity.fingerprint)),
      publications: [],
    };
    await vault.update((draft) => {
      VaultHolder.accountIn(draft, jid).ownKeys.push(record);
    });
    return summarize(record, jid);
  }

  list(): OwnKeySummary[] {
    const jid = this.#session.state.account;
    if (!jid) return [];
    return (this.#vaults.vault.account(jid)?.ownKeys ?? []).map((k) => summarize(k, jid));
  }

  /** XEP-0222 publish of the certificate, item id = its fingerprint; returns the node config read back. */
  async publish(fingerprint: string, access: AccessRequest, reconfigure = false): Promise<EffectiveNodeConfig> {
    const jid = this.#session.bareJid;
    const key = this.#find(jid, fingerprint);
    await this.#session.requireXep0222Support();
    const client = this.#session.client;
    const outcome = await publishPersistent(
      { iq: client.iqCaller, owner: jid },
      { node: NS.pubkey, access, maxItems: KEY_NODE_MAX_ITEMS, reconfigure },
      { id: key.fingerprint, payload: pubkeyPayload(Buffer.from(key.certificate, 'base64')) },
    );
    const publishedAt = new Date().toISOString();
    await this.#vaults.vault.update((draft) => {
      const record = VaultHolder.accountIn(draft, jid).ownKeys.find((k) => k.fingerprint === key.fingerprint);
      if (!record) return;
      record.publications = [
        ...record.publications.filter((p) => p.node !== NS.pubkey),
        {
          node: NS.pubkey,
          accessModel: outcome.config.accessModel,
          ...(access.model === 'roster' ? { groups: outcome.config.rosterGroupsAllowed } : {}),
          ...(access.model === 'whitelist' ? { allow: outcome.config.whitelist ?? [] } : {}),
          publishedAt,
        },
      ];
    });
    return outcome.config;
  }

  async retract(fingerprint: string): Promise<void> {
    const jid = this.#session.bareJid;
    const key = this.#find(jid, fingerprint);
    await retractItem({ iq: this.#session.client.iqCaller, owner: jid }, NS.pubkey, key.fingerprint);
    await this.#vaults.vault.update((draft) => {
      const record = VaultHolder.accountIn(draft, jid).ownKeys.find((k) => k.fingerprint === key.fingerprint);
      if (record) record.publications = record.publications.filter((p) => p.node !== NS.pubkey);
    });
  }

  /** The public certificate only; private keys leave the vault only through an explicit export with a new passphrase. */
  exportCertificate(fingerprint: string, format: 'pem' | 'der'): { fingerprint: string; pem?: string; derBase64?: string } {
    const key = this.#find(this.#session.bareJid, fingerprint);
    const der = Buffer.from(key.certificate, 'base64');
    return format === 'pem' ? { fingerprint, pem: exportCertificatePem(der) } : { fingerprint, derBase64: key.certificate };
  }

  /** For signing in main: opens the sealed private key. Never log, never send it anywhere. */
  privateKeyOf(fingerprint: string) {
    const key = this.#find(this.#session.bareJid, fingerprint);
    return createPrivateKey({
      key: this.#vaults.vault.open(key.privateKey, privateKeyPurpose(key.fingerprint)),
      format: 'der',
      type: 'pkcs8',
    });
  }

  #find(jid: string, fingerprint: string): OwnKeyRecord {
    // Normalized at the boundary (contract/domain.ts fingerprintText): compared as it is.
    const key = this.#vaults.vault.account(jid)?.ownKeys.find((k) => k.fingerprint === fingerprint);
    if (!key) throw new KeyringError('not-found', `No key ${fingerprint} for ${jid}.`, 'fingerprint');
    return key;
  }
}

function summarize(record: OwnKeyRecord, jid: string): OwnKeySummary {
  const check = checkPublishedCertificate({
    der: Buffer.from(record.certificate, 'base64'),
    publisherJid: jid,
    itemId: record.fingerprint,
  });
  return {
    fingerprint: record.fingerprint,
    bits: check.bits,
    notBefore: check.notBefore,
    notAfter: check.notAfter,
    createdAt: record.createdAt,
    publications: record.publications.map((p) => ({ ...p })),
  };
}
