/**
 * Whether a contact's new key continues one we knew, and so what trust it starts with: the pure
 * decision the trust layer (contact-keys.ts, mergeFullKeySet) applies to a key it found new or
 * 'changed'.
 *
 * A new key continues a known one when
 *   - its item carries a succession statement (main/keys/succession.ts) that the known key's
 *     certificate, as we stored it, verifies; or
 *   - its certificate carries the same public key as a known one (a renewal: only the holder of that
 *     key can self-sign a certificate for it, so no statement is needed to know it is theirs).
 * It then inherits the known key's trust: "continues a key you verified" when that one was verified,
 * no change warning when it was merely seen, and the old warning when that one was itself an
 * unexplained change. Nothing else gives continuity: a missing, forged or unverifiable statement
 * leaves the ordinary outcome (a new key, or the loud 'changed' warning), with the reason why.
 *
 * It never continues from a key its owner revoked as compromised (or for no reason given): whoever
 * holds that key could have signed the statement. A key vouches for one successor only: once a key we
 * saw continues it by a succession, a statement for a second one gives no continuity; nor does a
 * statement dated after the key's own revocation (superseded or retired: its owner stopped guarding
 * it), nor a new certificate of that key that begins after it. Both dates are the key's own word, so a thief may backdate: the one-successor rule is what holds
 * then, when the user saw the real successor. And only a key that is itself valid (not weak, expired,
 * revoked…) inherits anything.
 */
import { X509Certificate } from 'node:crypto';
import { CLOCK_DISAGREEMENT_TOLERANCE_MS } from '../keys/clock-tolerance.js';
import type { KeyStatus, VerifiedRevocation } from '../keys/revocation.js';
import { voidsSignatures } from '../keys/revocation.js';
import { publicKeyDigest } from '../keys/signed-statement.js';
import { verifySuccession, type SuccessionProblem, type SuccessionStatement } from '../keys/succession.js';
import type { ContactKeyRecord, TrustStateName } from './schema.js';

export interface SuccessorInput {
  /** The contact who published the new key. */
  publisherJid: string;
  /** What we knew of this contact's keys (before or after merging the new set: both work). */
  known: readonly ContactKeyRecord[];
  newKey: {
    fingerprint: string;
    certificateDer: Uint8Array;
    /** Its check, revocations applied (validate.ts, then revocation.ts withRevocations). */
    status: KeyStatus;
  };
  /** The statement read from the new key's item (main/xmpp/key-statements.ts readSuccession). */
  succession?: SuccessionStatement;
  /** Revocations this contact published that verifyRevocation accepted. */
  revocations?: readonly VerifiedRevocation[];
  now?: Date;
}

export type NoContinuityCause =
  | 'no-claim'
  | 'new-key-not-valid'
  | 'unknown-predecessor'
  | 'predecessor-not-stored'
  | 'predecessor-compromised'
  | 'predecessor-superseded'
  | SuccessionProblem;

export type SuccessorDecision =
  | {
      kind: 'continues';
      /** The known key it continues. */
      from: string;
      basis: 'succession' | 'same-key';
      /** What the new key's record starts with. */
      trust: Exclude<TrustStateName, 'retracted'>;
      /** True: show "continues a key you verified". */
      continuesVerified: boolean;
    }
  | { kind: 'no-continuity'; cause: NoContinuityCause; reason: string };

export function decideSuccessorTrust(input: SuccessorInput): SuccessorDecision {
  try {
    return decide(input);
  } catch {
    return none('no-claim', 'Nothing shows that this key continues an earlier one.');
  }
}

