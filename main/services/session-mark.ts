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
 *
 * A write to the account's own nodes, roster or vault (a publish, a renewal, a roster change) holds to
 * the account only (`holds: 'account'`): romeo's Wi-Fi dropping for a moment during a 4096-bit key
 * generation must not stop romeo's renewal, and the rest of it goes to romeo's server over romeo's new
 * stream, where it belongs. Another account signed in still stops it, before its next request.
 *
 * A refusal is a 'signed-out-meanwhile' KeyringError, not 'not-connected': it reaches the window after
 * main told it of the other account, and the window keeps it (renderer/src/lib/task.svelte.ts) where it
 * drops every other answer of the previous account's.
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
  /**
   * What must stay the same for the work to go on. 'stream' (the default): the account and its stream,
   * for readings recorded or shown as the account's view (a reconnect may have missed news between).
   * 'account': the account alone, for writes to its own nodes, roster or vault, which go on over the
   * same account's new stream after a reconnect.
   */
  readonly holds?: 'stream' | 'account';
}

/** The account and connection as they are now. */
export function markNow(session: Pick<SessionPort, 'state' | 'sessionGeneration'>): SessionMark {
  return { account: session.state.account, generation: session.sessionGeneration };
}

/** The same mark, held for a write: by the account alone, whatever its stream (see `holds`). */
export function forWrite<M extends SessionMark>(mark: M): M & { readonly holds: 'account' } {
  return { ...mark, holds: 'account' };
}

/** Whether work started at `mark` is still the session's: the same account, on the same stream unless it holds to the account only. */
export function stillMarked(session: Pick<SessionPort, 'state' | 'sessionGeneration'>, mark: SessionMark): boolean {
  if (mark.holds !== 'account' && session.sessionGeneration !== mark.generation) return false;
  return isAccountNow(session, mark.account);
}

/** Whether `account` is the one the session names now (bare JIDs, case-insensitively; none is none). */
export function isAccountNow(session: Pick<SessionPort, 'state'>, account: string | undefined): boolean {
  const now = session.state.account;
  if (now === undefined || account === undefined) return now === account;
  return bareJidKey(now) === bareJidKey(account);
}

/**
 * After a change of trust written for `account` (the vault's, kept per account): refused when another
 * account signed in during the write (another window pressed Connect), so that neither the answer nor
 * the windows' news shows that account's view of the contact as if it were the change. The change stays
 * recorded for `account`; a reconnect of the same account changes nothing.
 */
export function requireTrustAccountNow(session: Pick<SessionPort, 'state'>, account: string): void {
  if (isAccountNow(session, account)) return;
  throw signedOutMeanwhile(
    `The change was recorded for ${account}, but ${account} was signed out meanwhile (another account was signed in): it shows when ${account} is signed in again.`,
  );
}

/** A mark for work done for an account (a write, a reading of its own nodes): one is signed in or chosen. */
export interface AccountMark extends SessionMark {
  readonly account: string;
}

/** The account and connection as they are now; 'not-connected' before any account signed in (SessionPort.ownJid). */
export function accountMarkNow(session: Pick<SessionPort, 'ownJid' | 'sessionGeneration'>): AccountMark {
  return { account: session.ownJid, generation: session.sessionGeneration };
}

/**
 * Stops work whose mark no longer holds: a 'signed-out-meanwhile' refusal in `words()`, which say what
 * was and was not done.
 */
export function requireMarked(session: Pick<SessionPort, 'state' | 'sessionGeneration'>, mark: SessionMark, words: () => string): void {
  if (!stillMarked(session, mark)) throw signedOutMeanwhile(words());
}

/** The refusal of work whose account was signed out meanwhile (or whose stream, for a reading, was replaced). */
export function signedOutMeanwhile(words: string, cause?: unknown): KeyringError {
  return new KeyringError('signed-out-meanwhile', words, undefined, cause === undefined ? undefined : { cause });
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
