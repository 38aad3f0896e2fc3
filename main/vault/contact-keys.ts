/**
 * Trust on first use for contacts' keys, as pure functions over the stored records.
 *
 * States: 'unverified' (seen, not compared), 'verified' (the user compared fingerprints),
 * 'changed' (appeared while a key we had seen or verified disappeared: someone may have replaced it;
 * this must be loud), 'retracted' (the contact removed it from their node).
 *
 * What a contact publishes is theirs to choose, what we store is not: per contact at most
 * MAX_CURRENT_KEYS keys still published, the MAX_WITHDRAWN_KEYS most recently withdrawn, and
 * MAX_REVOKED_KEYS withdrawn keys their owner revoked (pruneWithdrawn: a revocation outlives the plain
 * withdrawn records, and the keys the user relied on are the last to go). Keys published beyond the cap
 * are reported (leftOut), never stored; the keys we already know are kept first, so a flood of new keys
 * cannot push out a key the user verified.
 *
 * Order ("seen after") is the order records were written in, never a comparison of stored dates with
 * the present clock's: a clock that jumped back must not make a new key look older than a verification.
 * The records keep the order they were first seen in (new ones at the end), and a new record says
 * whether the contact had a verification when it was first seen (seenAfterFirstVerification).
 */
import { CONTACT_KEY_LIMITS } from '../../contract/limits.js';
import type { ContactKeyRecord } from './schema.js';

export const MAX_CURRENT_KEYS = CONTACT_KEY_LIMITS.currentKeys;
export const MAX_WITHDRAWN_KEYS = CONTACT_KEY_LIMITS.withdrawnKeys;
export const MAX_REVOKED_KEYS = CONTACT_KEY_LIMITS.revokedKeys;
/**
 * lastSeen is kept to the hour: seeing the same keys again updates it only when the stored value is an
 * hour old or more, so a fetch that finds nothing new (every notification, every refresh) leaves the
 * records as they are and costs no vault write.
 */
export const LAST_SEEN_RESOLUTION_MS = 60 * 60 * 1000;

export interface SeenKey {
  fingerprint: string;
  /** base64 DER, when the item carried a certificate. */
  certificate?: string;
}

/** 'continued': a new key that continues a known one (contact-key-lifecycle.ts); 'revoked': its owner revoked it. */
export type KeyChangeKind = 'new' | 'changed' | 'retracted' | 'reappeared' | 'continued' | 'revoked';

export interface KeyChange {
  kind: KeyChangeKind;
  fingerprint: string;
  /** For 'changed': the fingerprints that disappeared at the same time. */
  replaces?: string[];
  /** For 'continued': the known key it continues. */
  continues?: string;
}

const isActive = (k: ContactKeyRecord) => k.trust !== 'retracted';
const TRUST_ORDER: Record<ContactKeyRecord['trust'], number> = { verified: 0, changed: 1, unverified: 2, retracted: 3 };

export interface MergeContext {
  /**
   * The user has verified a key of this contact before (ContactTrustRecord.firstVerifiedAt is set): keys
   * first seen now are seen after the first verification (btbv, main/keys/trust-policy.ts). Without it,
   * a verified record among the known ones says the same.
   */
  contactVerified?: boolean;
}

/**
 * Merges the complete set of keys a contact publishes now (an items request answered) into what we
 * knew. A key missing from a complete set was retracted. The records keep their stored order (new
 * ones at the end), so merging the same set again gives the same records.
 */
