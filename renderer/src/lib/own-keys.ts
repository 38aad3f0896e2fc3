/** Pure helpers for the My keys screen: how a key is named, and audiences compared. */
import type { AccessModel, AccessRequest, KeyExpiry, OwnKeyView, RosterContactView } from '../../../contract';
import { capitalized, formatDay, formatWhen } from './format';

/**
 * How a key is named on screen: its label, or the day it was made here, or imported. An imported key's
 * certificate has dates of its own (it may have expired before the import, or start after it): calling
 * the import day its making would put "made" after "expired".
 */
export function keyName(key: Pick<OwnKeyView, 'label' | 'createdAt' | 'imported'>): string {
  if (key.label) return key.label;
  const day = formatDay(key.createdAt);
  if (day === '—') return 'Unnamed key';
  return key.imported ? `Key imported ${day}` : `Key made ${day}`;
}

/**
 * What an import says beyond "imported" when the key cannot serve now: its certificate has expired, or
 * starts later. Both have a way out in the app: a renewal gives the same key a certificate valid from
 * today. Undefined for a certificate valid now.
 */
export function importedValidityNote(
  key: Pick<OwnKeyView, 'expiry' | 'notYetValid' | 'notBefore' | 'notAfter'>,
  now: number,
): { problem: string; nextStep: string } | undefined {
  if (key.expiry.level === 'expired') {
    return {
      problem: `Its certificate expired on ${formatDay(key.notAfter)}: contacts’ apps refuse it.`,
      nextStep: 'Renew it (Renew… on its card) to give the same key a fresh certificate, then publish that.',
    };
  }
  if (key.notYetValid) {
    const until = notValidUntilText(key.notBefore, now);
    return {
      problem: `Its certificate is ${until.charAt(0).toLowerCase()}${until.slice(1)}: contacts’ apps may refuse it until then.`,
      nextStep: 'Wait until then, or renew it (Renew… on its card) for a certificate valid from today.',
    };
  }
  return undefined;
}

const MODELS: readonly AccessModel[] = ['open', 'presence', 'roster', 'whitelist'];

/** A recorded publication's audience as a request; undefined for a model the app does not offer. */
export function accessOf(model: string, groups?: readonly string[], allow?: readonly string[]): AccessRequest | undefined {
  const known = MODELS.find((m) => m === model);
  if (!known) return undefined;
  if (known === 'roster') return groups?.length ? { model: known, groups: [...groups] } : undefined;
  if (known === 'whitelist') return allow?.length ? { model: known, allow: [...allow] } : undefined;
  return { model: known };
}

/**
 * The contacts an audience may name, by name: the roster without the account itself (another app may
 * have put it there). The account always reads its own nodes, and main refuses a whitelist naming it: on
 * Prosody 0.12 the member affiliation would take its ownership of the node away.
 */
export function audienceContacts(roster: readonly RosterContactView[], account: string | undefined): RosterContactView[] {
  const own = account?.toLowerCase();
  // In the order a person looks one up: by the name shown (the contact's name, else the address),
  // not the roster's order (the user walk found "tybalt, nurse, romeo, benvolio").
  const shown = (c: RosterContactView) => (c.name ?? c.jid).toLocaleLowerCase();
  return roster.filter((c) => c.jid.toLowerCase() !== own).sort((a, b) => shown(a).localeCompare(shown(b)) || a.jid.localeCompare(b.jid));
}

/**
 * What an audience the chooser starts from names beyond what it offers: roster groups no contact is in
 * any more, addresses no longer in the contact list (case aside). Shown beside the others, chosen, so
 * that the person sees who the published audience names and can untick them.
 */
export function chosenBeyondRoster(
  initial: AccessRequest | undefined,
  groups: readonly string[],
  contacts: readonly RosterContactView[],
): { groups: string[]; allow: string[] } {
  const known = new Set(contacts.map((c) => c.jid.toLowerCase()));
  return {
    groups: (initial?.groups ?? []).filter((g) => !groups.includes(g)),
    allow: (initial?.allow ?? []).filter((jid) => !known.has(jid.toLowerCase())),
  };
}

