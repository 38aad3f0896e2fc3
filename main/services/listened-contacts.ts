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
 */
export class ListenedContacts {
  readonly #isKnownContact: (bareJid: string) => Promise<boolean> | boolean;
  readonly #log: Logger;
  /** What the service reads, for its log line ("key notifications"). */
  readonly #what: string;
  /** bareJidKey of each address the user asked for on purpose in this run. */
  readonly #lookedUp = new Set<string>();
  readonly #loggedStrangers = new BoundedMap<string, true>(MAX_LOGGED_STRANGERS);

  constructor(isKnownContact: (bareJid: string) => Promise<boolean> | boolean, log: Logger, what: string) {
    this.#isKnownContact = isKnownContact;
    this.#log = log;
    this.#what = what;
  }

  /** The user asked for this address (opened it, added it, a bulk fetch named it): its notifications count too. */
  lookedUp(jid: string): void {
    this.#lookedUp.add(bareJidKey(jid));
  }

  /** Whether to act on a notification from `from`; a stranger's is logged (once per address) and ignored. */
  async listensTo(from: string): Promise<boolean> {
    const key = bareJidKey(from);
    if (this.#lookedUp.has(key)) return true;
    if (await this.#isKnownContact(from)) return true;
    // Once as many addresses are logged as it remembers, no new one is: a flood of addresses adds no lines.
    if (this.#loggedStrangers.size < MAX_LOGGED_STRANGERS && !this.#loggedStrangers.has(key)) {
      this.#loggedStrangers.set(key, true);
      this.#log.warn(`ignored ${this.#what} from ${oneLine(from)}: not in your contacts and not looked up`);
    }
    return false;
  }
}
