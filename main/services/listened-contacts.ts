import { BoundedMap } from '../bounded-map.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import type { Logger } from '../logger.js';
import { oneLine } from '../untrusted-text.js';

/** Addresses whose dropped notifications were logged (once each), so a flood cannot flood the log. */
const MAX_LOGGED_STRANGERS = 256;

/**
 * Whose PEP notifications a contact service acts on: the account's roster contacts and the addresses the
 * user looked up in this run. Anyone can send the user a message that carries a PEP event from their own
 * address (the server stamps `from`, nothing more); acted on, a stranger's would be shown as a contact's,
 * make the app fetch from the stranger's server, and take places in the bounded copies the vault keeps
 * of contacts' data, pushing real contacts' out. One gate for the key, other-app key and profile services.
 * An address counts as looked up for the account that looked it up only: after a switch to another
 * account, that account's roster and lookups decide (an address opened under one account is no contact of
 * the other's).
 */
export class ListenedContacts {
  readonly #isKnownContact: (bareJid: string) => Promise<boolean> | boolean;
  /** The account signed in, or last signed in (SessionPort.state.account). */
  readonly #account: () => string | undefined;
  readonly #log: Logger;
  /** What the service reads, for its log line ("key notifications"). */
  readonly #what: string;
  /** lookupKey of each address the user asked for on purpose in this run, under the account it was asked for. */
  readonly #lookedUp = new Set<string>();
  readonly #loggedStrangers = new BoundedMap<string, true>(MAX_LOGGED_STRANGERS);

  constructor(options: { isKnownContact: (bareJid: string) => Promise<boolean> | boolean; account: () => string | undefined; log: Logger; what: string }) {
    this.#isKnownContact = options.isKnownContact;
    this.#account = options.account;
    this.#log = options.log;
    this.#what = options.what;
  }

  /** The user asked for this address (opened it, added it, a bulk fetch named it): its notifications count too. */
  lookedUp(jid: string): void {
    const key = this.#lookupKey(jid);
    if (key !== undefined) this.#lookedUp.add(key);
  }

  /** Whether to act on a notification from `from`; a stranger's is logged (once per address) and ignored. */
  async listensTo(from: string): Promise<boolean> {
    const key = bareJidKey(from);
    const lookup = this.#lookupKey(from);
    if (lookup !== undefined && this.#lookedUp.has(lookup)) return true;
    if (await this.#isKnownContact(from)) return true;
    // Once as many addresses are logged as it remembers, no new one is: a flood of addresses adds no lines.
    if (this.#loggedStrangers.size < MAX_LOGGED_STRANGERS && !this.#loggedStrangers.has(key)) {
      this.#loggedStrangers.set(key, true);
      this.#log.warn(`ignored ${this.#what} from ${oneLine(from)}: not in your contacts and not looked up`);
    }
    return false;
  }

  /** The account and the address, as one key; undefined before any sign-in (nothing to listen for then). */
  #lookupKey(jid: string): string | undefined {
    const account = this.#account();
    return account === undefined ? undefined : `${bareJidKey(account)} ${bareJidKey(jid)}`;
  }
}
