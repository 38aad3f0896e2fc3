/**
 * Contacts management for the UI and CLI: add a contact (with groups, asking to see their presence),
 * regroup, remove, and answer incoming subscription requests. Pending requests are remembered while
 * online (servers deliver them again at each login, RFC 6121 §3.1.3).
 */
import type { RosterContactView } from '../../preload/contract.js';
import type { AppEvents } from '../events.js';
import { KeyringError } from '../errors.js';
import { fetchRoster, removeRosterItem, setRosterItem, subscriptionStanza } from '../xmpp/roster.js';
import type { AccountSession } from '../xmpp/session.js';

export class RosterService {
  readonly #session: AccountSession;
  readonly #events: AppEvents;
  readonly #requests = new Set<string>();

  constructor(deps: { session: AccountSession; events: AppEvents }) {
    this.#session = deps.session;
    this.#events = deps.events;
    this.#session.events.on('subscriptionRequest', ({ from }) => {
      this.#requests.add(from);
      this.#events.emit('subscriptions:changed', this.pending());
    });
    this.#session.events.on('roster', () => this.#events.emit('roster:changed', undefined));
  }

  async list(): Promise<RosterContactView[]> {
    return (await fetchRoster(this.#session.client.iqCaller)).map((item) => ({
      jid: item.jid,
      ...(item.name ? { name: item.name } : {}),
      groups: item.groups,
      subscription: item.subscription,
      pending: item.ask === 'subscribe',
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
    this.#events.emit('subscriptions:changed', this.pending());
    return this.pending();
  }

  #notSelf(jid: string): void {
    if (jid === this.#session.state.account) throw new KeyringError('invalid-argument', 'That is your own address.', 'jid');
  }
}
