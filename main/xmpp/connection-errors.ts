/**
 * Turns what xmpp.js and Node's sockets throw while connecting into a KeyringError with a stable code
 * and a sentence a user can act on. Distinguishing these is the point: a wrong password, a dead server
 * and an untrusted certificate need different fixes.
 */
import { KeyringError } from '../errors.js';
import { redirectTarget, streamCondition } from './stream-errors.js';

/**
 * What the person can do about a server certificate that failed the check, by Node's name for the
 * failure: its X.509 verification codes (doc/api/tls.md "X509 certificate error codes"; "UNSPECIFIED" for
 * OpenSSL's others, such as a key or digest too weak) and its own ERR_TLS_CERT_ALTNAME_*. The CRL codes
 * are left out: the app gives Node no revocation lists, so they cannot occur. Every one refuses the
 * server ('tls-untrusted'); the code itself goes to the log with the cause, never into the sentence.
 */
type TrustProblem = 'authority' | 'self-signed' | 'signature' | 'name' | 'expired' | 'not-yet-valid' | 'revoked' | 'unfit' | 'malformed' | 'weak';

const TLS_TRUST_PROBLEMS: Readonly<Record<string, TrustProblem>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'authority',
  UNABLE_TO_GET_ISSUER_CERT: 'authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  CERT_SIGNATURE_FAILURE: 'signature',
  ERR_TLS_CERT_ALTNAME_INVALID: 'name',
  HOSTNAME_MISMATCH: 'name',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  CERT_REVOKED: 'revoked',
  CERT_UNTRUSTED: 'unfit',
  CERT_REJECTED: 'unfit',
  INVALID_CA: 'unfit',
  INVALID_PURPOSE: 'unfit',
  PATH_LENGTH_EXCEEDED: 'unfit',
  CERT_CHAIN_TOO_LONG: 'unfit',
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'malformed',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'malformed',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'malformed',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'malformed',
  ERR_TLS_CERT_ALTNAME_FORMAT: 'malformed',
  UNSPECIFIED: 'weak',
};

/**
 * Where trusting the server's CA is the fix: the Account screen's "Extra CA certificate" (which shows
 * its fingerprint to compare) and the keyring command's --ca-file ("extra trusted CA certificate") both
 * call it the extra CA certificate, so the step names neither front end's control.
 */
export const CHOOSE_CA = 'choose it as the extra CA certificate for this account, once its fingerprint matches the one the admin gives you';
const CHECK_CLOCK = "Check that this computer's date and time are right";

/** A refused certificate: what is wrong with it (the message), then what the person can do (its next step). */
function trustWords(problem: TrustProblem, server: string, name: string | undefined): { message: string; nextStep: string } {
  const refused = (why: string, nextStep: string) => ({ message: `The certificate of ${server} ${why}, so the app did not connect.`, nextStep });
  switch (problem) {
    case 'authority':
      return refused('is not signed by an authority the app trusts', `If this is your own server, get its CA certificate from its admin and ${CHOOSE_CA}.`);
    case 'self-signed':
      return refused('is self-signed (no authority vouches for it)', `If this is your own server, get that certificate from its admin and ${CHOOSE_CA}.`);
    case 'signature':
      return refused(
        'does not carry a valid signature of the authority named in it',
        "If you chose an extra CA certificate, check that it is your server's current one; otherwise someone may be posing as the server: tell its admin.",
      );
    case 'name':
      return refused(
        `is issued for a different name${name ? `, not for ${name}` : ''}`,
        "If you set a server host for this account, check it; otherwise someone may be posing as the server, or its certificate is wrong: tell your server's admin.",
      );
    case 'expired':
      return refused('has expired', `${CHECK_CLOCK}; if they are, your server's admin must renew the certificate.`);
    case 'not-yet-valid':
      return refused('is not valid yet', `${CHECK_CLOCK}; if they are, tell your server's admin.`);
    case 'revoked':
      return refused('was revoked by the authority that issued it', "Tell your server's admin.");
    case 'unfit':
      return refused('is not allowed for a server, or was issued by an authority not allowed to issue it', "Tell your server's admin.");
    case 'malformed':
      return refused('is damaged and cannot be checked', "Tell your server's admin.");
    case 'weak':
      return refused('failed the app\'s checks (its key or signature may be too weak)', "Tell your server's admin.");
  }
}

/** The name Node checked the certificate against (the account's domain), when it is a plain host name or address. */
function checkedName(host: unknown): string | undefined {
  return typeof host === 'string' && /^[A-Za-z0-9.:-]{1,253}$/.test(host) ? (host.includes(':') ? `[${host}]` : host) : undefined;
}

const CUT_OFF = 'the connection was cut off';
const LOCAL_POLICY = "this computer's firewall or security settings do not allow the connection";
const TOO_MANY_OPEN = 'this computer has too many connections or files open just now';
const SHORT_OF_MEMORY = 'this computer is short of memory for network connections just now';
const NOT_TLS = 'what answers on that port does not speak TLS (check the port)';
const OLD_TLS = 'its encryption is of an old kind the app no longer uses (its admin can turn on TLS 1.2 or 1.3)';
const NO_COMMON_CIPHER = 'it and the app have no kind of encryption in common (ask its admin)';

/**
 * The socket errors that mean the server could not be reached, each said as a person understands it.
 * The system's code (ECONNREFUSED…) stays in the log, with the cause: it helps an administrator, and
 * tells anyone else nothing.
 */