export function mergeFullKeySet(
  known: readonly ContactKeyRecord[],
  published: readonly SeenKey[],
  now: Date,
  context: MergeContext = {},
): { keys: ContactKeyRecord[]; changes: KeyChange[]; leftOut: SeenKey[] } {
  const at = now.toISOString();
  const seenAfterFirstVerification = context.contactVerified === true || known.some((k) => k.verifiedAt !== undefined);
  const publishedIds = new Set(published.map((k) => k.fingerprint));
  const { current, leftOut } = capCurrent(known, published);
  const currentIds = new Set(current.map((k) => k.fingerprint));
  const changes: KeyChange[] = [];

  // Keys this fetch finds gone; and, when none of the known keys is still published, those retracted
  // earlier too (a retract notification may have arrived before the new key: still a replacement).
  // A known key left out by the cap is still published: not gone.
  const vanishedNow = known.filter((k) => isActive(k) && !publishedIds.has(k.fingerprint)).map((k) => k.fingerprint);
  const stillPresent = known.some((k) => publishedIds.has(k.fingerprint));
  const retractedEarlier = stillPresent
    ? []
    : known.filter((k) => !isActive(k) && !k.revokedUnseen && !publishedIds.has(k.fingerprint)).map((k) => k.fingerprint);
  const vanished = [...vanishedNow, ...retractedEarlier];

  const updated = new Map<string, ContactKeyRecord>();
  for (const old of known) {
    if (publishedIds.has(old.fingerprint)) continue;
    if (isActive(old)) {
      updated.set(old.fingerprint, { ...old, trust: 'retracted', retractedAt: at });
      changes.push({ kind: 'retracted', fingerprint: old.fingerprint });
    }
  }

  const added: ContactKeyRecord[] = [];
  for (const seen of current) {
    const old = known.find((k) => k.fingerprint === seen.fingerprint);
    if (old) {
      const certificate = old.certificate ?? seen.certificate;
      const record: ContactKeyRecord = { ...old, ...(certificate ? { certificate } : {}) };
      if (now.getTime() - Date.parse(old.lastSeen) >= LAST_SEEN_RESOLUTION_MS || Number.isNaN(Date.parse(old.lastSeen))) record.lastSeen = at;
      if (old.trust === 'retracted') {
        // A retracted key published again is not silently trusted again. What a verification of it
        // cleared belongs to that verification, which no longer counts.
        delete record.retractedAt;
        delete record.clearedByVerification;
        // A key once shown as a change (it still names what it replaced: neither accepted nor compared,
        // which clear that) is a change again, however often it was withdrawn and published since;
        // otherwise trust on first use would trust it after one retract and publish.
        const replaces = [...new Set([...(old.replaces ?? []), ...vanishedNow])];
        const changed = vanishedNow.length > 0 || (old.replaces !== undefined && old.acceptedAt === undefined);
        record.trust = changed ? 'changed' : 'unverified';
        if (changed && replaces.length > 0) record.replaces = replaces;
        record.lastSeen = at;
        changes.push({ kind: 'reappeared', fingerprint: seen.fingerprint });
      }
      updated.set(old.fingerprint, record);
      continue;
    }
    const replaced = vanished.length > 0;
    added.push({
      fingerprint: seen.fingerprint,
      ...(seen.certificate ? { certificate: seen.certificate } : {}),
      firstSeen: at,
      lastSeen: at,
      trust: replaced ? 'changed' : 'unverified',
      ...(replaced ? { replaces: vanished } : {}),
      seenAfterFirstVerification,
    });
    changes.push(replaced ? { kind: 'changed', fingerprint: seen.fingerprint, replaces: vanished } : { kind: 'new', fingerprint: seen.fingerprint });
  }

  // Known keys in their stored order (a known key the cap left out is dropped: still published, not
  // withdrawn), then the new ones; then only the most recently withdrawn are kept.
  const keys = [
    ...known.filter((k) => !publishedIds.has(k.fingerprint) || currentIds.has(k.fingerprint)).map((k) => updated.get(k.fingerprint) ?? { ...k }),
    ...added,
  ];
  const flagged = flagKeysAfterVerifiedWithdrawn(known, keys, changes);
  return { keys: pruneWithdrawn(flagged.keys), changes: flagged.changes, leftOut };
}

/**
 * A key the user verified was withdrawn: keys of theirs that appeared after it and that the user has
 * neither verified nor accepted now stand in its place, unchecked. That is a replacement however it
 * was done (the new key published first and the old one withdrawn later, as rotating a key is
 * usually done, or both at once), so they become 'changed' and the user is warned.
 *
 * "Appeared after" is the records' order (first seen later), not their dates: after the clock jumped
 * back a later key carries an earlier date. Keys first seen in the same answer as the verified one
 * (the same stamp) did not appear after it.
 */
function flagKeysAfterVerifiedWithdrawn(
  before: readonly ContactKeyRecord[],
  after: ContactKeyRecord[],
  changes: KeyChange[],
): { keys: ContactKeyRecord[]; changes: KeyChange[] } {
  const nowWithdrawn = before.filter(
    (k) => k.trust === 'verified' && after.some((a) => a.fingerprint === k.fingerprint && a.trust === 'retracted'),
  );
  if (nowWithdrawn.length === 0) return { keys: after, changes };
  const result = [...changes];
  const position = new Map(after.map((k, index) => [k.fingerprint, index]));
  const keys = after.map((k, index) => {
    if (k.trust !== 'unverified' || k.acceptedAt) return k;
    const cameAfter = (old: ContactKeyRecord) => index > (position.get(old.fingerprint) ?? Number.MAX_SAFE_INTEGER) && k.firstSeen !== old.firstSeen;
    const replaced = nowWithdrawn.filter(cameAfter).map((old) => old.fingerprint);
    if (replaced.length === 0) return k;
    const replaces = [...new Set([...(k.replaces ?? []), ...replaced])];
    const existing = result.findIndex((c) => c.fingerprint === k.fingerprint && (c.kind === 'new' || c.kind === 'reappeared'));
    if (existing !== -1) result.splice(existing, 1);
    result.push({ kind: 'changed', fingerprint: k.fingerprint, replaces });
    return { ...k, trust: 'changed' as const, replaces };
  });
  return { keys, changes: result };
}

