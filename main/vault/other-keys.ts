/**
 * Change detection for other apps' keys, with trust on first use (contract/devices.ts): what one reading
 * of an account's OMEMO device lists and OpenPGP key list makes of the stored records. Pure: the service
 * reads, this decides, the store keeps.
 *
 * - An OMEMO device is known by its protocol and device id (XEP-0384 §5.1: the id names the device for
 *   as long as it exists). Its fingerprint changing is the warning: another identity key under the same
 *   device id is what an attacker who took over the account's PEP would publish. A device whose bundle
 *   went missing keeps its last fingerprint, so taking the bundle away and publishing another later
 *   still warns.
 * - An OpenPGP key is known by its fingerprint (XEP-0373 §4.2). A key that appears in the same reading in
 *   which a known key left the list took its place: 'changed', with the keys it replaced.
 * - Whatever the first reading of an account finds is trusted on first use ('known'); later arrivals are
 *   'new' for a week; a device or key the list no longer names is kept as removed (the most recent
 *   OTHER_KEY_LIMITS.removedKeys of them).
 * - A protocol whose list could not be read (refused, unreachable, broken) changes nothing: its devices
 *   are not "removed" because a server did not answer.
 */
import type { OtherKeyProtocol, OtherKeyState } from '../../contract/index.js';
import { OTHER_KEY_LIMITS } from '../../contract/limits.js';
import type { OtherKeyRecord, OtherKeysRecord } from './schema.js';

/** lastSeen is kept to the hour, so a reading that finds nothing new costs no vault write. */
export const LAST_SEEN_RESOLUTION_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** One device or key as a reading found it. */
export interface Sighting {
  protocol: OtherKeyProtocol;
  deviceId?: number;
  /** '' when its bundle or key data could not be read this time. */
  fingerprint: string;
  label?: string;
  created?: string;
  algorithm?: string;
  bits?: number;
  bundleDigest?: string;
}

/** A reading: for each protocol whose list was read, everything it named; absent protocols were not read. */
export type Reading = Partial<Record<OtherKeyProtocol, Sighting[]>>;

export interface OtherKeyChange {
  kind: 'new' | 'changed' | 'removed' | 'reappeared';
  protocol: OtherKeyProtocol;
  deviceId?: number;
  fingerprint: string;
  previous?: string[];
}

function sameKey(record: OtherKeyRecord, sighting: Sighting): boolean {
  if (record.protocol !== sighting.protocol) return false;
  return sighting.protocol === 'openpgp' ? record.fingerprint === sighting.fingerprint : record.deviceId === sighting.deviceId;
}

/**
 * The records after `reading` at time `now`, the changes a person should hear about, and whether
 * anything needs writing.
 */
export function mergeReading(
  stored: OtherKeysRecord | undefined,
  reading: Reading,
  now: Date,
): { record: OtherKeysRecord; changes: OtherKeyChange[]; dirty: boolean } {
  const at = now.toISOString();
  const firstReading = stored === undefined;
  const keys: OtherKeyRecord[] = (stored?.keys ?? []).map((k) => ({ ...k }));
  const changes: OtherKeyChange[] = [];
  // The first reading is the first that read a list: one that read none (every list refused, failed or
  // unreachable) learned nothing, so it writes nothing and what a later reading finds is still first use
  // (a sign-in reading 5,000 contacts on a server that answers none of them costs no vault write).
  let dirty = firstReading && Object.keys(reading).length > 0;

  for (const protocol of Object.keys(reading) as OtherKeyProtocol[]) {
    const sightings = reading[protocol] ?? [];
    const matched = new Set<OtherKeyRecord>();
    const arrived: OtherKeyRecord[] = [];
    for (const sighting of sightings) {
      const record = keys.find((k) => sameKey(k, sighting));
      if (!record) {
        const fresh: OtherKeyRecord = { ...withoutUndefined(sighting), firstSeen: at, lastSeen: at };
        if (sighting.bundleDigest !== undefined) fresh.bundleSince = at;
        keys.push(fresh);
        matched.add(fresh);
        arrived.push(fresh);
        dirty = true;
        continue;
      }
      matched.add(record);
      if (record.removedAt !== undefined) {
        delete record.removedAt;
        record.lastSeen = at;
        dirty = true;
        changes.push({ kind: 'reappeared', ...identity(record) });
      }
      if (sighting.fingerprint !== '' && record.fingerprint !== sighting.fingerprint) {
        if (record.fingerprint !== '') {
          record.previous = [record.fingerprint, ...(record.previous ?? [])].slice(0, OTHER_KEY_LIMITS.previousFingerprints);
          record.changedAt = at;
          // What the user verified or accepted was the old key: the new one is judged afresh.
          delete record.verifiedAt;
          delete record.acceptedAt;
          delete record.clearedChangeAt;
          changes.push({ kind: 'changed', ...identity({ ...record, fingerprint: sighting.fingerprint }), previous: record.previous });
        }
        record.fingerprint = sighting.fingerprint;
        dirty = true;
      }
      dirty = refresh(record, sighting, at, now) || dirty;
    }
    // What the list no longer names.
    const gone: OtherKeyRecord[] = [];
    for (const record of keys) {
      if (record.protocol !== protocol || matched.has(record) || record.removedAt !== undefined) continue;
      record.removedAt = at;
      gone.push(record);
      dirty = true;
      changes.push({ kind: 'removed', ...identity(record) });
    }
    for (const record of arrived) {
      const replaced = protocol === 'openpgp' ? gone.map((g) => g.fingerprint).filter((f) => f !== '') : [];
      if (!firstReading && replaced.length > 0) {
        record.previous = replaced.slice(0, OTHER_KEY_LIMITS.previousFingerprints);
        record.changedAt = at;
        changes.push({ kind: 'changed', ...identity(record), previous: record.previous });
      } else if (!firstReading) {
        changes.push({ kind: 'new', ...identity(record) });
      }
    }
  }
  return { record: { ...stored, firstRead: stored?.firstRead ?? at, keys: pruneRemoved(keys) }, changes, dirty };
}

