import type { ContactProfileView } from '../../../contract';
import { byJid } from './event-batch';

/**
 * A contact's profile event on top of the view held before it. A notification carries only the nodes in
 * `updated` fresh: what the others said before is kept. An avatar main did not send again (the same id,
 * `sameAsBefore`) keeps the picture already held.
 */
export function mergeProfileView(before: ContactProfileView | undefined, view: ContactProfileView): ContactProfileView {
  const merged = view.origin === 'notification' && before ? { ...before, ...definedOnly(view) } : { ...view };
  if (view.avatar?.sameAsBefore && before?.avatar?.dataBase64 !== undefined && before.avatar.info.id === view.avatar.info.id) {
    merged.avatar = { ...view.avatar, dataBase64: before.avatar.dataBase64 };
  }
  return merged;
}

/**
 * Events that came together, as one view per contact: each contact's events merged in the order they
 * came, the first onto the view `held` gives. Contacts in the order of their last event (most recent last).
 */
export function foldProfileEvents(
  held: (jid: string) => ContactProfileView | undefined,
  events: readonly ContactProfileView[],
): Map<string, ContactProfileView> {
  const folded = new Map<string, ContactProfileView>();
  for (const view of events) {
    const merged = mergeProfileView(folded.get(view.jid) ?? held(view.jid), view);
    // Deleted first so that the contact moves last: the Map's order is use order.
    folded.delete(view.jid);
    folded.set(view.jid, merged);
  }
  return folded;
}

/**
 * The held views with `fresh` put last (most recently used), the oldest dropped beyond `bound`. A new
 * record without a prototype: a JID is only ever a key.
 */
export function keepMostRecent(
  held: Readonly<Record<string, ContactProfileView>>,
  fresh: Iterable<ContactProfileView>,
  bound: number,
): Record<string, ContactProfileView> {
  const renewed = [...fresh];
  const jids = new Set(renewed.map((view) => view.jid));
  const views = [...Object.values(held).filter((view) => !jids.has(view.jid)), ...renewed];
  const kept = byJid<ContactProfileView>();
  for (const view of views.slice(Math.max(0, views.length - bound))) kept[view.jid] = view;
  return kept;
}

/** An avatar whose picture this side dropped earlier (main did not send it again): main gives it on a fetch. */
export function lacksPicture(view: ContactProfileView): boolean {
  return view.avatar?.sameAsBefore === true && view.avatar.dataBase64 === undefined;
}

function definedOnly(view: ContactProfileView): Partial<ContactProfileView> {
  return Object.fromEntries(Object.entries(view).filter(([, v]) => v !== undefined));
}