function decide({ publisherJid, known, newKey, succession, revocations = [], now }: SuccessorInput): SuccessorDecision {
  const newFingerprint = newKey.fingerprint.toLowerCase();
  const others = known.filter((k) => k.fingerprint !== newFingerprint);
  // Weak, expired, revoked or not this contact's: it inherits nothing. Not yet valid (its owner's clock
  // ran more than a day ahead of ours, clock-tolerance.ts) is no doubt about who made it: it may continue
  // a key, and shows "not yet valid" beside that until our clock reaches its start. Decided once, at
  // first sight (contact-key-lifecycle.ts), so refusing it here would leave it "changed" for good.
  if (newKey.status !== 'valid' && newKey.status !== 'not-yet-valid') {
    return none('new-key-not-valid', 'The new key is not valid, so it inherits no trust.');
  }

  // A renewal: the same public key under a new certificate. The most trusted such record wins. The
  // digest parses the certificate; a contact's first key has nothing to compare it with, so it is only
  // computed when there is (on a bulk fetch of new contacts it was half the CPU time).
  const candidates = others.filter((k) => k.certificate !== undefined);
  const newDigest = candidates.length === 0 ? undefined : publicKeyDigest(newKey.certificateDer);
  const sameKey = newDigest === undefined ? [] : candidates.filter((k) => digestOf(k.certificate as string) === newDigest);
  if (sameKey.length > 0) {
    // A compromised key's revocation covers all its certificates (withRevocations); checked again here.
    if (sameKey.some((k) => isCompromised(k, revocations))) return compromised();
    // A certificate its owner retired or superseded before the new one begins was no longer guarded:
    // whoever found its private half later can mint a certificate for it, as they could sign a
    // succession, so the same date rule holds (revokedBefore). Not any revocation at all: superseded
    // and retired name one certificate (docs/key-lifecycle.md), and an owner who renews and then
    // revokes the older certificate as superseded by the renewal keeps the key; the renewal, begun
    // before that revocation, still continues it. The start is the certificate's own word, so a thief
    // may backdate it, as a succession's date: the rule stops a certificate made openly after.
    const start = sameKey.some((k) => hasRevocation(k, revocations)) ? certificateStart(newKey.certificateDer) : undefined;
    const standing = start === undefined ? sameKey : sameKey.filter((k) => !revokedBefore(k, start, revocations));
    const renewed = [...standing].sort((a, b) => rank(a) - rank(b))[0];
    if (renewed === undefined) {
      return none('predecessor-superseded', 'Its owner revoked this key before this certificate for it begins, so the new certificate inherits no trust.');
    }
    return continues(renewed, 'same-key');
  }

  if (succession === undefined) return none('no-claim', 'Nothing shows that this key continues an earlier one.');
  const predecessor = others.find((k) => k.fingerprint === succession.old);
  if (predecessor === undefined) {
    return none('unknown-predecessor', 'The key says it continues a key this app never saw from this contact.');
  }
  if (predecessor.certificate === undefined) {
    return none('predecessor-not-stored', 'The key it says it continues was not kept, so the claim cannot be checked.');
  }
  const check = verifySuccession(succession, {
    publisherJid,
    newFingerprint,
    oldCertificateDer: Buffer.from(predecessor.certificate, 'base64'),
    ...(now ? { now } : {}),
  });
  if (!check.valid) return none(check.problem, check.reason);
  if (isCompromised(predecessor, revocations)) return compromised();
  const successor = others.find((k) => k.continues?.basis === 'succession' && k.continues.fingerprint === predecessor.fingerprint);
  if (successor !== undefined) {
    return none('predecessor-superseded', 'The key it says it continues already has another successor, so its word for a second one does not count.');
  }
  if (revokedBefore(predecessor, check.date, revocations)) {
    return none('predecessor-superseded', 'The key it says it continues was revoked by its owner before this claim was dated, so its word no longer counts.');
  }
  return continues(predecessor, 'succession');
}

/**
 * A revocation of this very key (any reason) dated before `date`: the key was out of use when it signed.
 * Before by more than clocks disagree (clock-tolerance.ts): the two dates may come from two devices of
 * the owner, one of them hours off, and a revocation made after the rotation must not void it. (Both
 * dates are the signer's word, so this never stopped someone holding the key from dating a claim
 * earlier; it catches only a claim its owner made after retiring the key.)
 */
function revokedBefore(record: ContactKeyRecord, date: string, revocations: readonly VerifiedRevocation[]): boolean {
  const signedAt = Date.parse(date);
  const own = [...revocations.filter((r) => r.fingerprint === record.fingerprint), ...(record.revocation ? [record.revocation] : [])];
  return own.some((r) => Date.parse(r.date) + CLOCK_DISAGREEMENT_TOLERANCE_MS < signedAt);
}

/** Whether a revocation of this very certificate (any reason) is known. */
function hasRevocation(record: ContactKeyRecord, revocations: readonly VerifiedRevocation[]): boolean {
  return record.revocation !== undefined || revocations.some((r) => r.fingerprint === record.fingerprint);
}

/** The certificate's notBefore (RFC 5280 §4.1.2.5), as the date revokedBefore compares. */
function certificateStart(der: Uint8Array): string {
  return new Date(new X509Certificate(der).validFrom).toISOString();
}

/** Whether we once verified this key (a withdrawn key keeps verifiedAt). */
function wasVerified(record: ContactKeyRecord): boolean {
  return record.trust === 'verified' || (record.trust === 'retracted' && record.verifiedAt !== undefined);
}

function continues(from: ContactKeyRecord, basis: 'succession' | 'same-key'): SuccessorDecision {
  const verified = wasVerified(from);
  // A withdrawn record has lost its former state: 'replaces' is what marks one that was a change.
  const trust = verified ? 'verified' : from.trust === 'changed' || from.replaces !== undefined ? 'changed' : 'unverified';
  return { kind: 'continues', from: from.fingerprint, basis, trust, continuesVerified: verified };
}

function isCompromised(record: ContactKeyRecord, revocations: readonly VerifiedRevocation[]): boolean {
  if (!revocations.some((r) => voidsSignatures(r.reason))) return false;
  const digest = record.certificate === undefined ? undefined : digestOf(record.certificate);
  return revocations.some(
    (r) => voidsSignatures(r.reason) && (r.fingerprint === record.fingerprint || (digest !== undefined && r.publicKeyDigest === digest)),
  );
}

function compromised(): SuccessorDecision {
  return none('predecessor-compromised', 'The key it continues was revoked by its owner as compromised, so its word no longer counts.');
}

function none(cause: NoContinuityCause, reason: string): SuccessorDecision {
  return { kind: 'no-continuity', cause, reason };
}

const TRUST_RANK: Record<TrustStateName, number> = { verified: 0, unverified: 1, retracted: 2, changed: 3 };
function rank(record: ContactKeyRecord): number {
  return wasVerified(record) ? 0 : TRUST_RANK[record.trust];
}

function digestOf(certificateBase64: string): string | undefined {
  return publicKeyDigest(Buffer.from(certificateBase64, 'base64'));
}
