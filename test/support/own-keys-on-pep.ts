/**
 * The own-key services as main composes them (main/core.ts), over a vault and an in-memory PEP service
 * (fake-pep-service.ts): for tests of what a publish, a revoke or a reading leaves in the vault. One call
 * is one device of juliet's account; two calls over the same PEP service are two of her devices.
 */
import { AppEvents } from '../../main/events.js';
import { silentLogger, type Logger } from '../../main/logger.js';
import { DriftWatch } from '../../main/services/drift-watch.js';
import { FoundPublications } from '../../main/services/found-publications.js';
import { OwnKeys } from '../../main/services/own-keys.js';
import { OwnRevocations } from '../../main/services/own-revocations.js';
import { ProfileService } from '../../main/services/profile.js';
import type { SessionPort } from '../../main/services/session-port.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { JULIET, pepSession } from './fake-pep-service.js';

export interface OwnKeysOnPep {
  store: OwnKeysStore;
  published: PublishedNodesStore;
  session: SessionPort;
  keys: OwnKeys;
  found: FoundPublications;
  revocations: OwnRevocations;
  /** A sign-in's reading of the key node, as core.ts makes it: the revocations on it, then the publications found. */
  signIn: () => Promise<void>;
}

export interface OwnKeysOnPepOptions {
  /** Where the revocations' reading tells Activity (keys:keyNodeUnread); left out, nothing is told, as main/core.ts allows. */
  events?: AppEvents;
  /** Where the revocations' reading logs (what a sign-in did that no screen hears of); silent when left out. */
  log?: Logger;
}

export function ownKeysOnPep(vaults: VaultHolder, pep: Parameters<typeof pepSession>[0], options: OwnKeysOnPepOptions = {}): OwnKeysOnPep {
  const store = new OwnKeysStore(vaults);
  const published = new PublishedNodesStore(vaults);
  const session = pepSession(pep);
  const found = new FoundPublications({ store, published, session, log: silentLogger });
  const keys = new OwnKeys({ store, published, session });
  const revocations = new OwnRevocations({
    store,
    published,
    session,
    log: options.log ?? silentLogger,
    ...(options.events ? { events: options.events } : {}),
    revokeUnderWay: (account, fingerprint) => keys.revokeUnderWay(account, fingerprint),
  });
  return {
    store,
    published,
    session,
    keys,
    found,
    revocations,
    signIn: async () => {
      const items = fetchItems(session.iq, JULIET, NS.pubkey);
      await revocations.readNode(items);
      await found.readNode(items);
    },
  };
}

/**
 * Drift watch over a device's record, as main composes it, its timers an hour off: only the test's own
 * check() and accept() run it. Stop it after each test.
 */
export function driftWatchOnPep(on: Pick<OwnKeysOnPep, 'published' | 'store' | 'session'>): DriftWatch {
  return new DriftWatch({ published: on.published, ownKeys: on.store, session: on.session, events: new AppEvents(), log: silentLogger, intervalMs: 3_600_000, settleMs: 3_600_000 });
}

/** The own profile's service on a device, recording what it publishes for drift watch; no contact is known. */
export function profileOnPep(on: Pick<OwnKeysOnPep, 'published' | 'session'>): ProfileService {
  return new ProfileService({ session: on.session, events: new AppEvents(), log: silentLogger, published: on.published, isKnownContact: () => false });
}
