/**
 * Presence (RFC 6121 §4): which contacts are online now, from the presence received since the stream
 * came up, and who asks to see the user's presence (§3.1.2), with the answers to them (§3.1.4, §3.1.5).
 *
 * A request belongs to the account it was addressed to, and only that account may answer it: approving
 * it pre-approves the requester (§3.4) for whoever sends the answer, so a request of one account answered
 * on another would let a stranger read the other's presence-only publications. So the pending requests
 * are those heard on one stream (SessionPort.sessionGeneration), forgotten when another stream begins,
 * even the same account's (its server delivers the ones still pending again at each login, §3.1.3), and
 * listed only while that stream is online: offline none can be answered, and another client of the
 * account may have answered them meanwhile.
 */
import type { AppEvents } from '../events.js';
import { KeyringError } from '../errors.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { subscriptionStanza } from '../xmpp/roster.js';
import type { SessionPort } from './session-port.js';

export interface PresenceDeps {
  session: SessionPort;
  events: AppEvents;
}

export class Presence {
  readonly #deps: PresenceDeps;
  /**
   * Who asks to see our presence, not yet answered (by bareJidKey → the address as heard), the account
   * (bareJidKey) and the stream (sessionGeneration) they came on: one stream's requests at a time.
   */
  #requests: { account: string; generation: number; from: Map<string, string> } | undefined;
  /** Available resources per contact (bare JID → full JIDs). */
  readonly #online = new Map<string, Set<string>>();

  constructor(deps: PresenceDeps) {
    this.#deps = deps;
  }

  /** Whether any of the contact's resources is available now. */
  isOnline(bare: string): boolean {
    return (this.#online.get(bare)?.size ?? 0) > 0;
  }

  /** The requests of the account online now; none while offline, or for any other account. */
  requests(): string[] {
    return [...(this.#pending()?.values() ?? [])].sort();
  }

  /** The pending requests, when the account they were addressed to is online now; else undefined. */
  #pending(): Map<string, string> | undefined {
    const { status, account } = this.#deps.session.state;
    const held = this.#requests;
    if (status !== 'online' || account === undefined || held === undefined || !this.#ofThisStream(held, account)) return undefined;
    return held.from;
  }

  /** Whether requests were heard on the stream the session has now, of `account`. */
  #ofThisStream(held: { account: string; generation: number }, account: string): boolean {
    return held.account === bareJidKey(account) && held.generation === this.#deps.session.sessionGeneration;
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

  /** Someone asks `to` (the account whose stream heard it) to see its presence. */
  onSubscriptionRequest(from: string, to: string): void {
    const account = bareJidKey(to);
    // A stream of an account no longer signed in (one still closing) has no say over the one now.
    const current = this.#deps.session.state.account;
    if (current === undefined || bareJidKey(current) !== account) return;
    // Heard before the new stream's 'online' (§3.1.3 requests follow initial presence at once): they are
    // its own, and the previous stream's go now.
    if (this.#requests === undefined || !this.#ofThisStream(this.#requests, current)) {
      this.#requests = { account, generation: this.#deps.session.sessionGeneration, from: new Map() };
    }
    this.#requests.from.set(bareJidKey(from), from);
    this.#deps.events.emit('roster:requests', this.requests());
  }

  /**
   * The stream is gone, or a new one began: the presence heard on the last one no longer holds (a new
   * stream's server sends it again, RFC 6121 §4.2.2). The screens hear that no one is known online, so
   * no contact shows a green dot the app can no longer vouch for.
   *
   * The requests are told again too: none while offline (the badge and the list agree: nothing to
   * answer). A new stream forgets the last one's, even of the same account: another client may have
   * answered them meanwhile, and the server sends again the ones still pending (§3.1.3). Those it sent
   * on the new stream before 'online' are kept: they are this stream's.
   */
  reset(): void {
    const wereOnline = [...this.#online].filter(([, resources]) => resources.size > 0).map(([bare]) => bare);
    this.#online.clear();
    for (const jid of wereOnline) this.#deps.events.emit('roster:presence', { jid, online: false });
    const held = this.#requests;
    if (held === undefined || held.from.size === 0) return;
    const account = this.#deps.session.state.account;
    if (account === undefined || !this.#ofThisStream(held, account)) this.#requests = undefined;
    this.#deps.events.emit('roster:requests', this.requests());
  }

  /** §3.1.1: asks to see the contact's presence. */
  async subscribe(jid: string): Promise<void> {
    await this.#deps.session.send(subscriptionStanza(jid, 'subscribe'));
  }

  /**
   * §3.1.4 approves or §3.1.5 refuses a request, which is then no longer pending. Only a request pending
   * for the account online now is answered, whoever asks (a screen showing an old list, another window, a
   * forged message): an approval sent for anyone else would be a pre-approval (§3.4) no one was asked for.
   */
  async reply(jid: string, approve: boolean): Promise<void> {
    const { status, account } = this.#deps.session.state;
    if (status !== 'online' || account === undefined) throw new KeyringError('not-connected', 'Connect your account to answer a request to see your presence.');
    const key = bareJidKey(jid);
    const pending = this.#pending();
    const requester = pending?.get(key);
    if (pending === undefined || requester === undefined) {
      throw new KeyringError('not-found', `No request from ${jid} is waiting for the answer of ${account}, so nothing was sent.`, 'jid');
    }
    await this.#deps.session.send(subscriptionStanza(requester, approve ? 'subscribed' : 'unsubscribed'));
    // From the account's own requests, even if another account signed in while the answer went out.
    pending.delete(key);
    this.#deps.events.emit('roster:requests', this.requests());
  }
}
