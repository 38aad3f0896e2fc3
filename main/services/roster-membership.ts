/**
 * Whether an address is in the account's roster, without asking the server each time: the roster is
 * loaded once per connection when first needed (RFC 6121 §2.2) and then kept current by the server's
 * roster pushes (§2.1.6, accepted only from the account itself: main/xmpp/roster.ts). ContactKeys asks
 * it whether a key notification comes from a contact, so it only needs the answer, not the service.
 */
import type { Logger } from '../logger.js';
import { fetchRoster, type RosterPush } from '../xmpp/roster.js';
import type { AccountSession } from '../xmpp/session.js';

export class RosterMembership {
  readonly #session: AccountSession;
  readonly #log: Logger;
  /** The roster's bare JIDs (lowercase) for this connection; undefined until first needed. */
  #members: Promise<Set<string>> | undefined;

  constructor(deps: { session: AccountSession; log: Logger }) {
    this.#session = deps.session;
    this.#log = deps.log;
    // A new stream (first login or reconnect) may come with another roster: load it again when needed.
    this.#session.events.on('online', () => (this.#members = undefined));
    this.#session.events.on('roster', (push) => {
      const loading = this.#members;
      if (loading === undefined) return; // not loaded yet: the load will see the change
      const next = loading.then((members) => apply(members, push));
      next.catch(() => undefined); // a failed load is reported (and retried) by has()
      this.#members = next;
    });
  }

  /** Whether `bareJid` is in the roster (any subscription state). False when the roster cannot be read. */
  async has(bareJid: string): Promise<boolean> {
    let loading: Promise<Set<string>> | undefined;
    try {
      loading = this.#members ??= fetchRoster(this.#session.client.iqCaller).then((items) => new Set(items.map((i) => i.jid.toLowerCase())));
      return (await loading).has(bareJid.toLowerCase());
    } catch (error) {
      if (loading !== undefined && this.#members === loading) this.#members = undefined; // ask again next time
      this.#log.warn(`could not read the roster: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }
}

function apply(members: Set<string>, push: RosterPush): Set<string> {
  if (push.kind === 'remove') members.delete(push.jid.toLowerCase());
  else members.add(push.item.jid.toLowerCase());
  return members;
}
