/**
 * The account the app works for, decided here and nowhere else: every service reads it through the
 * port below (`state.account`, `ownJid`), and every front end gets the connection's state through
 * `state` (main/ipc/handlers.ts, and the `account:state` event in main/core.ts).
 *
 * The rule: the app works for an account whose server took its password on this app at least once
 * (a sign-in that went online in this process, or one the vault records), or for the account a CLI
 * command names for offline work, as gpg works without a keyserver. A sign-in to an address that never
 * signed in here, under way or refused, changes nothing: the app keeps working (offline) for the account
 * it worked for before, or for none, and the state names that address as `tried` only. So a typo the
 * server refuses ("romoe@…") never gets a key whose certificate names it, never has keys imported,
 * renamed or restored into it, and is not what a reload comes back to. A refusal of an address that
 * did sign in before (a wrong password typed this time) keeps it: its keys are real.
 *
 * While no account signed in yet, the work that needs no network (making, listing and exporting own
 * keys, reading the last roster and the keys known of contacts) runs for the account named here.
 * Requests that need the network still fail with 'not-connected' (the session's `iq` decides), so
 * nothing pretends to be online.
 */
import { jid as parseJid } from '@xmpp/client';
import { KeyringError } from '../errors.js';
import { ADDRESS_WORDS, type ConnectionState } from '../../contract/index.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import type { SessionPort } from './session-port.js';

export interface WorkingAccountDeps {
  /** Whether the vault records a sign-in of this account on this app (its server took the password then). */
  signedInBefore: (jid: string) => boolean;
}

/**
 * The rule, without memory: the session's state as the app shows it and works by. `previous` is the
 * account worked for until now (signed in before, or named for offline work); `signedIn` says whether
 * an address ever signed in on this app.
 */
export function workingState(session: ConnectionState, previous: string | undefined, signedIn: (jid: string) => boolean): ConnectionState {
  const account = session.account;
  if (account === undefined) return previous === undefined ? session : { ...session, account: previous };
  // A stream that is or was bound has had its password taken, whatever the vault could record.
  if (session.status === 'online' || session.status === 'reconnecting' || signedIn(account)) return session;
  const { account: _notYet, ...connection } = session;
  // Signed out of a sign-in still under way: nothing was tried that the user needs to read about.
  const attempt = session.status === 'connecting' || session.status === 'failed';
  return { ...connection, ...(previous !== undefined ? { account: previous } : {}), ...(attempt ? { tried: account } : {}) };
}

export class WorkingAccount {
  readonly #session: SessionPort;
  readonly #deps: WorkingAccountDeps;
  /** The account worked for when the session names none the app may work for: named, or the last signed in. */
  #current: string | undefined;
  /** Accounts whose server took the password in this process (the vault may be locked, or its write failed). */
  readonly #signedInHere = new Set<string>();

  constructor(session: SessionPort, deps: WorkingAccountDeps) {
    this.#session = session;
    this.#deps = deps;
  }

  /** Names the account for offline work (normalized as the session does when it signs in), or none. */
  choose(jid: string | undefined): void {
    if (jid === undefined) {
      this.#current = undefined;
      return;
    }
    let parsed;
    try {
      parsed = parseJid(jid);
    } catch {
      throw new KeyringError('invalid-argument', 'That is not a valid XMPP address.', 'jid');
    }
    if (!parsed.local || parsed.resource) throw new KeyringError('invalid-argument', `${parsed.resource ? ADDRESS_WORDS.resource : ADDRESS_WORDS.shape}.`, 'jid');
    this.#current = parsed.bare().toString();
  }

  /**
   * Follows each change of the session's state (main/core.ts calls it at every one): an account that
   * went online has signed in here, and an account that signed in here is the one worked for from then
   * on, until another that did takes its place.
   */
  follow(): void {
    const session = this.#session.state;
    if (session.account === undefined) return;
    if (session.status === 'online') this.#signedInHere.add(bareJidKey(session.account));
    if (this.#signedIn(session.account)) this.#current = session.account;
  }

  /** The connection's state as every front end shows it: the account worked for, and the address only tried. */
  get state(): ConnectionState {
    return workingState(this.#session.state, this.#current, (jid) => this.#signedIn(jid));
  }

  /** The session as services see it: the same connection and requests, for the account worked for. */
  port(): SessionPort {
    const session = this.#session;
    const working = () => this.state;
    return {
      get iq() {
        return session.iq;
      },
      get ownJid(): string {
        const account = working().account;
        if (account === undefined) throw new KeyringError('not-connected', 'Connect the account first.');
        return account;
      },
      get state() {
        return working();
      },
      get sessionGeneration() {
        return session.sessionGeneration;
      },
      send: (stanza) => session.send(stanza),
      requireXep0222Support: () => session.requireXep0222Support(),
    };
  }

  #signedIn(jid: string): boolean {
    return this.#signedInHere.has(bareJidKey(jid)) || this.#deps.signedInBefore(jid);
  }
}
