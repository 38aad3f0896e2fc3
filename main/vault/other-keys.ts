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
 *   which a known key left the list took its place: 'changed', with the keys it replaced; so does one
 *   that appears when no known key is listed any more (the list emptied first, another key listed
 *   later: the same swap in two steps).
 * - Whatever the first reading of an account finds is trusted on first use ('known'); later arrivals are
 *   'new' for a week; a device or key the list no longer names is kept as removed (at most
 *   OTHER_KEY_LIMITS.removedKeys of them, those the user relied on kept longest: pruneRemoved).
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
  /** OpenPGP, when its key data was read: whether a User ID names the account (undefined: not read this time). */
  namesAccount?: boolean;
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
        const { namesAccount, ...seen } = sighting;
        const fresh: OtherKeyRecord = { ...withoutUndefined(seen), firstSeen: at, lastSeen: at, ...(namesAccount === false ? { forAnotherAddress: true as const } : {}) };
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
    const replaced = protocol === 'openpgp' ? replacedKeys(keys, protocol, matched, arrived, gone) : [];
    for (const record of arrived) {
      if (!firstReading && replaced.length > 0) {
        record.previous = replaced.slice(0, OTHER_KEY_LIMITS.previousFingerprints);
        record.changedAt = at;
        changes.push({ kind: 'changed', ...identity(record), previous: record.previous });
      } else if (!firstReading) {
        changes.push({ kind: 'new', ...identity(record) });
      }
    }
  }
  const firstRead = stored?.firstRead ?? at;
  return { record: { ...stored, firstRead, keys: pruneRemoved(keys, firstRead) }, changes, dirty };
}

/**
 * The OpenPGP keys a key that arrived in this reading takes the place of: those that left the list in
 * this reading and, when no key the vault knew is listed any more, those that left it earlier too. A
 * key swapped in two steps (the list emptied, another key listed later) is the same replacement as one
 * swapped at once, as for X.509 keys (contact-keys.ts mergeFullKeySet, retractedEarlier).
 */
function replacedKeys(
  keys: readonly OtherKeyRecord[],
  protocol: OtherKeyProtocol,
  matched: ReadonlySet<OtherKeyRecord>,
  arrived: readonly OtherKeyRecord[],
  gone: readonly OtherKeyRecord[],
): string[] {
  const ofProtocol = keys.filter((k) => k.protocol === protocol);
  const knownStillListed = ofProtocol.some((k) => matched.has(k) && !arrived.includes(k));
  const leftEarlier = knownStillListed ? [] : ofProtocol.filter((k) => k.removedAt !== undefined && !gone.includes(k));
  // Newest departures first: previous is capped, and the key just replaced matters most.
  const earlier = [...leftEarlier].sort((a, b) => (b.removedAt ?? '').localeCompare(a.removedAt ?? ''));
  return [...gone, ...earlier].map((k) => k.fingerprint).filter((f) => f !== '');
}

/**
 * The account's known devices or keys of `protocol`, in the order a capped list reader keeps them
 * (main/protocols/kept-first.ts): those the user verified or accepted, then those with an unanswered
 * change (the warning must stay in sight), then the other current ones, then the removed ones (most
 * recently removed first).
 */
export function knownFirst(stored: OtherKeysRecord | undefined, protocol: OtherKeyProtocol): OtherKeyRecord[] {
  const rank = (k: OtherKeyRecord) =>
    k.removedAt !== undefined ? 3 : k.verifiedAt !== undefined || k.acceptedAt !== undefined ? 0 : k.changedAt !== undefined ? 1 : 2;
  return (stored?.keys ?? [])
    .filter((k) => k.protocol === protocol)
    .sort((a, b) => rank(a) - rank(b) || (b.removedAt ?? '').localeCompare(a.removedAt ?? ''));
}

/** lastSeen (to the hour), the details that may move (label, bundle digest, User IDs); true when anything changed. */
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
  // A User ID is added to or taken off a key without changing its fingerprint: each reading of its data decides.
  if (sighting.namesAccount === false && record.forAnotherAddress !== true) {
    record.forAnotherAddress = true;
    changed = true;
  } else if (sighting.namesAccount === true && record.forAnotherAddress === true) {
    delete record.forAnotherAddress;
    changed = true;
  }
  return changed;
}

/**
 * Keeps every current record and at most OTHER_KEY_LIMITS.removedKeys removed ones. A removed record is
 * what makes a device id coming back with another identity key 'changed' rather than 'new', so the
 * records the user relied on go last, whatever else comes and goes: a flood of throw-away device ids,
 * listed and dropped, must not erase the memory of a verified device. Kept first to last:
 *   1. verified or accepted by the user;
 *   2. trusted without being asked: a fingerprint, no unanswered change, and found by the first reading
 *      or listed for at least OTHER_KEY_LIMITS.newForDays (a throw-away device is listed briefly);
 *   3. any other with a fingerprint (short-lived, or removed with a change unanswered);
 *   4. never with a readable key: nothing to compare a later key with.
 * Within each, the most recently removed first.
 */
function pruneRemoved(keys: OtherKeyRecord[], firstRead: string): OtherKeyRecord[] {
  const removed = keys
    .filter((k) => k.removedAt !== undefined)
    .sort((a, b) => reliance(b, firstRead) - reliance(a, firstRead) || (b.removedAt ?? '').localeCompare(a.removedAt ?? ''));
  const dropped = new Set(removed.slice(OTHER_KEY_LIMITS.removedKeys));
  return keys.filter((k) => !dropped.has(k));
}

/** How much the user relied on a removed record (pruneRemoved): 3 verified or accepted … 0 no key. */
function reliance(record: OtherKeyRecord, firstRead: string): number {
  if (record.verifiedAt !== undefined || record.acceptedAt !== undefined) return 3;
  if (record.fingerprint === '') return 0;
  if (record.changedAt !== undefined) return 1;
  const listedFor = Date.parse(record.removedAt ?? record.lastSeen) - Date.parse(record.firstSeen);
  return record.firstSeen <= firstRead || listedFor >= OTHER_KEY_LIMITS.newForDays * DAY_MS ? 2 : 1;
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
