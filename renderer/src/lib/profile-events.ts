import type { ContactProfileView, ProfilePart } from '../../../contract';
import { byJid } from './event-batch';

/** Every part of a profile view (a Record, so that the compiler names a part added to the contract). */
const PARTS = Object.keys({ vcard: true, nickname: true, avatar: true, xep0154: true } satisfies Record<ProfilePart, true>) as ProfilePart[];

/**
 * A contact's profile event (or answer) on top of the view held before it. The parts it names in
 * `refreshed` are replaced by its own, and one it does not have is gone (a nickname retracted, an avatar
 * emptied); the other parts stay as held. Without `refreshed` (a whole fetch) it replaces the view. An
 * avatar main did not send again (the same id, `sameAsBefore`) keeps the picture already held.
 */
export function mergeProfileView(before: ContactProfileView | undefined, view: ContactProfileView): ContactProfileView {
  const merged: ContactProfileView = { ...view };
  if (before && view.refreshed) {
    const refreshed = new Set(view.refreshed);
    for (const part of PARTS) if (!refreshed.has(part)) keepPart(merged, before, part);
    // What the own vCard holds beyond the editor's fields goes with the vCard part.
    if (!refreshed.has('vcard')) {
      if (before.otherDetails === undefined) delete merged.otherDetails;
      else merged.otherDetails = before.otherDetails;
    }
    // Parts still as the vault's copy had them keep saying so.
    if (merged.storedAt === undefined && before.storedAt !== undefined) merged.storedAt = before.storedAt;
  }
  if (view.avatar?.sameAsBefore && before?.avatar?.dataBase64 !== undefined && before.avatar.info.id === view.avatar.info.id) {
    merged.avatar = { ...view.avatar, dataBase64: before.avatar.dataBase64 };
  }
  return merged;
}

/**
 * The account's own profile once a notification of its own vCard or nickname (profile:ownChanged) is
 * applied: that part replaced (or gone), the rest as shown, each node's source kept but the notified one's.
 */
export function ownChangedOnto<V extends ContactProfileView>(own: V, view: ContactProfileView): V {
  const merged = mergeProfileView(own, view);
  const nodes = new Set(view.sources.map((s) => s.node));
  return { ...own, ...merged, sources: [...own.sources.filter((s) => !nodes.has(s.node)), ...view.sources] };
}

/** `to` takes `from`'s `part`, or has none when `from` has none. */
function keepPart<P extends ProfilePart>(to: ContactProfileView, from: ContactProfileView, part: P): void {
  const held = from[part];
  if (held === undefined) delete to[part];
  else to[part] = held;
}

/**
 * Events that came together, as one view per contact: each contact's events merged in the order they
 * came, the first onto the view `held` gives. Contacts in the order of their last event (most recent last).
 * The account's own events are left out: its PEP nodes notify its own connections too (the app's caps
 * carry +notify for them), and its profile is My profile's, not one of the contacts' kept here.
 */
export function foldProfileEvents(
  held: (jid: string) => ContactProfileView | undefined,
  events: readonly ContactProfileView[],
  account: string | undefined,
): Map<string, ContactProfileView> {
  const folded = new Map<string, ContactProfileView>();
  for (const view of events) {
    if (isAccount(view.jid, account)) continue;
    const merged = mergeProfileView(folded.get(view.jid) ?? held(view.jid), view);
    // Deleted first so that the contact moves last: the Map's order is use order.
    folded.delete(view.jid);
    folded.set(view.jid, merged);
  }
  return folded;
}

/**
 * The held views with `fresh` put last (most recently used), the oldest dropped beyond `bound`. The
 * `pinned` ones (profiles on screen now) are never dropped: the others make room for them. A new record
 * without a prototype: a JID is only ever a key.
 */
export function keepMostRecent(
  held: Readonly<Record<string, ContactProfileView>>,
  fresh: Iterable<ContactProfileView>,
  bound: number,
  pinned: (jid: string) => boolean = () => false,
): Record<string, ContactProfileView> {
  const renewed = [...fresh];
  const jids = new Set(renewed.map((view) => view.jid));
  const views = [...Object.values(held).filter((view) => !jids.has(view.jid)), ...renewed];
  let room = Math.max(0, bound - views.filter((view) => pinned(view.jid)).length);
  // From the most recent back: every pinned view, and the others while there is room.
  const keep = byJid<true>();
  for (let i = views.length - 1; i >= 0; i--) {
    const jid = views[i]?.jid;
    if (jid === undefined) continue;
    if (pinned(jid)) keep[jid] = true;
    else if (room > 0) {
      keep[jid] = true;
      room--;
    }
  }
  const kept = byJid<ContactProfileView>();
  for (const view of views) if (keep[view.jid]) kept[view.jid] = view;
  return kept;
}

/** An avatar whose picture this side dropped earlier (main did not send it again): main gives it on a fetch. */
export function lacksPicture(view: ContactProfileView): boolean {
  return view.avatar?.sameAsBefore === true && view.avatar.dataBase64 === undefined;
}

/**
 * The contacts a batch of profile events tells of an update: those notified (a fetch's answer is no news),
 * never the account itself. Its own PEP nodes notify its own connections too (the app's caps carry +notify
 * for them), and "Profile update from" the user's own address reads like a contact's.
 */
export function notifiedContacts(events: readonly ContactProfileView[], account: string | undefined): string[] {
  return events.filter((e) => e.origin === 'notification' && !isAccount(e.jid, account)).map((e) => e.jid);
}

/** Whether `jid` is the account's own bare JID (a bare JID's case does not matter here: main sends it as the server wrote it). */
function isAccount(jid: string, account: string | undefined): boolean {
  return account !== undefined && jid.toLowerCase() === account.toLowerCase();
}

/**
 * The answer to contacts:fetchAvatar for avatar `askedId` on top of the view held now, or undefined when
 * it must not be shown: the avatar held is no longer the one asked for (a notification brought a newer
 * one, or withdrew it, while the answer was on its way; or the contact was dropped here). XEP-0084 ids
 * are the image's SHA-1, so a slow answer for an older avatar, or two answers in the reverse order, never
 * show the older picture over the one published now.
 */
export function avatarAnswerOnto(held: ContactProfileView | undefined, answer: ContactProfileView, askedId: string): ContactProfileView | undefined {
  if (held?.avatar?.info.id !== askedId) return undefined;
  return mergeProfileView(held, answer);
}
