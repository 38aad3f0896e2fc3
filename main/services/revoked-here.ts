/**
 * One of the account's own keys becomes revoked on this device: this device revoked it
 * (OwnKeys.revoke), or its verified revocation was found on the key node (own-revocations.ts: another
 * device revoked it, or a restored backup predates the revocation). One path for both, so that what
 * drift watch expects on the key node and the key's state never disagree: a revoked key's own item is
 * withdrawn with the revocation and never published again, so its removal is not drift (docs/drift.md).
 *
 * A revocation for a reason that condemns the key itself (compromised, unspecified: voidsSignatures)
 * covers every certificate of that public key (docs/key-lifecycle.md, "Revocation statement"): a
 * renewal keeps the private key, so the older certificate of a compromised renewed key is compromised
 * too, and contacts' apps already show it revoked (withRevocations). The owner's devices must agree:
 * each such own certificate is revoked here as well, with a statement of its own (sameKeyToRevoke,
 * statementFor), never shown current and never published or renewed again. `superseded` and
 * `retired` are about one certificate and cover that one only, as contacts read them.
 */
import { createRevocation, voidsSignatures, type RevocationReason, type RevocationStatement } from '../keys/revocation.js';
import { publicKeyDigest } from '../keys/signed-statement.js';
import type { OwnKeyRecord } from '../vault/schema.js';
import type { OwnKeysStore } from '../vault/stores/own-keys-store.js';
import type { PublishedNodesStore } from '../vault/stores/published-nodes-store.js';
import { NS } from '../xmpp/namespaces.js';

export interface RevokedHereStores {
  store: Pick<OwnKeysStore, 'setRevoked'>;
  published: Pick<PublishedNodesStore, 'recordRetract'>;
}

/** Marks `fingerprint` revoked by `statement`; its item is no longer expected on the key node. */
export async function recordRevokedHere(stores: RevokedHereStores, account: string, fingerprint: string, statement: RevocationStatement): Promise<void> {
  // The record first: stopped here, the key still unrevoked is revoked again at the next reading.
  await stores.published.recordRetract(account, NS.pubkey, fingerprint);
  await stores.store.setRevoked(account, fingerprint, statement);
}

/** The SHA-256 of a stored certificate's public key (signed-statement.ts publicKeyDigest); undefined when unreadable. */
export function keyDigestOf(record: Pick<OwnKeyRecord, 'certificate'>): string | undefined {
  return publicKeyDigest(Buffer.from(record.certificate, 'base64'));
}

/**
 * The own certificates not revoked yet that a revocation of `revoked` (its base64 certificate and
 * fingerprint) for `reason` also revokes: those of the same public key, for a reason that condemns the
 * key (see the file's comment); none for `superseded` or `retired`.
 */
export function sameKeyToRevoke(records: readonly OwnKeyRecord[], revoked: { fingerprint: string; certificate: string }, reason: RevocationReason): OwnKeyRecord[] {
  if (!voidsSignatures(reason)) return [];
  const digest = keyDigestOf(revoked);
  if (digest === undefined) return [];
  return records.filter((r) => r.fingerprint !== revoked.fingerprint && !r.revoked && keyDigestOf(r) === digest);
}

/**
 * The revocation that covers `record` though it names another of its certificates: a `compromised` or
 * `unspecified` revocation of an own certificate of the same public key. Undefined when none does (or
 * the record is revoked itself). What the vault records does it at revoke time (sameKeyToRevoke); this
 * also covers a vault whose revoke was made before that (the key list and the refusals ask it).
 */
export function revocationOfItsKey(records: readonly OwnKeyRecord[], record: OwnKeyRecord, digestOf: (r: OwnKeyRecord) => string | undefined = keyDigestOf): RevocationStatement | undefined {
  if (record.revoked) return undefined;
  const condemning = records.filter((r) => r !== record && r.revoked && voidsSignatures(r.revoked.reason));
  if (condemning.length === 0) return undefined;
  const digest = digestOf(record);
  if (digest === undefined) return undefined;
  return condemning.find((r) => digestOf(r) === digest)?.revoked;
}

/**
 * A revocation of `record` for `reason`, dated `date` (the revocation that condemned its key), signed
 * now by its private key (the same key's: a renewal keeps it); else the one prepared for it at
 * generation; undefined when neither is to be had (the vault can no longer open it, and nothing was
 * prepared: the key list still shows it revoked, revocationOfItsKey).
 */
export async function statementFor(
  store: Pick<OwnKeysStore, 'privateKey'>,
  account: string,
  record: OwnKeyRecord,
  reason: RevocationReason,
  date: Date,
): Promise<RevocationStatement | undefined> {
  const prepared = record.revocations?.find((r) => r.reason === reason);
  try {
    const privateKey = store.privateKey(account, record.fingerprint); // never logged
    if (!privateKey) return prepared;
    return await createRevocation({ bareJid: account, certificateDer: Buffer.from(record.certificate, 'base64'), privateKey, reason, date });
  } catch {
    // Its private half unreadable (a damaged record): the prepared statement still says it.
    return prepared;
  }
}
