/**
 * The contact list for the UI and CLI (RFC 6121 §2): add a contact (with groups, asking to see their
 * presence), regroup, remove, answer requests to see the user's presence; and, for key notifications,
 * whether an address is a contact at all, without asking the server each time: the roster is loaded
 * once per stream when first needed (§2.2) and then kept current by the server's roster pushes (§2.1.6,
 * accepted only from the account itself: main/xmpp/roster.ts).
 */
import type { RosterContactView } from '../../contract/index.js';
import type { AppEvents } from '../events.js';
import { KeyringError } from '../errors.js';
import type { Logger } from '../logger.js';
import { fetchRoster, removeRosterItem, setRosterItem, type RosterPush } from '../xmpp/roster.js';
import type { Presence } from './presence.js';
import type { SessionPort } from './session-port.js';

export interface RosterServiceDeps {
  session: SessionPort;
  presence: Presence;
  events: AppEvents;
  log: Logger;
}

export class RosterService {
  readonly #session: SessionPort;
  readonly #presence: Presence;
  readonly #events: AppEvents;
  readonly #log: Logger;
  /** The roster's bare JIDs (lowercase) for this stream; undefined until first needed. */
  #members: Promise<Set<string>> | undefined;

  constructor(deps: RosterServiceDeps) {
    this.#session = deps.session;
    this.#presence = deps.presence;
    this.#events = deps.events;
    this.#log = deps.log;
  }

  async list(): Promise<RosterContactView[]> {
    return (await fetchRoster(this.#session.iq)).map((item) => ({
      jid: item.jid,
      ...(item.name ? { name: item.name } : {}),
      groups: item.groups,
      subscription: item.subscription,
      pending: item.ask === 'subscribe',
      online: this.#presence.isOnline(item.jid),
    }));
  }

  /** §2.3 + §3.1.1: adds (or regroups) a contact and asks to see their presence. */
  async add(contact: { jid: string; name?: string; groups: string[] }): Promise<RosterContactView[]> {
    if (contact.jid === this.#session.state.account) throw new KeyringError('invalid-argument', 'That is your own address.', 'jid');
    await setRosterItem(this.#session.iq, contact);
    await this.#askToSeePresence(contact.jid);
    return this.list();
  }

  async setGroups(jid: string, groups: string[]): Promise<RosterContactView[]> {
    const current = (await this.list()).find((c) => c.jid === jid);
    if (!current) throw new KeyringError('not-found', `${jid} is not in your contacts.`, 'jid');
    await setRosterItem(this.#session.iq, { jid, ...(current.name ? { name: current.name } : {}), groups });
    return this.list();
  }

  async remove(jid: string): Promise<RosterContactView[]> {
    await removeRosterItem(this.#session.iq, jid);
    return this.list();
  }

  /** Contacts asking to see the user's presence, not yet answered. */
  requests(): string[] {
    return this.#presence.requests();
  }

  /** §3.1.4/§3.1.5: approve (and ask back, for a mutual subscription) or refuse. */
  async answer(jid: string, approve: boolean): Promise<string[]> {
    await this.#presence.reply(jid, approve);
    if (approve) await this.#askToSeePresence(jid);
    return this.#presence.requests();
  }

  /** Whether `bareJid` is in the roster (any subscription state). False when the roster cannot be read. */
  async has(bareJid: string): Promise<boolean> {
    let loading: Promise<Set<string>> | undefined;
    try {
      loading = this.#members ??= fetchRoster(this.#session.iq).then((items) => new Set(items.map((i) => i.jid.toLowerCase())));
      return (await loading).has(bareJid.toLowerCase());
    } catch (error) {
      if (loading !== undefined && this.#members === loading) this.#members = undefined; // ask again next time
      this.#log.warn(`could not read the roster: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  /** The server changed the roster (§2.1.6): kept current here, and the screens fetch it again. */
  onPush(push: RosterPush): void {
    const loading = this.#members;
    if (loading !== undefined) {
      const next = loading.then((members) => apply(members, push));
      next.catch(() => undefined); // a failed load is reported (and retried) by has()
      this.#members = next;
    } // not loaded yet: the load will see the change
    this.#events.emit('roster:changed', undefined);
  }

  /** A new stream (first login or reconnect) may come with another roster: load it again when needed. */
  reset(): void {
    this.#members = undefined;
  }

  /** Asks to see the contact's presence unless we already do or already asked. */
  async #askToSeePresence(jid: string): Promise<void> {
    const current = (await this.list()).find((c) => c.jid === jid);
    if (!current || (current.subscription !== 'to' && current.subscription !== 'both' && !current.pending)) {
      await this.#presence.subscribe(jid);
    }
  }
}

function apply(members: Set<string>, push: RosterPush): Set<string> {
  if (push.kind === 'remove') members.delete(push.jid.toLowerCase());
  else members.add(push.item.jid.toLowerCase());
  return members;
}
