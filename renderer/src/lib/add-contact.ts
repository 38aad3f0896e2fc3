import type { RosterContactView } from '../../../contract';
import { readContactAddress, withoutFinalDot } from '../../../contract/contact-address';

/**
 * The contact an address typed or pasted (as an xmpp: link too) in "Add contact…" already is, if any
 * (addresses compare without case, and without a dot ending the domain, RFC 7622 §3.2, §3.3).
 */
export function existingContact(roster: readonly RosterContactView[], typed: string): RosterContactView | undefined {
  const read = readContactAddress(typed);
  if (!('address' in read) || read.address === '') return undefined;
  const wanted = withoutFinalDot(read.address).toLowerCase();
  return roster.find((c) => c.jid.toLowerCase() === wanted);
}

/**
 * What the dialog says when the address is already a contact: which groups they are in, and that
 * adding keeps them (main/services/roster-service.ts add: an add never takes anyone out of a group).
 */
export function alreadyContactWords(contact: RosterContactView): string {
  const who = contact.name ? `${contact.name} (${contact.jid})` : contact.jid;
  const groups = contact.groups.map((g) => `“${g}”`);
  if (groups.length === 0) return `${who} is already in your contacts, in no group. Groups you name here are added.`;
  const list = groups.length === 1 ? groups[0] : `${groups.slice(0, -1).join(', ')} and ${groups[groups.length - 1]}`;
  return `${who} is already in your contacts, in ${list}. Adding keeps ${groups.length === 1 ? 'that group' : 'those groups'} and adds any you name here.`;
}

/**
 * The line under the requests when more came than main keeps (main/services/presence.ts keeps the newest
 * PRESENCE_REQUEST_LIMITS.listed): the user learns the list is not everyone, and that the rest are not
 * lost (the server keeps them pending and sends them again at each login, RFC 6121 §3.1.3). Short: it
 * sits in the narrow contacts column.
 */
export function requestsNotShownWords(notShown: number): string {
  const requests = notShown === 1 ? '1 more request' : `${notShown.toLocaleString('en')} more requests`;
  return `${requests} came than are listed. Your server sends them again at your next sign-in.`;
}

/**
 * Said once a contact is added, true to what main sent (roster-service.ts #askToSeePresence): it asks to
 * see their presence unless you already see it or already asked (as the roster stood before the add).
 */
export function addedWords(jid: string, before: RosterContactView | undefined): string {
  if (before && (before.subscription === 'to' || before.subscription === 'both')) return `Saved. You already see ${jid}’s presence, so nothing was asked.`;
  if (before?.pending) return `Saved. You had already asked ${jid} to share presence; waiting for their answer.`;
  return `Asked ${jid} to share presence.`;
}
