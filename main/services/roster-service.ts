/**
 * Contacts management for the UI and CLI: add a contact (with groups, asking to see their presence),
 * regroup, remove, and answer incoming subscription requests. Pending requests are remembered while
 * online (servers deliver them again at each login, RFC 6121 §3.1.3).
 */
import type { RosterContactView } from '../../contract/index.js';
import type { AppEvents } from '../events.js';
import { KeyringError } from '../errors.js';
import { fetchRoster, removeRosterItem, setRosterItem, subscriptionStanza } from '../xmpp/roster.js';
import type { AccountSession } from '../xmpp/session.js';

export class RosterService {
  readonly #session: AccountSession;
  readonly #events: AppEvents;
  readonly #requests = new Set<string>();
  /** Available resources per contact (bare JID → full JIDs), from presence since login. */
  readonly #online = new Map<string, Set<string>>();

  constructor(deps: { session: AccountSession; events: AppEvents }) {
    this.#session = deps.session;
    this.#events = deps.events;
    this.#session.events.on('subscriptionRequest', ({ from }) => {
      this.#requests.add(from);
      this.#events.emit('roster:requests', this.pending());
    });
    this.#session.events.on('roster', () => this.#events.emit('roster:changed', undefined));
    this.#session.events.on('presence', ({ from, bare, available }) => {
      if (bare === this.#session.state.account) return;
      const resources = this.#online.get(bare) ?? new Set<string>();
      const before = resources.size > 0;
      if (available) resources.add(from);
      else resources.delete(from);
      this.#online.set(bare, resources);
      if (before !== resources.size > 0) this.#events.emit('roster:presence', { jid: bare, online: resources.size > 0 });
    });
    this.#session.events.on('online', () => this.#online.clear());
  }

  async list(): Promise<RosterContactView[]> {
    return (await fetchRoster(this.#session.client.iqCaller)).map((item) => ({
      jid: item.jid,
      ...(item.name ? { name: item.name } : {}),
      groups: item.groups,
      subscription: item.subscription,
      pending: item.ask === 'subscribe',
      online: (this.#online.get(item.jid)?.size ?? 0) > 0,
    }));
  }

  /** RFC 6121 §2.3 + §3.1.1: add (or regroup) a contact and ask to see their presence. */
  async add(contact: { jid: string; name?: string; groups: string[] }): Promise<RosterContactView[]> {
    this.#notSelf(contact.jid);
    await setRosterItem(this.#session.client.iqCaller, contact);
    const current = (await this.list()).find((c) => c.jid === contact.jid);
    if (!current || (current.subscription !== 'to' && current.subscription !== 'both' && !current.pending)) {
      await this.#session.send(subscriptionStanza(contact.jid, 'subscribe'));
    }
    return this.list();
  }

  async setGroups(jid: string, groups: string[]): Promise<RosterContactView[]> {
    const current = (await this.list()).find((c) => c.jid === jid);
    if (!current) throw new KeyringError('not-found', `${jid} is not in your contacts.`, 'jid');
    await setRosterItem(this.#session.client.iqCaller, { jid, ...(current.name ? { name: current.name } : {}), groups });
    return this.list();
  }

  async remove(jid: string): Promise<RosterContactView[]> {
    await removeRosterItem(this.#session.client.iqCaller, jid);
    return this.list();
  }

  pending(): string[] {
    return [...this.#requests].sort();
  }

  /** RFC 6121 §3.1.4/§3.1.5: approve (and ask back, for a mutual subscription) or refuse. */
  async answer(jid: string, approve: boolean): Promise<string[]> {
    await this.#session.send(subscriptionStanza(jid, approve ? 'subscribed' : 'unsubscribed'));
    if (approve) {
      const current = (await this.list()).find((c) => c.jid === jid);
      if (!current || (current.subscription !== 'to' && current.subscription !== 'both' && !current.pending)) {
        await this.#session.send(subscriptionStanza(jid, 'subscribe'));
      }
    }
    this.#requests.delete(jid);
    this.#events.emit('roster:requests', this.pending());
    return this.pending();
  }

  #notSelf(jid: string): void {
    if (jid === this.#session.state.account) throw new KeyringError('invalid-argument', 'That is your own address.', 'jid');
  }
}
