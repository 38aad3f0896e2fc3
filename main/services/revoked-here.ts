/**
 * One of the account's own keys becomes revoked on this device: this device revoked it
 * (OwnKeys.revoke), or its verified revocation was found on the key node (own-revocations.ts: another
 * device revoked it, or a restored backup predates the revocation). One path for both, so that what
 * drift watch expects on the key node and the key's state never disagree: a revoked key's own item is
 * withdrawn with the revocation and never published again, so its removal is not drift (docs/drift.md).
 */
import type { RevocationStatement } from '../keys/revocation.js';
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
