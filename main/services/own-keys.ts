/**
 * The user's own keys: made here (RSA + self-signed certificate binding the bare JID), kept in the vault
 * with the private key sealed (main/vault/stores/own-keys-store.ts), published to the account's PEP
 * node the XEP-0222 way. What goes out is public data and fingerprints.
 */
import type { AccessRequest, EffectiveNodeConfig, ExportedCertificate, OwnKeyView } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import { createSelfSignedCertificate, DEFAULT_VALIDITY_DAYS } from '../keys/certificate.js';
import { exportCertificatePem } from '../keys/export-key.js';
import { certificateFingerprint } from '../keys/fingerprint.js';
import { generateRsaKeyPair, type RsaKeySize } from '../keys/generate.js';
import { importKeyFiles } from '../keys/import-key.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { checkPublishedCertificate } from '../keys/validate.js';
import type { OwnKeyRecord } from '../vault/schema.js';
import type { OwnKeysStore } from '../vault/stores/own-keys-store.js';
import type { PublishedNodesStore } from '../vault/stores/published-nodes-store.js';
import { NS } from '../xmpp/namespaces.js';
import { publishPersistent, retractItem } from '../xmpp/persistent-node.js';
import { pubkeyPayload } from '../xmpp/pubkey-items.js';
import type { SessionPort } from './session-port.js';

/** Keys can coexist on the node (XEP-0222 §4); Prosody's default of 1 would overwrite older ones. */
export const KEY_NODE_MAX_ITEMS = 32;

export interface OwnKeysDeps {
  store: OwnKeysStore;
  /** What the key node should hold, for drift watch (docs/drift.md). */
  published: PublishedNodesStore;
  session: SessionPort;
}

export class OwnKeys {
  readonly #store: OwnKeysStore;
  readonly #published: PublishedNodesStore;
  readonly #session: SessionPort;

  constructor(deps: OwnKeysDeps) {
    this.#store = deps.store;
    this.#published = deps.published;
    this.#session = deps.session;
  }

  /** Makes a key pair and certificate for the connected account and stores them. */
  async generate(options: { bits: RsaKeySize; validityDays?: number }): Promise<OwnKeyView> {
    const jid = this.#session.ownJid;
    const { privateKey } = await generateRsaKeyPair(options.bits);
    const der = await createSelfSignedCertificate({
      bareJid: jid,
      privateKey, // never logged
      validityDays: options.validityDays ?? DEFAULT_VALIDITY_DAYS,
    });
    const record = await this.#store.add(jid, { fingerprint: certificateFingerprint(der), certificateDer: der, privateKey });
    return summarize(record, jid);
  }

  /**
   * Takes an existing key and certificate (PEM files or one PKCS#12) into the vault. The certificate
   * must name this account, or contacts would see it as bound to someone else (jid-mismatch).
   */
  async import(files: readonly Uint8Array[], password?: string): Promise<OwnKeyView> {
    const jid = this.#session.ownJid;
    const identity = await importKeyFiles(files, password); // holds the private key: never logged
    if (!identity.jid || bareJidKey(identity.jid) !== bareJidKey(jid)) {
      throw new KeyringError(
        'invalid-argument',
        `This certificate is for ${identity.jid ?? 'no XMPP address'}, not for ${jid}; contacts would not accept it as yours.`,
        'files',
      );
    }
    if (this.#store.find(jid, identity.fingerprint)) {
      throw new KeyringError('invalid-argument', 'This key is already in your keyring.', 'files');
    }
    const record = await this.#store.add(jid, {
      fingerprint: identity.fingerprint,
      certificateDer: identity.certificateDer,
      privateKey: identity.privateKey,
    });
    return summarize(record, jid);
  }

  /** The keys of the account last signed in (offline too); none before any. */
  list(): OwnKeyView[] {
    const jid = this.#session.state.account;
    if (!jid) return [];
    return this.#store.list(jid).map((k) => summarize(k, jid));
  }

  /** Whether the account last signed in has this key. */
  has(fingerprint: string): boolean {
    const jid = this.#session.state.account;
    return jid !== undefined && this.#store.find(jid, fingerprint) !== undefined;
  }

  /** XEP-0222 publish of the certificate, item id = its fingerprint; returns the node config read back. */
  async publish(fingerprint: string, access: AccessRequest, reconfigure = false): Promise<EffectiveNodeConfig> {
    const jid = this.#session.ownJid;
    const key = this.#find(jid, fingerprint);
    await this.#session.requireXep0222Support();
    const outcome = await publishPersistent(
      { iq: this.#session.iq, owner: jid },
      { node: NS.pubkey, access, maxItems: KEY_NODE_MAX_ITEMS, reconfigure },
      { id: key.fingerprint, payload: pubkeyPayload(Buffer.from(key.certificate, 'base64')) },
    );
    await this.#store.setPublication(jid, key.fingerprint, NS.pubkey, {
      accessModel: outcome.config.accessModel,
      ...(access.model === 'roster' ? { groups: outcome.config.rosterGroupsAllowed } : {}),
      ...(access.model === 'whitelist' ? { allow: outcome.config.whitelist ?? [] } : {}),
      publishedAt: new Date().toISOString(),
    });
    await this.#published.recordPublish(jid, NS.pubkey, { access, maxItems: KEY_NODE_MAX_ITEMS, config: outcome.config, item: { id: key.fingerprint } });
    return outcome.config;
  }

  async retract(fingerprint: string): Promise<void> {
    const jid = this.#session.ownJid;
    const key = this.#find(jid, fingerprint);
    await retractItem({ iq: this.#session.iq, owner: jid }, NS.pubkey, key.fingerprint);
    await this.#store.setPublication(jid, key.fingerprint, NS.pubkey, undefined);
    await this.#published.recordRetract(jid, NS.pubkey, key.fingerprint);
  }

  /** The public certificate only; private keys leave the vault only through an explicit export with a new passphrase. */
  exportCertificate(fingerprint: string, format: 'pem' | 'der'): ExportedCertificate {
    const key = this.#find(this.#session.ownJid, fingerprint);
    const der = Buffer.from(key.certificate, 'base64');
    return format === 'pem' ? { fingerprint, pem: exportCertificatePem(der) } : { fingerprint, derBase64: key.certificate };
  }

  /** The fingerprint was normalized at the boundary (contract/domain.ts fingerprintText): compared as it is. */
  #find(jid: string, fingerprint: string): OwnKeyRecord {
    const key = this.#store.find(jid, fingerprint);
    if (!key) throw new KeyringError('not-found', `No key ${fingerprint} for ${jid}.`, 'fingerprint');
    return key;
  }
}

function summarize(record: OwnKeyRecord, jid: string): OwnKeyView {
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
