/**
 * The contact list (RFC 6121 §2), who of it is online, and who asks to see the user's presence
 * (RFC 6121 §3): main/services/roster-service.ts and presence.ts.
 */
import { z } from 'zod';
import { accountChange, event, request } from './define.js';
import { bareJidText, ByJid, contactAddressText, groupName, NoParams } from './domain.js';
import type { QueuedActionView } from './queue.js';

export interface RosterContactView {
  jid: string;
  name?: string;
  groups: string[];
  subscription: 'none' | 'to' | 'from' | 'both';
  pending: boolean;
  /** Whether any of the contact's resources is available now (their presence reaches us). */
  online: boolean;
}

/**
 * Who asks to see the user's presence (RFC 6121 §3.1.2), not yet answered, on the stream online now
 * (none while offline).
 */
export interface PresenceRequestsView {
  /** The addresses asking, as heard, sorted: at most PRESENCE_REQUEST_LIMITS.listed, the newest kept. */
  jids: string[];
  /**
   * Requests heard on this stream that are not listed: once the list was full, the oldest were set aside
   * (their servers send them again at the next sign-in). 0 when every request is listed.
   */
  notShown: number;
}

/** The contact list as the vault last saved it (offline use), and when. */
export interface SavedRosterView {
  savedAt: string;
  contacts: RosterContactView[];
}

const groups = z.array(groupName).max(64);

/** A roster change: done now (the roster as it now stands), or, offline, queued for the connection. */
export type RosterChangeAnswer = { outcome: 'done'; contacts: RosterContactView[] } | { outcome: 'queued'; action: QueuedActionView };

export const roster = {
  requests: {
    /**
     * The contacts: this stream's roster when online, else the roster last saved (see `saved`). Right
     * after a sign-in, the saved roster at once while the server's comes (then `changed` if it
     * differs); `fresh` waits for the server's.
     */
    list: request(z.object({ fresh: z.literal(true).optional() }).strict().optional()).returns<RosterContactView[]>(),
    /** The roster as last saved in the vault, and when, without asking the network; null before any. */
    saved: request(NoParams).returns<SavedRosterView | null>(),
    /**
     * Adds a contact (or, already one, adds them to the groups named; none is taken away) and asks to
     * see their presence. The address may be pasted as an xmpp: link.
     */
    add: accountChange(z.object({ jid: contactAddressText, name: z.string().trim().min(1).max(256).optional(), groups }).strict()).returns<RosterChangeAnswer>(),
    setGroups: accountChange(z.object({ jid: bareJidText, groups }).strict()).returns<RosterChangeAnswer>(),
    remove: accountChange(ByJid).returns<RosterChangeAnswer>(),
    /** Contacts asking to see your presence, not yet answered. */
    requests: request(NoParams).returns<PresenceRequestsView>(),
    /** Approves (and asks back) or refuses a request to see your presence; answers the requests left. */
    answer: accountChange(z.object({ jid: bareJidText, approve: z.boolean() }).strict()).returns<PresenceRequestsView>(),
  },
  events: {
    /** The server changed the roster: fetch it again. */
    changed: event<undefined>(),
    /** A contact came online or went offline. */
    presence: event<{ jid: string; online: boolean }>(),
    /**
     * Contacts asking to see your presence, not yet answered: the whole list as it is now. While
     * requests pour in, main sends it about every 100 ms at most, the last state always included.
     */
    requests: event<PresenceRequestsView>(),
  },
};
