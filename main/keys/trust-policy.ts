/**
 * What a trust policy makes of a contact's key: pure, so the whole table is tested at once
 * (test/unit/keys/trust-policy.test.ts). The stored record says what happened to the key (seen,
 * verified by the user, appeared as a replacement, withdrawn, accepted); the policy says whether the
 * app counts on it.
 *
 * - 'tofu' (trust on first use, the default): a key is trusted from the first time it is seen; a key
 *   that replaced one the user had seen is not, until the user verifies or accepts it (a record that
 *   still names what it replaced is a change, whatever its state says: withdrawing and publishing the
 *   key again clears nothing).
 * - 'btbv' (blind trust before verification): like tofu until the user verifies any key of the contact;
 *   keys first seen after that need verifying before they are trusted (the user chose to check this
 *   contact, so the app stops guessing). Keys seen before the first verification stay trusted. Before
 *   or after is the order the records were written in (seenAfterFirstVerification) where the record
 *   knows it, so a clock that jumped back cannot date a new key before the verification.
 * - 'manual': only keys the user verified are trusted.
 *
 * Withdrawn keys are never trusted, whatever they were: their owner took them back. A key issued for
 * another address (an OpenPGP key whose User IDs do not name the contact) is never trusted. Revoked keys (a
 * revocation statement their owner signed, docs/key-lifecycle.md) are never trusted nor "Verified",
 * whether still published or not.
 */
import type { KeyTrustDecision, TrustPolicy, TrustState } from '../../contract/domain.js';

export const DEFAULT_TRUST_POLICY: TrustPolicy = 'tofu';

export interface KeyHistory {
  trust: TrustState;
  firstSeen: string;
  /** When the user accepted a changed key without comparing (the warning cleared). */
  acceptedAt?: string | undefined;
  /** Its owner revoked it (a revocation that verified). */
  revoked?: boolean | undefined;
  /** What it appeared to replace: a change, until the user accepts (which drops this) or verifies it. */
  replaces?: readonly string[] | undefined;
  /** Whether the contact had a verification when it was first seen; absent in older records (dates decide). */
  seenAfterFirstVerification?: boolean | undefined;
  /** Issued for another address than the contact's (an OpenPGP key without their "xmpp:" User ID). */
  forAnotherAddress?: boolean | undefined;
}

export interface ContactHistory {
  /** When the user first verified any key of this contact; absent if never. */
  firstVerifiedAt?: string | undefined;
}

export function decideTrust(policy: TrustPolicy, key: KeyHistory, contact: ContactHistory): KeyTrustDecision {
  if (key.revoked) return 'revoked';
  // Someone else's key published under the contact's name is never counted on as theirs, verified or not
  // (XEP-0373 §5.1: the key must name the sender); once withdrawn it is just withdrawn.
  if (key.forAnotherAddress && key.trust !== 'retracted') return 'untrusted';
  switch (key.trust) {
    case 'retracted':
      return 'withdrawn';
    case 'verified':
      return 'verified';
    case 'changed':
      return 'changed';
    case 'unverified':
      break;
  }
  if (key.replaces !== undefined && key.acceptedAt === undefined) return 'changed';
  if (policy === 'manual') return 'untrusted';
  if (key.acceptedAt) return 'trusted';
  if (policy === 'btbv' && contact.firstVerifiedAt !== undefined && seenAfterFirstVerification(key, contact.firstVerifiedAt)) return 'untrusted';
  return 'trusted';
}

/** The record's word when it has one (the order of events); else its dates, for records written before. */
function seenAfterFirstVerification(key: KeyHistory, firstVerifiedAt: string): boolean {
  if (key.seenAfterFirstVerification !== undefined) return key.seenAfterFirstVerification;
  return !(Date.parse(key.firstSeen) < Date.parse(firstVerifiedAt));
}

/** The policy that applies to a contact: theirs when the user set one, else the account's. */
export function effectivePolicy(account: TrustPolicy | undefined, contact: TrustPolicy | undefined): { policy: TrustPolicy; source: 'contact' | 'account' } {
  if (contact) return { policy: contact, source: 'contact' };
  return { policy: account ?? DEFAULT_TRUST_POLICY, source: 'account' };
}