const UNREACHABLE_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused (no server listens on that port, or a firewall turns it away)',
  ECONNRESET: CUT_OFF,
  EPIPE: CUT_OFF,
  EHOSTUNREACH: 'there is no route to it from here',
  ENETUNREACH: 'this computer has no network route to it',
  ENOTFOUND: 'its name was not found',
  EAI_AGAIN: 'its name could not be looked up just now',
  ETIMEDOUT: 'the connection took too long and was given up',
  // Node's own, when none of a name's addresses (IPv4 and IPv6 tried in turn) answered in time.
  ERR_SOCKET_CONNECTION_TIMEOUT: 'the connection took too long and was given up',
  ECONNABORTED: CUT_OFF,
  ENETDOWN: "this computer's network is down",
  EADDRNOTAVAIL: 'this computer has no address it can reach it from',
  EHOSTDOWN: 'the computer it runs on does not answer',
  ENOTCONN: CUT_OFF,
  ESHUTDOWN: CUT_OFF,
  ECANCELED: CUT_OFF,
  // Node's own, for a socket closed before it connected or written to after it closed.
  ERR_SOCKET_CLOSED: CUT_OFF,
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION: CUT_OFF,
  ERR_STREAM_DESTROYED: CUT_OFF,
  ERR_STREAM_WRITE_AFTER_END: CUT_OFF,
  // A local firewall or security policy (or a connect to a broadcast address) refuses before anything is sent.
  EACCES: LOCAL_POLICY,
  EPERM: LOCAL_POLICY,
  EAFNOSUPPORT: 'this computer cannot use that kind of address (IPv6 may be turned off)',
  EMFILE: TOO_MANY_OPEN,
  ENFILE: TOO_MANY_OPEN,
  ENOBUFS: SHORT_OF_MEMORY,
  ENOMEM: SHORT_OF_MEMORY,
  // getaddrinfo's other answers (its "no such name" is ENOTFOUND above).
  EAI_FAIL: 'its name could not be looked up (the name server failed)',
  EAI_NODATA: 'its name was not found',
  EAI_NONAME: 'its name was not found',
  EAI_ADDRFAMILY: 'its name has no address of a kind this computer can use',
  EAI_MEMORY: SHORT_OF_MEMORY,
  // TLS set up on the socket, before any certificate is looked at.
  EPROTO: 'an encrypted connection could not be set up with it (what answers on that port may not be an XMPP server)',
  ERR_TLS_HANDSHAKE_TIMEOUT: 'setting up the encrypted connection took too long and was given up',
  ERR_SSL_WRONG_VERSION_NUMBER: NOT_TLS,
  ERR_SSL_PACKET_LENGTH_TOO_LONG: NOT_TLS,
  ERR_SSL_HTTP_REQUEST: NOT_TLS,
  ERR_SSL_UNSUPPORTED_PROTOCOL: OLD_TLS,
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: OLD_TLS,
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: OLD_TLS,
  ERR_SSL_VERSION_TOO_LOW: OLD_TLS,
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: NO_COMMON_CIPHER,
  ERR_SSL_NO_SHARED_CIPHER: NO_COMMON_CIPHER,
  ERR_SSL_DH_KEY_TOO_SMALL: 'its encryption is too weak for the app (ask its admin)',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'it asks for a certificate of the app, which the app does not have',
};

/** Any other OpenSSL failure while setting up TLS (Node names them ERR_SSL_ and OpenSSL's reason). */
const OTHER_TLS_FAILURE = 'an encrypted connection could not be set up with it';

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
  /** The name a certificate was checked against (Node's ERR_TLS_CERT_ALTNAME_INVALID). */
  host?: unknown;
  /** A stanza too large came before the stream was encrypted and logged in (stream-reader.ts StanzaTooLarge). */
  beforeTrust?: unknown;
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
  const trust = code === undefined ? undefined : TLS_TRUST_PROBLEMS[code];
  if (trust !== undefined) {
    const { message, nextStep } = trustWords(trust, server, checkedName(e.host));
    return new KeyringError('tls-untrusted', message, undefined, { cause: error, nextStep });
  }
  const unreachable = code === undefined ? undefined : (UNREACHABLE_WORDS[code] ?? (code.startsWith('ERR_SSL_') ? OTHER_TLS_FAILURE : undefined));
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
  if (name === 'StanzaTooLarge') {
    // The stream reader's size limits (stream-reader.ts, point 5): the client already sent policy-violation
    // and closed the connection. Before TLS and login anyone on the path can send it, so the words do not
    // blame the server; after, only the server can (it relays strangers' stanzas well below the limit).
    const beforeTrust = e.beforeTrust !== false;
    return new KeyringError(
      'protocol-error',
      beforeTrust
        ? `Before the connection to ${server} was encrypted and signed in, more data came in one piece than the app accepts at that point, so the app closed the connection.`
        : `${server} sent more data in one piece than the app accepts, so the app closed the connection.`,
      undefined,
      {
        cause: error,
        nextStep: beforeTrust
          ? 'Something on the network may be interfering with the connection: try again, or from another network. If it keeps happening, tell your server’s administrator.'
          : 'If it keeps happening, tell your server’s administrator.',
      },
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
  // Anything else: what Node or a library said is for the log (the cause), not for a person, who is told
  // what to check instead.
  return new KeyringError(
    'server-unreachable',
    `Connecting to ${server} failed for a reason the app does not know. Check the server name and port, and that you are online, then try again.`,
    undefined,
    { cause: error },
  );
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