/** Whether two audiences let in the same people (order of groups and addresses aside). */
export function sameAudience(a: AccessRequest, b: AccessRequest): boolean {
  if (a.model !== b.model) return false;
  // Roster group names are compared as written (XEP-0060 matches them exactly), addresses without case.
  const same = (x: readonly string[] = [], y: readonly string[] = [], fold = (v: string) => v) => {
    const left = new Set(x.map(fold));
    const right = new Set(y.map(fold));
    return left.size === right.size && [...left].every((v) => right.has(v));
  };
  if (a.model === 'roster') return same(a.groups, b.groups);
  if (a.model === 'whitelist') return same(a.allow, b.allow, (v) => v.toLowerCase());
  return true;
}

/** A published key whose certificate expires within 30 days, or has expired: time to renew it. */
export function needsRenewal(key: Pick<OwnKeyView, 'expiry' | 'publications'>): boolean {
  return key.publications.length > 0 && key.expiry.level !== 'none' && key.expiry.level !== 'unknown';
}

/** "expires in 3 days", "expires within a day", "expired 2 days ago"; empty when there is nothing to say. */
export function expiryText(expiry: KeyExpiry): string {
  switch (expiry.level) {
    case 'within-30-days':
    case 'within-7-days':
      return `expires in ${expiry.daysLeft} days`;
    case 'within-1-day':
      return 'expires within a day';
    case 'expired':
      return expiry.daysAgo === 0 ? 'expired today' : `expired ${expiry.daysAgo} day${expiry.daysAgo === 1 ? '' : 's'} ago`;
    default:
      return '';
  }
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * The badge of a key whose certificate has not started yet (main says so: OwnKeyView.notYetValid):
 * "Not valid until 11 Dec 2026", the local day as every date on the screen; within a day of its start,
 * to the minute ("Not valid until 4 Dec 2026, 14:31"), rounded up so that it is never valid later than
 * it says. An unreadable start says only that it is not valid yet.
 */
export function notValidUntilText(notBefore: string | undefined, now: number): string {
  const start = notBefore === undefined ? Number.NaN : Date.parse(notBefore);
  if (Number.isNaN(start)) return 'Not valid yet';
  if (start - now > DAY_MS) return `Not valid until ${formatDay(notBefore)}`;
  return `Not valid until ${formatWhen(new Date(Math.ceil(start / MINUTE_MS) * MINUTE_MS).toISOString())}`;
}

/**
 * The next moment (ms since the epoch) at which what main said of the keys' time (`expiry`,
 * `notYetValid`, and which key is current: a key not started or expired never is) stops holding: a
 * key's start of validity (and the day before it, from when its badge gives the minute), its end of
 * validity, or the day its "expires in N days" or "expired N days ago" counts another day. Undefined
 * when no key has a date. My keys asks main again then, so a key that starts or expires while the
 * screen is open is shown so.
 */
export function nextValidityChange(keys: readonly Pick<OwnKeyView, 'notBefore' | 'notAfter' | 'revoked'>[], now: number): number | undefined {
  let next: number | undefined;
  const consider = (at: number) => (next = next === undefined ? at : Math.min(next, at));
  for (const key of keys) {
    if (key.revoked) continue;
    const start = key.notBefore === undefined ? Number.NaN : Date.parse(key.notBefore);
    // notBefore itself is valid (RFC 5280 §4.1.2.5): main counts the key from that instant.
    if (start > now) consider(start - DAY_MS > now ? start - DAY_MS : start);
    const end = key.notAfter === undefined ? Number.NaN : Date.parse(key.notAfter);
    if (Number.isNaN(end)) continue;
    // notAfter itself is still valid (RFC 5280 §4.1.2.5): the change comes just after it, then daily.
    consider(end >= now ? end - Math.floor((end - now) / DAY_MS) * DAY_MS + 1 : end + 1 + (Math.floor((now - end - 1) / DAY_MS) + 1) * DAY_MS);
  }
  return next;
}

/**
 * The My keys reminder of keys in no backup (main counts every key not expired), said apart for keys
 * still in use and retired ones (revoked, or replaced by a renewal): a retired key is not used again,
 * but its private half is the only way to read what was encrypted to it before, so it still counts,
 * said as what it is (review walk 4, item 20: "4 of your keys" counted two retired ones as if current).
 */
export function backupReminderText(notBackedUp: readonly string[], keys: readonly Pick<OwnKeyView, 'fingerprint' | 'revoked' | 'continues'>[]): string | undefined {
  if (notBackedUp.length === 0) return undefined;
  const isRetired = (fingerprint: string) =>
    keys.some((k) => (k.fingerprint === fingerprint && k.revoked !== undefined) || k.continues === fingerprint);
  const retired = notBackedUp.filter(isRetired).length;
  const current = notBackedUp.length - retired;
  const keysText = (n: number, kind: string) => `${n === 1 ? 'one' : String(n)} ${kind} key${n === 1 ? '' : 's'}`;
  if (retired === 0) {
    return `${current === 1 ? 'One of your keys is' : `${current} of your keys are`} in no backup. If this computer is lost, ${current === 1 ? 'it is' : 'they are'} lost with it.`;
  }
  const them = retired === 1 ? 'it' : 'them';
  if (current === 0) {
    return `${capitalized(keysText(retired, 'retired'))} (revoked or replaced) ${retired === 1 ? 'is' : 'are'} in no backup. ${retired === 1 ? 'It is' : 'They are'} no longer used, but still needed to read what was encrypted to ${them} before: if this computer is lost, that can no longer be read.`;
  }
  return `${capitalized(keysText(current, 'current'))} and ${keysText(retired, 'retired')} (revoked or replaced) are in no backup. If this computer is lost, the current ${current === 1 ? 'one is' : 'ones are'} lost with it, and what was encrypted to the retired ${retired === 1 ? 'one' : 'ones'} before can no longer be read.`;
}

/** How many of `contacts` are in each of `groups` (the roster's word for who a roster-group audience lets in). */
export function groupMemberCounts(groups: readonly string[], contacts: readonly RosterContactView[]): Record<string, number> {
  return Object.fromEntries(groups.map((group) => [group, contacts.filter((c) => c.groups.includes(group)).length]));
}

/**
 * Who a roster-group audience chosen now leaves out that the one published lets in: the contacts in a
 * group published now and in none of the groups chosen (narrowing "Friends" to "Montagues" takes romeo's
 * access away, and the picker names him). Only between roster-group audiences, from the roster as the
 * window has it; in the contact list's order.
 */
export function rosterAccessLost(
  initial: AccessRequest | undefined,
  chosenGroups: readonly string[],
  contacts: readonly RosterContactView[],
): RosterContactView[] {
  if (initial?.model !== 'roster' || !initial.groups?.length) return [];
  const before = initial.groups;
  return contacts.filter((c) => c.groups.some((g) => before.includes(g)) && !c.groups.some((g) => chosenGroups.includes(g)));
}

/**
 * A revocation held back when its key was revoked (OwnKeyView.revocationUnpublished) that main has
 * published since, at a sign-in (main/services/own-revocations.ts). Said in Activity: the card's warning
 * is gone, and the person was told contacts did not know.
 */
export const HELD_BACK_REVOCATION_PUBLISHED_LINE = 'Revocation published: held back when you revoked this key, it went out at sign-in, so contacts’ apps that read it now show the key as revoked';

/** The keys of `before` whose revocation was held back and is published in `after` (the same key, still revoked). */
export function heldBackRevocationsPublished(before: readonly OwnKeyView[], after: readonly OwnKeyView[]): string[] {
  const held = new Set(before.filter((k) => k.revoked && k.revocationUnpublished).map((k) => k.fingerprint));
  return after.filter((k) => held.has(k.fingerprint) && k.revoked && !k.revocationUnpublished).map((k) => k.fingerprint);
}
