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
 *
 * Anyone can ask, and a hostile server can ask from thousands of addresses (the user's own server keeps
 * them pending and sends them again at each login, §3.1.3). So the list keeps the newest PRESENCE_REQUEST_LIMITS.listed
 * and counts the rest (the window says so), and the screens are told the list at most every
 * REQUESTS_EVENT_MS, not once per stanza (which sent n²/2 addresses for n requests). Likewise anyone can
 * send directed presence: only roster contacts' is kept, and a contact with no resource left is forgotten.
 */
import { PRESENCE_REQUEST_LIMITS } from '../../contract/limits.js';
import type { PresenceRequestsView } from '../../contract/index.js';
import { BoundedMap } from '../bounded-map.js';
import type { AppEvents } from '../events.js';
import { KeyringError } from '../errors.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { subscriptionStanza } from '../xmpp/roster.js';
import type { SessionPort } from './session-port.js';

/** The shortest time between two 'roster:requests' events while requests pour in. */
export const REQUESTS_EVENT_MS = 100;
/**
 * Addresses set aside (the list full) remembered, so that one asking again is listed and no longer
 * counted as not shown; past this many, further ones are only counted.
 */
const SET_ASIDE_REMEMBERED = 4096;
/**
 * Resources of one contact tracked as available. Beyond them the contact is online anyway; a contact's
 * server could otherwise announce resources without end.
 */
const MAX_RESOURCES = 64;

export interface PresenceDeps {
  session: SessionPort;
  events: AppEvents;
  /**
   * Whether an address (bareJidKey) is in the account's roster (RosterService.has: waits for this
   * stream's roster). Only contacts' presence is kept: a stranger's directed presence is not news.
   */
  isContact: (bareJid: string) => Promise<boolean> | boolean;
}

/** One stream's pending requests: the newest listed, and what was set aside once the list was full. */
interface HeldRequests {
  account: string;
  generation: number;
  /** bareJidKey → the address as heard; the most recently asked last. */
  from: BoundedMap<string, string>;
  /** Addresses whose request was set aside, by bareJidKey (up to SET_ASIDE_REMEMBERED). */
  setAside: BoundedMap<string, true>;
  /** Set aside past what setAside remembers. */
  setAsideUncounted: number;
}

export class Presence {
  readonly #deps: PresenceDeps;
  /**
   * Who asks to see our presence, not yet answered, the account (bareJidKey) and the stream
   * (sessionGeneration) they came on: one stream's requests at a time.
   */
  #requests: HeldRequests | undefined;
  /**
   * Available resources per roster contact (bareJidKey → the bare JID as heard, and the full JIDs); no
   * entry once none is left.
   */
  readonly #online = new Map<string, { jid: string; resources: Set<string> }>();
  /** Presence updates apply one after the other, in the order heard (each waits for the roster). */
  #presenceApplied: Promise<void> = Promise.resolve();
  /** Counts reset(): an update heard before one applies to nothing after it. */
  #presenceEpoch = 0;
  /** Running between two 'roster:requests' events; `requestsDirty`: a change came meanwhile. */
  #requestsQuiet: ReturnType<typeof setTimeout> | undefined;
  #requestsDirty = false;

  constructor(deps: PresenceDeps) {
    this.#deps = deps;
  }

  /** Whether any of the contact's resources is available now. */
  isOnline(bare: string): boolean {
    return this.#online.has(bareJidKey(bare));
  }

  /** The requests of the account online now, sorted; none while offline, or for any other account. */
  requests(): string[] {
    return this.requestsView().jids;
  }

  /** The requests listed, and how many this stream heard that are not (the list full). */
  requestsView(): PresenceRequestsView {
    const held = this.#pending();
    if (held === undefined) return { jids: [], notShown: 0 };
    return { jids: [...held.from.values()].sort(), notShown: held.setAside.size + held.setAsideUncounted };
  }

  /** The pending requests, when the account they were addressed to is online now; else undefined. */
  #pending(): HeldRequests | undefined {
    const { status, account } = this.#deps.session.state;
    const held = this.#requests;
    if (status !== 'online' || account === undefined || held === undefined || !this.#ofThisStream(held, account)) return undefined;
    return held;
  }

