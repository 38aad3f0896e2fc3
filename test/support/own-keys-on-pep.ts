/**
 * The own-key services as main composes them (main/core.ts), over a vault and an in-memory PEP service
 * (fake-pep-service.ts): for tests of what a publish, a revoke or a reading leaves in the vault.
 */
import { silentLogger } from '../../main/logger.js';
import { FoundPublications } from '../../main/services/found-publications.js';
import { OwnKeys } from '../../main/services/own-keys.js';
import type { SessionPort } from '../../main/services/session-port.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { pepSession } from './fake-pep-service.js';

export interface OwnKeysOnPep {
  store: OwnKeysStore;
  published: PublishedNodesStore;
  session: SessionPort;
  keys: OwnKeys;
  found: FoundPublications;
}

export function ownKeysOnPep(vaults: VaultHolder, pep: Parameters<typeof pepSession>[0]): OwnKeysOnPep {
  const store = new OwnKeysStore(vaults);
  const published = new PublishedNodesStore(vaults);
  const session = pepSession(pep);
  return {
    store,
    published,
    session,
    keys: new OwnKeys({ store, published, session }),
    found: new FoundPublications({ store, published, session, log: silentLogger }),
  };
}
