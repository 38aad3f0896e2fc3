/**
 * Presence (RFC 6121 §4): which contacts are online now, from the presence received since the stream
 * came up, and who asks to see the user's presence (§3.1.2), with the answers to them (§3.1.4, §3.1.5).
 * Pending requests are remembered while the app runs (servers deliver them again at each login, §3.1.3).
 */
import type { AppEvents } from '../events.js';
import { subscriptionStanza } from '../xmpp/roster.js';
import type { SessionPort } from './session-port.js';

export interface PresenceDeps {
  session: SessionPort;
  events: AppEvents;
}

export class Presence {
  readonly #deps: PresenceDeps;
  /** Bare JIDs asking to see our presence, not yet answered. */
  readonly #requests = new Set<string>();
  /** Available resources per contact (bare JID → full JIDs). */
  readonly #online = new Map<string, Set<string>>();

  constructor(deps: PresenceDeps) {
    this.#deps = deps;
  }

  /** Whether any of the contact's resources is available now. */
  isOnline(bare: string): boolean {
    return (this.#online.get(bare)?.size ?? 0) > 0;
  }

  requests(): string[] {
    return [...this.#requests].sort();
  }

  /** A contact's resource came online or went offline (our own other resources are not contacts). */
  onPresence({ from, bare, available }: { from: string; bare: string; available: boolean }): void {
    if (bare === this.#deps.session.state.account) return;
    const resources = this.#online.get(bare) ?? new Set<string>();
    const before = resources.size > 0;
    if (available) resources.add(from);
    else resources.delete(from);
    this.#online.set(bare, resources);
    if (before !== resources.size > 0) this.#deps.events.emit('roster:presence', { jid: bare, online: resources.size > 0 });
  }

  /** Someone asks to see our presence. */
  onSubscriptionRequest(from: string): void {
    this.#requests.add(from);
    this.#deps.events.emit('roster:requests', this.requests());
  }

  /**
   * The stream is gone, or a new one began: the presence heard on the last one no longer holds (a new
   * stream's server sends it again, RFC 6121 §4.2.2). The screens hear that no one is known online, so
   * no contact shows a green dot the app can no longer vouch for.
   */
  reset(): void {
    const wereOnline = [...this.#online].filter(([, resources]) => resources.size > 0).map(([bare]) => bare);
    this.#online.clear();
    for (const jid of wereOnline) this.#deps.events.emit('roster:presence', { jid, online: false });
  }

  /** §3.1.1: asks to see the contact's presence. */
  async subscribe(jid: string): Promise<void> {
    await this.#deps.session.send(subscriptionStanza(jid, 'subscribe'));
  }

  /** §3.1.4 approves or §3.1.5 refuses a request, which is then no longer pending. */
  async reply(jid: string, approve: boolean): Promise<void> {
    await this.#deps.session.send(subscriptionStanza(jid, approve ? 'subscribed' : 'unsubscribed'));
    this.#requests.delete(jid);
    this.#deps.events.emit('roster:requests', this.requests());
  }
}
