/**
 * Turns what xmpp.js and Node's sockets throw while connecting into a KeyringError with a stable code
 * and a sentence a user can act on. Distinguishing these is the point: a wrong password, a dead server
 * and an untrusted certificate need different fixes.
 */
import { KeyringError } from '../errors.js';
import { redirectTarget, streamCondition } from './stream-errors.js';

const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The socket errors that mean the server could not be reached, each said as a person understands it.
 * The system's code (ECONNREFUSED…) stays in the log, with the cause: it helps an administrator, and
 * tells anyone else nothing.
 */
const UNREACHABLE_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused (no server listens on that port, or a firewall turns it away)',
  ECONNRESET: 'the connection was cut off',
  EPIPE: 'the connection was cut off',
  EHOSTUNREACH: 'there is no route to it from here',
  ENETUNREACH: 'this computer has no network route to it',
  ENOTFOUND: 'its name was not found',
  EAI_AGAIN: 'its name could not be looked up just now',
  ETIMEDOUT: 'the connection took too long and was given up',
  // Node's own, when none of a name's addresses (IPv4 and IPv6 tried in turn) answered in time.
  ERR_SOCKET_CONNECTION_TIMEOUT: 'the connection took too long and was given up',
  ECONNABORTED: 'the connection was cut off',
  ENETDOWN: "this computer's network is down",
  EADDRNOTAVAIL: 'this computer has no address it can reach it from',
};

/** RFC 6120 §6.5.1–6.5.11: the SASL failure conditions (XEP-0388 §2.7 uses the same). */
const SASL_CONDITIONS: ReadonlySet<string> = new Set([
  'aborted',
  'account-disabled',
  'credentials-expired',
  'encryption-required',
  'incorrect-encoding',
  'invalid-authzid',
  'invalid-mechanism',
  'malformed-request',
  'mechanism-too-weak',
  'not-authorized',
  'temporary-auth-failure',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  condition?: unknown;
  message?: unknown;
  /** The name a DNS lookup was about (Node's getaddrinfo errors). */
  hostname?: unknown;
}

/**
 * The name the app looked up to connect, and where the person gave it: the part of their address after
 * @ ('jid'), or the Server host they typed in Server settings ('host'). The field a refusal names.
 */
export interface ServerName {
  name: string;
  from: 'jid' | 'host';
}

export function classifyConnectionError(error: unknown, server: string, looked?: ServerName): KeyringError {
  if (error instanceof KeyringError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : undefined;
  // ENOTFOUND is getaddrinfo's "no such name" (EAI_NONAME): the name itself is wrong, most often a typo.
  // Said as that, naming the field it came from; a temporary failure (EAI_AGAIN) is not this.
  if (code === 'ENOTFOUND' && looked !== undefined && sameName(e.hostname, looked.name)) {
    return new KeyringError('server-unreachable', `${looked.name} was not found.`, looked.from, { cause: error });
  }
  const name = typeof e.name === 'string' ? e.name : undefined;
  const condition = typeof e.condition === 'string' ? e.condition : undefined;

  if (name === 'SASLError') {
    if (condition === 'not-authorized' || condition === 'credentials-expired' || condition === 'invalid-authzid') {
      return new KeyringError('auth-failed', 'The server rejected the address or password.', undefined, { cause: error });
    }
    if (condition === 'account-disabled') {
      return new KeyringError('auth-failed', 'The server says this account is disabled.', undefined, { cause: error });
    }
    // The condition is a name the server chooses: only those RFC 6120 §6.5 defines are repeated.
    const known = condition !== undefined && SASL_CONDITIONS.has(condition) ? condition : 'a reason the app does not know';
    return new KeyringError('auth-failed', `Login failed (${known}).`, undefined, { cause: error });
  }
  if (code !== undefined && TLS_TRUST_CODES.has(code)) {
    const why =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'is issued for a different name'
        : code === 'CERT_HAS_EXPIRED'
          ? 'has expired'
          : 'is not signed by an authority you trust';
    return new KeyringError(
      'tls-untrusted',
      `The certificate of ${server} ${why} (${code}). If this is your own server, add its CA certificate.`,
      undefined,
      { cause: error },
    );
  }
  const unreachable = code === undefined ? undefined : UNREACHABLE_WORDS[code];
  if (unreachable !== undefined) {
    return new KeyringError('server-unreachable', `Cannot reach ${server}: ${unreachable}.`, undefined, { cause: error });
  }
  if (name === 'TimeoutError') {
    return new KeyringError('timeout', `${server} did not answer in time.`, undefined, { cause: error });
  }
  if (name === 'XMLError') {
    // The stream reader's parse errors (stream-reader.ts, point 3): xmpp.js already sent bad-format and
    // closed the connection (RFC 6120 §4.9.3.1). The parser's own words stay in the log.
    return new KeyringError(
      'protocol-error',
      `${server} sent data that is not well-formed XML, so the app closed the connection.`,
      undefined,
      { cause: error },
    );
  }
  if (name === 'StreamError') {
    if (condition === 'see-other-host') {
      // RFC 6120 §4.9.3.19: never followed (stream-errors.ts, point 1). Before TLS anyone on the path
      // can send it, so the sentence says where the connection was sent, not who sent it, and does not
      // suggest typing that host into the form: ask the one who knows.
      const target = redirectTarget(error);
      return new KeyringError(
        'redirect-refused',
        `The connection to ${server} asked the app to go to another server${target ? ` (${target})` : ''}. ` +
          "The app does not follow redirects, so it connected nowhere else. If this keeps happening, ask your server's administrator whether the server moved.",
        undefined,
        { cause: error },
      );
    }
    // The condition is a name the sender chooses: only those RFC 6120 §4.9.3 defines are repeated, the
    // common ones in words. Its own code: the app understood it, whatever "protocol-error" would say.
    const known = streamCondition(condition);
    const words = known === undefined ? undefined : STREAM_CONDITION_WORDS[known];
    return new KeyringError(
      'stream-closed',
      known === undefined
        ? `${server} closed the connection with an unknown stream error.`
        : `${server} closed the connection${words ? `: ${words}` : ''} (${known}).`,
      undefined,
      { cause: error },
    );
  }
  const message = typeof e.message === 'string' && e.message.length > 0 ? e.message : 'unknown error';
  return new KeyringError('server-unreachable', `Connecting to ${server} failed: ${message}`, undefined, {
    cause: error,
  });
}

/** The lookup was about `name` (DNS names compare case-insensitively, RFC 4343); unknown counts as it. */
function sameName(hostname: unknown, name: string): boolean {
  return typeof hostname !== 'string' || hostname.toLowerCase() === name.toLowerCase();
}

/** RFC 6120 §4.9.3 conditions a person meets in real use, in words (the others are named as they are). */
const STREAM_CONDITION_WORDS: Readonly<Record<string, string>> = {
  conflict: 'another sign-in of your account took this one’s place',
  'system-shutdown': 'the server is shutting down',
  'connection-timeout': 'the connection was quiet for too long',
  reset: 'the server asked the app to connect again',
  'resource-constraint': 'the server is too busy',
  'policy-violation': 'the server says a rule of its own was broken',
  'host-unknown': 'the server does not serve your account’s domain',
  'not-authorized': 'the server did not allow this connection',
};
