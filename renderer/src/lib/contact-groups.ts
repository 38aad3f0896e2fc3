import type { RosterContactView } from '../../../contract';

export interface ContactGroup {
  name: string;
  contacts: RosterContactView[];
}

export const NO_GROUP = 'Contacts without a group';

/** One collator for every comparison: String.localeCompare sets one up per call (most of a 5,000-contact sort). */
const byLocale = new Intl.Collator();

/** Groups contacts by roster group (a contact in two groups appears in both), sorted, filtered. */
export function groupContacts(contacts: readonly RosterContactView[], filter: string): ContactGroup[] {
  const needle = filter.trim().toLowerCase();
  const matches = (c: RosterContactView) =>
    needle === '' || c.jid.toLowerCase().includes(needle) || (c.name ?? '').toLowerCase().includes(needle);
  const groups = new Map<string, RosterContactView[]>();
  for (const contact of contacts) {
    if (!matches(contact)) continue;
    for (const group of contact.groups.length ? contact.groups : [NO_GROUP]) {
      const list = groups.get(group) ?? [];
      list.push(contact);
      groups.set(group, list);
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === NO_GROUP ? 1 : b === NO_GROUP ? -1 : byLocale.compare(a, b)))
    .map(([name, list]) => ({ name, contacts: list.sort((x, y) => byLocale.compare(x.name ?? x.jid, y.name ?? y.jid)) }));
}


/** A contact's presence dot: what it shows, and says. */
export interface PresenceShown {
  state: 'online' | 'offline' | 'unknown';
  /** The tooltip. */
  title: string;
  /** For screen readers. */
  spoken: string;
}

/**
 * While the account is not online, no presence reaches the app: a contact is neither online nor
 * offline as far as it can say (main clears what it heard, presence.ts reset), and the dot says so;
 * likewise while the server is not answering (ConnectionState.unanswered).
 */
export function presenceShown(contactOnline: boolean, accountOnline: boolean, serverAnswering = true): PresenceShown {
  if (!accountOnline) return { state: 'unknown', title: 'Presence unknown while you are offline', spoken: 'presence unknown' };
  // A server that stopped answering may have stopped passing presence on too: what was heard is not news.
  if (!serverAnswering) return { state: 'unknown', title: 'Presence unknown while your server is not answering', spoken: 'presence unknown' };
  return contactOnline ? { state: 'online', title: 'Online', spoken: 'online' } : { state: 'offline', title: 'Offline', spoken: 'offline' };
}