  /** Whether requests were heard on the stream the session has now, of `account`. */
  #ofThisStream(held: { account: string; generation: number }, account: string): boolean {
    return held.account === bareJidKey(account) && held.generation === this.#deps.session.sessionGeneration;
  }

  /**
   * A resource came online or went offline. Kept only for roster contacts (our own other resources are
   * none); resolves once applied or ignored (the roster may still be on its way).
   */
  onPresence({ from, bare, available }: { from: string; bare: string; available: boolean }): Promise<void> {
    const key = bareJidKey(from);
    const account = this.#deps.session.state.account;
    if (key === '' || (account !== undefined && key === bareJidKey(account))) return Promise.resolve();
    const epoch = this.#presenceEpoch;
    const applied = this.#presenceApplied.then(async () => {
      // A stranger's: nothing kept, nothing told. Asked before the epoch check: the answer can take a
      // roster fetch, and a reset meanwhile makes the update moot either way.
      if (!(await this.#deps.isContact(key)) || epoch !== this.#presenceEpoch) return;
      const known = this.#online.get(key);
      const resources = known?.resources ?? new Set<string>();
      if (available && resources.size < MAX_RESOURCES) resources.add(from);
      if (!available) resources.delete(from);
      const online = resources.size > 0;
      if (online && known === undefined) this.#online.set(key, { jid: bare, resources });
      if (!online) this.#online.delete(key);
      if ((known !== undefined) !== online) this.#deps.events.emit('roster:presence', { jid: known?.jid ?? bare, online });
    });
    // isContact (RosterService.has) answers false when the roster cannot be read; should it throw all the
    // same, the update is dropped and the next ones still apply.
    this.#presenceApplied = applied.catch(() => undefined);
    return this.#presenceApplied;
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
      this.#requests = {
        account,
        generation: this.#deps.session.sessionGeneration,
        from: new BoundedMap(PRESENCE_REQUEST_LIMITS.listed),
        setAside: new BoundedMap(SET_ASIDE_REMEMBERED),
        setAsideUncounted: 0,
      };
    }
    const held = this.#requests;
    const key = bareJidKey(from);
    // Asking again moves a request to the newest; one set aside before is listed again, no longer counted.
    held.setAside.delete(key);
    const oldest = held.from.has(key) || held.from.size < held.from.budget ? undefined : held.from.oldest();
    held.from.set(key, from);
    if (oldest !== undefined) {
      if (held.setAside.size >= held.setAside.budget) held.setAsideUncounted++;
      held.setAside.set(oldest, true);
    }
    this.#requestsChanged();
  }

  /**
   * The screens hear the requests at once, then at most every REQUESTS_EVENT_MS while more come; the
   * last change is always told, with the list as it is then.
   */
  #requestsChanged(): void {
    if (this.#requestsQuiet !== undefined) this.#requestsDirty = true;
    else this.#tellRequests();
  }

  /** Tells the list now, and starts a quiet time in which further changes wait. */
  #tellRequests(): void {
    this.#requestsDirty = false;
    clearTimeout(this.#requestsQuiet);
    this.#deps.events.emit('roster:requests', this.requestsView());
    this.#requestsQuiet = setTimeout(() => {
      this.#requestsQuiet = undefined;
      if (this.#requestsDirty) this.#tellRequests();
    }, REQUESTS_EVENT_MS);
    // Nothing to tell is worth keeping a closing process (the CLI) alive for.
    this.#requestsQuiet.unref();
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
    this.#presenceEpoch++;
    const wereOnline = [...this.#online.values()].map((contact) => contact.jid);
    this.#online.clear();
    for (const jid of wereOnline) this.#deps.events.emit('roster:presence', { jid, online: false });
    const held = this.#requests;
    if (held === undefined || (held.from.size === 0 && held.setAside.size === 0 && held.setAsideUncounted === 0)) return;
    const account = this.#deps.session.state.account;
    if (account === undefined || !this.#ofThisStream(held, account)) this.#requests = undefined;
    this.#tellRequests();
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
    const pending = this.#pending()?.from;
    const requester = pending?.get(key);
    if (pending === undefined || requester === undefined) {
      throw new KeyringError('not-found', `No request from ${jid} is waiting for the answer of ${account}, so nothing was sent.`, 'jid');
    }
    await this.#deps.session.send(subscriptionStanza(requester, approve ? 'subscribed' : 'unsubscribed'));
    // From the account's own requests, even if another account signed in while the answer went out.
    pending.delete(key);
    this.#tellRequests();
  }
}