/** lastSeen (to the hour), the details that may move (label, bundle digest); true when anything changed. */
function refresh(record: OtherKeyRecord, sighting: Sighting, at: string, now: Date): boolean {
  let changed = false;
  if (now.getTime() - Date.parse(record.lastSeen) >= LAST_SEEN_RESOLUTION_MS) {
    record.lastSeen = at;
    changed = true;
  }
  for (const field of ['label', 'created', 'algorithm', 'bits'] as const) {
    if (sighting[field] !== undefined && record[field] !== sighting[field]) {
      Object.assign(record, { [field]: sighting[field] });
      changed = true;
    }
  }
  if (sighting.bundleDigest !== undefined && record.bundleDigest !== sighting.bundleDigest) {
    record.bundleDigest = sighting.bundleDigest;
    record.bundleSince = at;
    changed = true;
  }
  return changed;
}

/** Keeps every current record and the most recently removed ones. */
function pruneRemoved(keys: OtherKeyRecord[]): OtherKeyRecord[] {
  const removed = keys.filter((k) => k.removedAt !== undefined).sort((a, b) => (b.removedAt ?? '').localeCompare(a.removedAt ?? ''));
  const dropped = new Set(removed.slice(OTHER_KEY_LIMITS.removedKeys));
  return keys.filter((k) => !dropped.has(k));
}

function identity(record: { protocol: OtherKeyProtocol; deviceId?: number; fingerprint: string }): Omit<OtherKeyChange, 'kind'> {
  return record.deviceId === undefined
    ? { protocol: record.protocol, fingerprint: record.fingerprint }
    : { protocol: record.protocol, deviceId: record.deviceId, fingerprint: record.fingerprint };
}

function withoutUndefined(sighting: Sighting): Omit<OtherKeyRecord, 'firstSeen' | 'lastSeen'> {
  return Object.fromEntries(Object.entries(sighting).filter(([, v]) => v !== undefined)) as Omit<OtherKeyRecord, 'firstSeen' | 'lastSeen'>;
}

/** The state a record shows (contract/devices.ts OtherKeyState). */
export function stateOf(record: OtherKeyRecord, of: OtherKeysRecord, now: Date): OtherKeyState {
  if (record.removedAt !== undefined) return 'removed';
  if (record.changedAt !== undefined) return 'changed';
  const isLater = record.firstSeen > of.firstRead;
  return isLater && now.getTime() - Date.parse(record.firstSeen) < OTHER_KEY_LIMITS.newForDays * DAY_MS ? 'new' : 'known';
}

/** An own device that looks abandoned (contract/devices.ts OtherKeyView.stale). */
export function staleness(record: OtherKeyRecord, hasBundle: boolean, now: Date): 'no-bundle' | 'quiet' | undefined {
  if (record.protocol === 'openpgp' || record.removedAt !== undefined) return undefined;
  if (!hasBundle) return 'no-bundle';
  const since = record.bundleSince ?? record.firstSeen;
  return now.getTime() - Date.parse(since) >= OTHER_KEY_LIMITS.staleAfterDays * DAY_MS ? 'quiet' : undefined;
}
