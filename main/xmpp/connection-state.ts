/**
 * The connection's one state machine, pure: what the session (session.ts) observed goes in as an
 * event, the state every front end shows comes out. "online" means one thing only: a live stream,
 * authenticated and bound (RFC 6120 §6, §7), that announced itself (RFC 6121 §4.2). Whatever ends
 * that stream (socket closed, a stream error such as `system-shutdown` (RFC 6120 §4.9.3.22), a ping
 * left unanswered (XEP-0199 §4.2)) leaves "online" at once, with the cause.
 *
 *   offline ──sign-in──▶ connecting ──bound──▶ online ──lost──▶ reconnecting ⇄ (attempt)
 *                           │                    ▲                   │
 *                           └─refused──▶ failed  └──────bound────────┤
 *                                                                    └─refused──▶ failed (stopped)
 *
 * While online, `unanswered` says the server has said nothing since then while a request waits
 * (liveness.ts): still the same stream, not yet taken for lost, but not to be shown as plainly online.
 *
 * "failed" is the stopped state: the app does not try again by itself (a wrong password, a server
 * that stopped offering TLS or login, an untrusted certificate), and says why (`error`: code + cause).
 */
import type { ConnectionState, ErrorCode, IpcError } from '../../contract/index.js';

export type ConnectionEvent =
  /** connect(): the first sign-in of this account starts. */
  | { type: 'sign-in'; account: string }
  /** A stream is authenticated, bound and announced. */
  | { type: 'bound'; boundJid: string }
  /** The live stream ended, or a reconnect attempt failed in a way worth retrying, at `at` (Date.now()). */
  | { type: 'lost'; cause: IpcError; attempt: number; nextAttemptAt: number; at: number }
  /** A reconnect attempt starts now. */
  | { type: 'attempt'; attempt: number }
  /** Signing in failed and will not be retried. */
  | { type: 'refused'; error: IpcError }
  /** The user signed out. */
  | { type: 'signed-out' }
  /** Online, a request waiting and nothing heard from the server since `since` (Date.now()): a ping decides. */
  | { type: 'silent'; since: number }
  /** The server spoke again after 'silent'. */
  | { type: 'heard' };

/**
 * Failures a retry cannot fix, only the user: the server refused the password (or its own proof of
 * knowing it failed: 'auth-failed'), stopped offering TLS or login (an attack on a live session:
 * 'tls-required', 'auth-required'), or shows a certificate we do not trust.
 */
const STOPPING: ReadonlySet<ErrorCode> = new Set(['auth-failed', 'tls-required', 'auth-required', 'tls-untrusted', 'invalid-argument']);

export function stopsReconnecting(code: ErrorCode): boolean {
  return STOPPING.has(code);
}

export function nextConnectionState(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  const account = state.account;
  const withAccount = account ? { account } : {};
  switch (event.type) {
    case 'sign-in':
      return { status: 'connecting', account: event.account };
    case 'bound':
      return { status: 'online', ...withAccount, boundJid: event.boundJid };
    case 'lost':
      // Only a session that was or is being re-established reconnects; a first sign-in that fails is refused.
      if (state.status !== 'online' && state.status !== 'reconnecting') return state;
      return {
        status: 'reconnecting',
        ...withAccount,
        // Since the stream was lost, not since the last failed attempt: "offline since 10:53".
        lostAt: state.status === 'reconnecting' && state.lostAt !== undefined ? state.lostAt : new Date(event.at).toISOString(),
        cause: event.cause,
        attempt: event.attempt,
        nextAttemptAt: new Date(event.nextAttemptAt).toISOString(),
      };
    case 'attempt':
      if (state.status !== 'reconnecting') return state;
      return {
        status: 'reconnecting',
        ...withAccount,
        ...(state.lostAt ? { lostAt: state.lostAt } : {}),
        ...(state.cause ? { cause: state.cause } : {}),
        attempt: event.attempt,
      };
    case 'refused':
      return { status: 'failed', ...withAccount, error: event.error };
    case 'signed-out':
      return { status: 'offline', ...withAccount };
    case 'silent':
      if (state.status !== 'online') return state;
      return { ...state, unanswered: new Date(event.since).toISOString() };
    case 'heard': {
      if (state.status !== 'online' || state.unanswered === undefined) return state;
      const { unanswered: _answeredNow, ...answered } = state;
      return answered;
    }
  }
}
