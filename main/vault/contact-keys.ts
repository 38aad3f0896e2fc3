/**
 * Trust on first use for contacts' keys, as pure functions over the stored records.
 *
 * States: 'unverified' (seen, not compared), 'verified' (the user compared fingerprints),
 * 'changed' (appeared while a key we had seen or verified disappeared: someone may have replaced it;
 * this must be loud), 'retracted' (the contact removed it from their node).
 */
import type { ContactKeyRecord } from './schema.js';

export interface SeenKey {
  fingerprint: string;
  /** base64 DER, when the item carried a certificate. */
  certificate?: string;
}

export type KeyChangeKind = 'new' | 'changed' | 'retracted' | 'reappeared';

export interface KeyChange {
  kind: KeyChangeKind;
  fingerprint: string;
  /** For 'changed': the fingerprints that disappeared at the same time. */
  replaces?: string[];
}

const isActive = (k: ContactKeyRecord) => k.trust !== 'retracted';

/**
 * Merges the complete set of keys a contact publishes now (an items request answered) into what we
 * knew. A key missing from a complete set was retracted.
 */
export function mergeFullKeySet(
  known: readonly ContactKeyRecord[],
  current: readonly SeenKey[],
  now: Date,
): { keys: ContactKeyRecord[]; changes: KeyChange[] } {
  const at = now.toISOString();
  const currentIds = new Set(current.map((k) => k.fingerprint));
  const changes: KeyChange[] = [];
  const keys: ContactKeyRecord[] = [];

  // Keys this fetch finds gone; and, when none of the known keys is still published, those retracted
  // earlier too (a retract notification may have arrived before the new key: still a replacement).
  const vanishedNow = known.filter((k) => isActive(k) && !currentIds.has(k.fingerprint)).map((k) => k.fingerprint);
  const stillPresent = known.some((k) => currentIds.has(k.fingerprint));
  const retractedEarlier = stillPresent
    ? []
    : known.filter((k) => !isActive(k) && !currentIds.has(k.fingerprint)).map((k) => k.fingerprint);
  const vanished = [...vanishedNow, ...retractedEarlier];

  for (const old of known) {
    if (currentIds.has(old.fingerprint)) continue;
    if (isActive(old)) {
      keys.push({ ...old, trust: 'retracted', retractedAt: at });
      changes.push({ kind: 'retracted', fingerprint: old.fingerprint });
    } else {
      keys.push({ ...old });
    }
  }

  for (const seen of current) {
    const old = known.find((k) => k.fingerprint === seen.fingerprint);
    if (old) {
      const certificate = old.certificate ?? seen.certificate;
      const updated: ContactKeyRecord = { ...old, lastSeen: at, ...(certificate ? { certificate } : {}) };
      if (old.trust === 'retracted') {
        // A retracted key published again is not silently trusted again.
        delete updated.retractedAt;
        updated.trust = vanishedNow.length > 0 ? 'changed' : 'unverified';
        changes.push({ kind: 'reappeared', fingerprint: seen.fingerprint });
      }
      keys.push(updated);
      continue;
    }
    const replaced = vanished.length > 0;
    keys.push({
      fingerprint: seen.fingerprint,
      ...(seen.certificate ? { certificate: seen.certificate } : {}),
      firstSeen: at,
      lastSeen: at,
      trust: replaced ? 'changed' : 'unverified',
      ...(replaced ? { replaces: vanished } : {}),
    });
    changes.push(replaced ? { kind: 'changed', fingerprint: seen.fingerprint, replaces: vanished } : { kind: 'new', fingerprint: seen.fingerprint });
  }
  return { keys, changes };
}

/** A retract notification for one item (XEP-0060 §7.2.2.1). */
export function markRetracted(
  known: readonly ContactKeyRecord[],
  fingerprint: string,
  now: Date,
): { keys: ContactKeyRecord[]; changes: KeyChange[] } {
  const target = known.find((k) => k.fingerprint === fingerprint);
  if (!target || !isActive(target)) return { keys: known.map((k) => ({ ...k })), changes: [] };
  return {
    keys: known.map((k) => (k.fingerprint === fingerprint ? { ...k, trust: 'retracted', retractedAt: now.toISOString() } : { ...k })),
    changes: [{ kind: 'retracted', fingerprint }],
  };
}

/** The user compared the fingerprint out of band and it matched. */
export function markVerified(known: readonly ContactKeyRecord[], fingerprint: string, now: Date): ContactKeyRecord[] {
  return known.map((k) => {
    if (k.fingerprint !== fingerprint || !isActive(k)) return { ...k };
    const { replaces: _replaced, ...rest } = k;
    return { ...rest, trust: 'verified', verifiedAt: now.toISOString() };
  });
}
