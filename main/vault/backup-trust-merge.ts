/**
 * How a restore merges the trust decisions a backup carries (backup-content.ts, version 2) with what
 * this vault holds: the account's policy, each contact's trust record, a revocation of a contact's key
 * and other apps' key records. Pure: main/services/backup.ts decides with these, then writes once.
 *
 * The rule throughout: a restore never leaves this device trusting more than it did, nor more than the
 * device the backup came from. A backup can be old, and a restore is often done in a hurry on a new
 * device; this device may since have learned that a key was revoked, or the person may have tightened
 * a policy or seen a comparison fail here. Losing any of that silently would make a key look safe that
 * the person had reason to doubt, so a stricter policy, an earlier first verification, a revocation and
 * a comparison that matched nothing are kept from either side. Where this device holds nothing, the
 * backup's decisions come back as they were.
 */
import type { TrustPolicy } from '../../contract/domain.js';
import { openMismatches } from '../../contract/comparison.js';
import { CONTACT_KEY_LIMITS } from '../../contract/limits.js';
import { DEFAULT_TRUST_POLICY } from '../keys/trust-policy.js';
import type { BackedUpContactTrustRecord, BackedUpOtherKeysRecord } from './backup-content.js';
import type { ContactTrustRecord, OtherKeyRecord, OtherKeysRecord } from './schema.js';

/** How much a policy asks before a key is trusted: manual asks most (trust-policy.ts). */
const STRICTNESS: Readonly<Record<TrustPolicy, number>> = { tofu: 0, btbv: 1, manual: 2 };

/** The stricter of two policies; undefined (no choice made) loses to any choice. */
export function stricterPolicy(a: TrustPolicy | undefined, b: TrustPolicy | undefined): TrustPolicy | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return STRICTNESS[b] > STRICTNESS[a] ? b : a;
}

/**
 * The contact's trust record after a restore, given the account's policy here before it. `here` is
 * undefined when this vault has no record for the contact: then the backup's comes back, unless its
 * policy for the contact is laxer than the account's here.
 */
export function mergeContactTrust(here: ContactTrustRecord | undefined, backup: BackedUpContactTrustRecord, accountPolicyHere: TrustPolicy | undefined): ContactTrustRecord {
  here ??= {};
  // The policy that applied here must not get laxer: a per-contact choice from the backup that is
  // laxer than the account's policy here is not taken (the contact then follows the account's).
  const appliedHere = here.policy ?? accountPolicyHere ?? DEFAULT_TRUST_POLICY;
  const policy =
    here.policy !== undefined
      ? stricterPolicy(here.policy, backup.policy)
      : backup.policy !== undefined && STRICTNESS[backup.policy] >= STRICTNESS[appliedHere]
        ? backup.policy
        : undefined;
  // Blind trust before verification counts from the first verification: the earlier one trusts less.
  const firstVerifiedAt = earlier(here.firstVerifiedAt, backup.firstVerifiedAt);
  const { mismatches, lastMatchAt } = mergeComparisons(here, backup);
  return {
    ...(policy ? { policy } : {}),
    ...(firstVerifiedAt ? { firstVerifiedAt } : {}),
    ...(mismatches.length > 0 ? { mismatches } : {}),
    ...(lastMatchAt ? { lastMatchAt } : {}),
  };
}

/**
 * Another app's records of one address after a restore. Where this vault has none, the backup's come
 * back (labels and bundles are read again with the next reading). Where it has them, this device's
 * reading stands (it is newer), and a key here with the same fingerprint the backup verified or
 * accepted takes that decision, unless here it is changed or removed (an alarm here stays).
 */
export function mergeOtherKeys(here: OtherKeysRecord | undefined, backup: BackedUpOtherKeysRecord): OtherKeysRecord {
  if (here === undefined) return copyOtherKeys(backup);
  const keys = here.keys.map((k): OtherKeyRecord => {
    if (k.fingerprint === '' || k.changedAt !== undefined || k.removedAt !== undefined || k.verifiedAt !== undefined || k.acceptedAt !== undefined) return k;
    const from = backup.keys.find((b) => b.protocol === k.protocol && b.fingerprint === k.fingerprint && b.deviceId === k.deviceId && b.removedAt === undefined && b.changedAt === undefined);
    if (from === undefined) return k;
    return { ...k, ...(from.verifiedAt ? { verifiedAt: from.verifiedAt } : {}), ...(from.acceptedAt ? { acceptedAt: from.acceptedAt } : {}) };
  });
  const { mismatches, lastMatchAt } = mergeComparisons(here, backup);
  const { mismatches: _m, lastMatchAt: _l, ...rest } = here;
  return {
    ...rest,
    firstRead: earlier(here.firstRead, backup.firstRead) ?? here.firstRead,
    keys,
    ...(mismatches.length > 0 ? { mismatches } : {}),
    ...(lastMatchAt ? { lastMatchAt } : {}),
  };
}

interface Comparisons<M extends { offered: string; at: string }> {
  mismatches?: readonly M[] | undefined;
  lastMatchAt?: string | undefined;
}

/**
 * Comparisons that matched nothing, from both sides. The last match here stays when this device has
 * alarms of its own, so that a later match made elsewhere does not silence them; otherwise the later of
 * the two counts. Every comparison here is kept; one from the backup is kept if it is still unanswered
 * there, or answered by the last match kept (one answered in the backup by a match this merge drops
 * would sound again, for a question the person already settled). Newest first, at most as many as the
 * app keeps.
 */
function mergeComparisons<M extends { offered: string; at: string }>(here: Comparisons<M>, backup: Comparisons<M>): { mismatches: M[]; lastMatchAt: string | undefined } {
  const mine = [...(here.mismatches ?? [])];
  const lastMatchAt = mine.length > 0 ? here.lastMatchAt : later(here.lastMatchAt, backup.lastMatchAt);
  const open = openMismatches(backup.mismatches ?? [], [], backup.lastMatchAt);
  const answered = (m: M) => lastMatchAt !== undefined && Date.parse(m.at) < Date.parse(lastMatchAt);
  const theirs = (backup.mismatches ?? []).filter((m) => (open.includes(m) || answered(m)) && !mine.some((h) => h.offered === m.offered && h.at === m.at));
  const all = [...mine, ...theirs.map((m) => ({ ...m }))];
  all.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return { mismatches: all.slice(0, CONTACT_KEY_LIMITS.mismatches), lastMatchAt };
}

function copyOtherKeys(backup: BackedUpOtherKeysRecord): OtherKeysRecord {
  return { ...backup, keys: backup.keys.map((k) => ({ ...k, ...(k.previous ? { previous: [...k.previous] } : {}) })), ...(backup.mismatches ? { mismatches: backup.mismatches.map((m) => ({ ...m })) } : {}) };
}

function earlier(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}
