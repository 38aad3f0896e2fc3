/**
 * The account the app works for while no stream is up. The session knows the account once someone
 * signed in (and keeps it while offline); before that, the CLI's offline commands and the app after a
 * restart name it here, so the work that needs no network (making, listing and exporting own keys,
 * reading the last roster and the keys known of contacts) runs without signing in, as gpg runs
 * without a keyserver. Requests that need the network still fail with 'not-connected' (the session's
 * `iq` decides), so nothing pretends to be online.
 */
import { jid as parseJid } from '@xmpp/client';
import { KeyringError } from '../errors.js';
import { ADDRESS_WORDS } from '../../contract/index.js';
import type { SessionPort } from './session-port.js';

export class OfflineAccount {
  #jid: string | undefined;

  /** The account named for offline work; a signed-in account always takes precedence over it. */
  get jid(): string | undefined {
    return this.#jid;
  }

  /** Names the account (normalized as the session does when it signs in), or none. */
  choose(jid: string | undefined): void {
    if (jid === undefined) {
      this.#jid = undefined;
      return;
    }
    let parsed;
    try {
      parsed = parseJid(jid);
    } catch {
      throw new KeyringError('invalid-argument', 'That is not a valid XMPP address.', 'jid');
    }
    if (!parsed.local || parsed.resource) throw new KeyringError('invalid-argument', `${parsed.resource ? ADDRESS_WORDS.resource : ADDRESS_WORDS.shape}.`, 'jid');
    this.#jid = parsed.bare().toString();
  }

  /**
   * The session as services see it: the same connection and requests, and, while no account has
   * signed in, the account chosen for offline work as `state.account` and `ownJid`.
   */
  port(session: SessionPort): SessionPort {
    const offline = () => this.#jid;
    return {
      get iq() {
        return session.iq;
      },
      get ownJid(): string {
        const account = session.state.account ?? offline();
        if (account === undefined) throw new KeyringError('not-connected', 'Connect the account first.');
        return account;
      },
      get state() {
        const state = session.state;
        const chosen = offline();
        return state.account !== undefined || chosen === undefined ? state : { ...state, account: chosen };
      },
      get stream() {
        return session.stream;
      },
      send: (stanza) => session.send(stanza),
      requireXep0222Support: () => session.requireXep0222Support(),
    };
  }
}
