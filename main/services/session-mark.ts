/**
 * Which account, on which stream, a piece of work was started for. The session is one for every account
 * the app signs in to: work begun for romeo (his roster's keys read at sign-in, a contact's key node
 * asked for) may still run when mercutio signs in. Its requests would then go over mercutio's connection
 * and its answers land in mercutio's part of the vault (his first-seen trust baseline for romeo's
 * contacts) and his window. So such work takes a mark when it starts and, before each next step and
 * before recording or announcing what it read, checks that the mark still holds: the same account
 * (bare JIDs, case-insensitively) on the same stream. A stream lost or replaced counts as gone even if
 * the same account is back (romeo → mercutio → romeo within one job is not "still romeo"): what was read
 * across the switch is not trusted, and the new stream's sign-in starts its own job.
 */
import { KeyringError } from '../errors.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import type { Iq } from '../xmpp/iq-requests.js';
import type { SessionPort } from './session-port.js';

export interface SessionMark {
  /** The account signed in (or chosen for offline work) when the work started; none before any. */
  readonly account: string | undefined;
  /** SessionPort.sessionGeneration then: which connection it started on. */
  readonly generation: number;
}

/** The account and connection as they are now. */
export function markNow(session: Pick<SessionPort, 'state' | 'sessionGeneration'>): SessionMark {
  return { account: session.state.account, generation: session.sessionGeneration };
}

/** Whether work started at `mark` is still the session's: the same account, on the same stream. */
export function stillMarked(session: Pick<SessionPort, 'state' | 'sessionGeneration'>, mark: SessionMark): boolean {
  if (session.sessionGeneration !== mark.generation) return false;
  const account = session.state.account;
  if (account === undefined || mark.account === undefined) return account === mark.account;
  return bareJidKey(account) === bareJidKey(mark.account);
}

/** A mark for work done for an account (a write, a reading of its own nodes): one is signed in or chosen. */
export interface AccountMark extends SessionMark {
  readonly account: string;
}

/** The account and connection as they are now; 'not-connected' before any account signed in (SessionPort.ownJid). */
export function accountMarkNow(session: Pick<SessionPort, 'ownJid' | 'sessionGeneration'>): AccountMark {
  return { account: session.ownJid, generation: session.sessionGeneration };
}

/** Stops work whose mark no longer holds: a 'not-connected' refusal in `words()`, which say what was and was not done. */
export function requireMarked(session: Pick<SessionPort, 'state' | 'sessionGeneration'>, mark: SessionMark, words: () => string): void {
  if (!stillMarked(session, mark)) throw new KeyringError('not-connected', words());
}

/**
 * The session's IQ requests for work started at `mark`: each goes out only while the mark still holds,
 * and is refused in `words()` otherwise. After a switch, a request made for romeo would go over
 * mercutio's connection (to mercutio's own PEP service when it names no address).
 */
export function markedIq(session: Pick<SessionPort, 'iq' | 'state' | 'sessionGeneration'>, mark: SessionMark, words: () => string): Iq {
  return {
    get: async (element, to, timeout) => {
      requireMarked(session, mark, words);
      return session.iq.get(element, to, timeout);
    },
    set: async (element, to, timeout) => {
      requireMarked(session, mark, words);
      return session.iq.set(element, to, timeout);
    },
  };
}
