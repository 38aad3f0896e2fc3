/**
 * XEP-0222 §5 "Determining Support": the account's server must have identity pubsub/pep and the
 * publish-options feature (XEP-0060 §7.1.5). XEP-0222 §5 asks the server's domain; Prosody answers for PEP
 * only on the account's bare JID (docs/servers.md), so we ask the bare JID first and fall back to
 * the domain when the bare JID does not show PEP.
 */
import type { Iq } from './iq-requests.js';
import type { PepSupport } from '../../contract/index.js';
import { queryDiscoInfo, type DiscoInfo } from './disco.js';
import { FEATURE_PUBLISH_OPTIONS, NS } from './namespaces.js';
import { knownNotificationBehaviour } from './notification-behaviour.js';
import { querySoftwareVersion, type ServerSoftware } from './server-software.js';

const PUBSUB_FEATURE_PREFIX = `${NS.pubsub}#`;

export function summarizePepSupport(queried: string, info: DiscoInfo, software?: ServerSoftware): PepSupport {
  const pubsubFeatures = info.features
    .filter((f) => f.startsWith(PUBSUB_FEATURE_PREFIX))
    .map((f) => f.slice(PUBSUB_FEATURE_PREFIX.length));
  return {
    queried,
    pep: info.identities.some((i) => i.category === 'pubsub' && i.type === 'pep'),
    publishOptions: info.features.includes(FEATURE_PUBLISH_OPTIONS),
    // XEP-0060 §16.2 features `access-open`, `access-presence`, `access-roster`, `access-whitelist`…
    accessModels: pubsubFeatures.filter((f) => f.startsWith('access-')).map((f) => f.slice('access-'.length)),
    pubsubFeatures,
    ...(software ? { software } : {}),
    notifications: knownNotificationBehaviour(software),
  };
}

export async function discoverPepSupport(iq: Iq, bareJid: string, domain: string): Promise<PepSupport> {
  // Asked beside disco, not after it: the answer only names the software (for the notification rows).
  const asking = querySoftwareVersion(iq, domain);
  let fromAccount: PepSupport | undefined;
  try {
    const info = await queryDiscoInfo(iq, bareJid);
    fromAccount = summarizePepSupport(bareJid, info, await asking);
    if (fromAccount.pep) return fromAccount;
  } catch {
    // Some servers answer disco on the bare JID with an error; the domain may still advertise PEP.
  }
  try {
    const fromDomain = summarizePepSupport(domain, await queryDiscoInfo(iq, domain), await asking);
    if (fromDomain.pep || !fromAccount) return fromDomain;
  } catch (error) {
    if (!fromAccount) throw error;
  }
  return fromAccount;
}

/** A sentence naming exactly what is missing, or undefined when the server can do XEP-0222. */
export function describeMissingSupport(support: PepSupport): string | undefined {
  const missing = [
    support.pep ? undefined : 'PEP (identity pubsub/pep)',
    support.publishOptions ? undefined : 'publish-options (XEP-0060 §7.1.5)',
  ].filter((m): m is string => m !== undefined);
  if (missing.length === 0) return undefined;
  return `Your server does not support ${missing.join(' or ')}, so keys cannot be stored there the XEP-0222 way.`;
}