/**
 * The published keys that are stored (at most MAX_CURRENT_KEYS: known ones first, the user's verified
 * ones before all, then new ones in the order the server listed them) and those left out.
 */
function capCurrent(known: readonly ContactKeyRecord[], published: readonly SeenKey[]): { current: SeenKey[]; leftOut: SeenKey[] } {
  const unique = [...new Map(published.map((k) => [k.fingerprint, k])).values()];
  if (unique.length <= MAX_CURRENT_KEYS) return { current: unique, leftOut: [] };
  const rank = new Map(known.map((k, index) => [k.fingerprint, TRUST_ORDER[k.trust] * known.length + index]));
  const order = (k: SeenKey) => rank.get(k.fingerprint) ?? Number.MAX_SAFE_INTEGER;
  // Array.prototype.sort is stable: new keys keep the server's order among themselves.
  const ranked = [...unique].sort((a, b) => order(a) - order(b));
  return { current: ranked.slice(0, MAX_CURRENT_KEYS), leftOut: ranked.slice(MAX_CURRENT_KEYS) };
}

/**
 * Keeps, of the withdrawn keys (in place order), the MAX_WITHDRAWN_KEYS most recently withdrawn that
 * no revocation names, and MAX_REVOKED_KEYS of the revoked ones; drops the rest.
 *
 * A revocation lives only on its key's record, and it must outlive that key's withdrawal: a revoked key
 * published again without its revocation must still show revoked. Revoked records have a pool of their
 * own, so no number of plain keys published and withdrawn pushes one out. Whoever holds the node can also
 * publish throw-away keys revoked by themselves (they cost nothing) to flood that pool, so which revoked
 * records stay is decided by what the user relied on, then by when they were first seen, never by the
 * newest: revokedKeep.
 */
export function pruneWithdrawn(keys: ContactKeyRecord[]): ContactKeyRecord[] {
  const revoked = keys.filter((k) => !isActive(k) && k.revocation !== undefined);
  const plain = keys.filter((k) => !isActive(k) && k.revocation === undefined);
  if (plain.length <= MAX_WITHDRAWN_KEYS && revoked.length <= MAX_REVOKED_KEYS) return keys;
  const when = (k: ContactKeyRecord) => (k.retractedAt ? Date.parse(k.retractedAt) || 0 : 0);
  const keptPlain = [...plain]
    .map((k, index) => ({ k, index }))
    .sort((a, b) => when(b.k) - when(a.k) || b.index - a.index)
    .slice(0, MAX_WITHDRAWN_KEYS)
    .map(({ k }) => k.fingerprint);
  const keptRevoked = revoked
    .map((k, index) => ({ k, index }))
    .sort((a, b) => revokedKeep(a.k) - revokedKeep(b.k) || a.index - b.index)
    .slice(0, MAX_REVOKED_KEYS)
    .map(({ k }) => k.fingerprint);
  const kept = new Set([...keptPlain, ...keptRevoked]);
  return keys.filter((k) => isActive(k) || kept.has(k.fingerprint));
}

/**
 * Which revoked records are kept first (lower first): 0, a key the user relied on in person (verified,
 * accepted, or continuing a verified key): a throw-away key gets none of that without the user; 1, a key
 * seen published that was not a change left unaccepted (trusted on first use); 2, a change the user never
 * accepted, or a key known only from its revocation (the user never counted on either). Within a rank the
 * earliest seen (stored order, not dates) are kept: a flood comes after the keys it is meant to push out,
 * so it only pushes out itself.
 */
function revokedKeep(k: ContactKeyRecord): number {
  if (k.verifiedAt !== undefined || k.acceptedAt !== undefined || k.clearedByVerification !== undefined || k.continues?.verified === true) return 0;
  if (k.revokedUnseen || k.replaces !== undefined) return 2;
  return 1;
}

/**
 * Keys a notification showed that are missing from both what we stored and the complete set a fetch
 * just returned: published and withdrawn again before any fetch stored them. They are added as known
 * (seen at `notifiedAt`) before the full set is merged, so the merge records them as withdrawn (and a
 * key that took their place as a change) instead of forgetting they were ever published.
 */
