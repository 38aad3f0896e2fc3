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
import { bareJidKey } from '../keys/xmpp-addr.js';
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
