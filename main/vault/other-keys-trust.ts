/**
 * Trust decisions on other apps' keys (OMEMO devices, OpenPGP keys), the same policy as for X.509 keys
 * (main/keys/trust-policy.ts decideTrust): what the stored record says happened to a key, in the terms
 * the policy reads, and what verifying and accepting do to the records. Pure: the service
 * (main/services/other-app-keys.ts) reads and writes, this decides.
 *
 * - A removed device or key is withdrawn; one whose fingerprint changed (or that took another's place)
 *   is 'changed' until the user verifies or accepts it; a verified one stays verified until its
 *   fingerprint changes (main/vault/other-keys.ts mergeReading clears both marks then).
 * - Taking a verification back leaves the key as the policy judges it without that verification: a
 *   'changed' warning the verification cleared comes back (the user compared, never accepted the
 *   change), an acceptance made before it counts again, else the key is as if seen and never compared.
 *   The comparison itself still happened and matched: the record's lastMatchAt stays, so a mismatch
 *   it answered does not sound again (as ContactTrustRecord.lastMatchAt for X.509 keys).
 * - Verifying compares with the CURRENT keys only (never a removed one, never an empty fingerprint); an
 *   OMEMO identity key on both lists (eu.siacs.conversations.axolotl and urn:xmpp:omemo:2) has one
 *   fingerprint, so one comparison verifies both entries.
 */
import { CONTACT_KEY_LIMITS } from '../../contract/limits.js';
import type { KeyHistory } from '../keys/trust-policy.js';
import type { OtherKeyRecord, OtherKeysRecord } from './schema.js';

/** The record as decideTrust reads it. */
export function historyOf(record: OtherKeyRecord): KeyHistory {
  const trust = record.removedAt !== undefined ? 'retracted' : record.changedAt !== undefined ? 'changed' : record.verifiedAt !== undefined ? 'verified' : 'unverified';
  return { trust, firstSeen: record.firstSeen, acceptedAt: record.acceptedAt, forAnotherAddress: record.forAnotherAddress };
}

/** A key still listed whose fingerprint (read at least once) is `fingerprint`. */
export function isCurrent(record: OtherKeyRecord, fingerprint: string): boolean {
  return record.removedAt === undefined && record.fingerprint !== '' && record.fingerprint === fingerprint;
}

/**
 * Verifies every current key with `fingerprint` (its warning clears) and records when a comparison last
 * matched (`lastMatchAt`: the mismatches before it are answered, even once this verification is taken
 * back); when none has it, records the mismatch (newest first, at most CONTACT_KEY_LIMITS.mismatches)
 * and verifies nothing.
 */
export function verifyFingerprint(stored: OtherKeysRecord, fingerprint: string, now: Date): { record: OtherKeysRecord; matched: boolean } {
  const at = now.toISOString();
  // A key issued for another address is never verified as the contact's (OtherAppKeys.verify says so first).
  const matched = stored.keys.some((k) => isCurrent(k, fingerprint) && k.forAnotherAddress !== true);
  if (!matched) {
    const mismatches = [{ offered: fingerprint, at, via: 'typed' as const }, ...(stored.mismatches ?? [])].slice(0, CONTACT_KEY_LIMITS.mismatches);
    return { record: { ...stored, mismatches }, matched };
  }
  const keys = stored.keys.map((k) => {
    if (!isCurrent(k, fingerprint) || k.forAnotherAddress === true) return k;
    // The warning clears; what cleared it is kept so that taking the verification back restores it.
    const { changedAt, ...rest } = k;
    return { ...rest, verifiedAt: at, ...(changedAt !== undefined ? { clearedChangeAt: changedAt } : {}) };
  });
  return { record: { ...stored, keys, lastMatchAt: at }, matched };
}

/**
 * Takes back the verification of every current key with `fingerprint`: a change the verification
 * cleared is a warning again, an earlier acceptance stands, else the policy decides as for a key never
 * compared. 'unknown' when no current key has that fingerprint, 'not-verified' when none of them is.
 */
export function unverifyFingerprint(
  stored: OtherKeysRecord,
  fingerprint: string,
): { record: OtherKeysRecord; outcome: 'unverified' | 'unknown' | 'not-verified' } {
  const current = stored.keys.filter((k) => isCurrent(k, fingerprint));
  if (current.length === 0) return { record: stored, outcome: 'unknown' };
  if (!current.some((k) => k.verifiedAt !== undefined)) return { record: stored, outcome: 'not-verified' };
  const keys = stored.keys.map((k) => {
    if (!isCurrent(k, fingerprint) || k.verifiedAt === undefined) return k;
    const { verifiedAt: _verified, clearedChangeAt, ...rest } = k;
    return clearedChangeAt !== undefined ? { ...rest, changedAt: clearedChangeAt } : rest;
  });
  return { record: { ...stored, keys }, outcome: 'unverified' };
}

/** Clears the warning of every current, changed key with `fingerprint` without comparing; false if none. */
export function acceptFingerprint(stored: OtherKeysRecord, fingerprint: string, now: Date): { record: OtherKeysRecord; accepted: boolean } {
  const at = now.toISOString();
  const accepted = stored.keys.some((k) => isCurrent(k, fingerprint) && k.changedAt !== undefined);
  const keys = stored.keys.map((k) => {
    if (!isCurrent(k, fingerprint) || k.changedAt === undefined) return k;
    const { changedAt: _changed, ...rest } = k;
    return { ...rest, acceptedAt: at };
  });
  return { record: { ...stored, keys }, accepted };
}