export function withKeysThatCameAndWent(
  known: readonly ContactKeyRecord[],
  published: readonly SeenKey[],
  notified: readonly { key: SeenKey; notifiedAt: string }[],
): ContactKeyRecord[] {
  const present = new Set([...known.map((k) => k.fingerprint), ...published.map((k) => k.fingerprint)]);
  const gone = notified.filter((n) => !present.has(n.key.fingerprint));
  return [
    ...known,
    ...gone.map(({ key, notifiedAt }) => ({
      fingerprint: key.fingerprint,
      ...(key.certificate ? { certificate: key.certificate } : {}),
      firstSeen: notifiedAt,
      lastSeen: notifiedAt,
      trust: 'unverified' as const,
    })),
  ];
}

/** A retract notification for one item (XEP-0060 §7.2.2.1). */
export function markRetracted(
  known: readonly ContactKeyRecord[],
  fingerprint: string,
  now: Date,
): { keys: ContactKeyRecord[]; changes: KeyChange[] } {
  const target = known.find((k) => k.fingerprint === fingerprint);
  if (!target || !isActive(target)) return { keys: known.map((k) => ({ ...k })), changes: [] };
  const withdrawn = known.map((k) => (k.fingerprint === fingerprint ? { ...k, trust: 'retracted' as const, retractedAt: now.toISOString() } : { ...k }));
  const flagged = flagKeysAfterVerifiedWithdrawn(known, withdrawn, [{ kind: 'retracted', fingerprint }]);
  return { keys: pruneWithdrawn(flagged.keys), changes: flagged.changes };
}

/**
 * The user compared the fingerprint out of band and it matched a current key (never a withdrawn one:
 * the service checks, and this leaves a withdrawn key as it is). Verifying a verified key again only
 * moves verifiedAt.
 */
export function markVerified(known: readonly ContactKeyRecord[], fingerprint: string, now: Date): ContactKeyRecord[] {
  return known.map((k) => (k.fingerprint !== fingerprint || !isActive(k) ? { ...k } : { ...asVerified(k), verifiedAt: now.toISOString() }));
}

/**
 * This vault's record of a key, ready for the trust a backup restores over it (services/backup.ts
 * planRestore sets trust and verifiedAt next): a verification restored over a key not verified here
 * clears what verifying clears, kept for taking it back; any other trust drops what a verification here
 * had cleared, as that verification no longer counts.
 */
export function beforeRestoredTrust(here: ContactKeyRecord, trust: ContactKeyRecord['trust']): ContactKeyRecord {
  if (trust === 'verified' && isActive(here)) return asVerified(here);
  const { clearedByVerification: _gone, ...rest } = here;
  return rest;
}

/**
 * A key as verified (its date aside). A verified key shows no change warning and no acceptance: what
 * the verification clears is kept aside (clearedByVerification) for markUnverified.
 */
function asVerified(k: ContactKeyRecord): ContactKeyRecord {
  if (k.trust === 'verified') return { ...k };
  // A key that is not verified has nothing cleared by a verification: any such field is stale.
  const { replaces, acceptedAt, clearedByVerification: _stale, ...rest } = k;
  const before = k.trust === 'changed' ? 'changed' : 'unverified';
  const cleared = before === 'changed' || replaces !== undefined || acceptedAt !== undefined;
  return {
    ...rest,
    trust: 'verified',
    ...(cleared ? { clearedByVerification: { trust: before, ...(replaces ? { replaces } : {}), ...(acceptedAt ? { acceptedAt } : {}) } } : {}),
  };
}

/**
 * The user took a verification back: the key is where it was before the verification, so the policy
 * judges it as then. A change the user compared but never accepted is 'changed' again, with what it
 * replaced (under trust on first use it would otherwise become trusted silently); an acceptance made
 * before counts again; else the key is as if seen and never compared.
 */
export function markUnverified(known: readonly ContactKeyRecord[], fingerprint: string): ContactKeyRecord[] {
  return known.map((k) => {
    if (k.fingerprint !== fingerprint || k.trust !== 'verified') return { ...k };
    const { verifiedAt: _verified, clearedByVerification: cleared, ...rest } = k;
    return cleared ? { ...rest, ...cleared } : { ...rest, trust: 'unverified' };
  });
}

/**
 * The user accepted a changed key without comparing: the warning clears, and the policy decides
 * whether the key is trusted (main/keys/trust-policy.ts).
 */
export function markAccepted(known: readonly ContactKeyRecord[], fingerprint: string, now: Date): ContactKeyRecord[] {
  return known.map((k) => {
    if (k.fingerprint !== fingerprint || k.trust !== 'changed') return { ...k };
    const { replaces: _replaced, ...rest } = k;
    return { ...rest, trust: 'unverified', acceptedAt: now.toISOString() };
  });
}
