/**
 * How a stream error (RFC 6120 §4.9) is read. xmpp.js reads it in @xmpp/connection's
 * `Connection._onStreamError`, before any middleware sees the element, so the stream guard cannot stop
 * it; client.ts installs this reader in its place (`readStreamErrors`). Before STARTTLS anyone on the
 * path can write a stream error, and three things went wrong:
 *
 * 1. `see-other-host` (§4.9.3.19) was followed: xmpp.js opened a new TCP connection to whatever
 *    host:port the error named and wrote a stream header there, after the session had given the attempt
 *    up, and the sign-in then waited for the close timeout and blamed the server for closing. The RFC
 *    lets a client follow it (MAY); a key manager that connects only to the server the account names
 *    does not: before TLS the redirect is unauthenticated, and after it the user, not the server,
 *    chose the host. It is an error like any other: the sign-in fails at once, saying where it was sent.
 * 2. A stream error without a condition element (`<stream:error/>`) made xmpp.js throw from the
 *    parser's listener, out of the socket's data handler: an uncaught exception (the end of a CLI or
 *    browser-host process) and a sign-in hanging until its deadline. Here it is `undefined-condition`.
 * 3. The condition is an element name the sender chooses. Only the names §4.9.3 defines are kept
 *    (`streamCondition`); connection-errors.ts words the rest as an unknown stream error.
 */
import type { Client } from '@xmpp/client-core';
import XMPPError from '@xmpp/error';
import type { Element } from '@xmpp/xml';
import { oneLine } from '../untrusted-text.js';

/** RFC 6120 §4.9.2: the namespace of the condition and of the optional <text/>. */
const NS_STREAM_ERRORS = 'urn:ietf:params:xml:ns:xmpp-streams';

/** RFC 6120 §4.9.3.1–4.9.3.25: every defined stream error condition. */
const STREAM_CONDITIONS: ReadonlySet<string> = new Set([
  'bad-format',
  'bad-namespace-prefix',
  'conflict',
  'connection-timeout',
  'host-gone',
  'host-unknown',
  'improper-addressing',
  'internal-server-error',
  'invalid-from',
  'invalid-namespace',
  'invalid-xml',
  'not-authorized',
  'not-well-formed',
  'policy-violation',
  'remote-connection-failed',
  'reset',
  'resource-constraint',
  'restricted-xml',
  'see-other-host',
  'system-shutdown',
  'undefined-condition',
  'unsupported-encoding',
  'unsupported-feature',
  'unsupported-stanza-type',
  'unsupported-version',
]);

/** The longest server text kept (for the log only: a person never sees it). */
const MAX_TEXT = 200;

/** A stream error as xmpp.js's own (@xmpp/connection's StreamError): an XMPPError named 'StreamError'. */
export class StreamError extends XMPPError {
  constructor(condition: string, text: string, element: Element) {
    super(condition, text);
    this.name = 'StreamError';
    this.element = element;
  }
}

/** The defined condition a stream error names, or undefined for anything else (point 3 above). */
export function streamCondition(condition: unknown): string | undefined {
  return typeof condition === 'string' && STREAM_CONDITIONS.has(condition) ? condition : undefined;
}

/**
 * Reads `<stream:error/>` (§4.9.2): the condition is the first child in the stream errors namespace
 * other than <text/>; none is undefined-condition (§4.9.3.21). The condition is kept as sent (the log
 * names it); only streamCondition's answer is shown to a person.
 */
export function readStreamError(element: Element): StreamError {
  const children = element.getChildElements();
  const condition = children.find((child) => child.getNS() === NS_STREAM_ERRORS && child.name !== 'text')?.name ?? 'undefined-condition';
  const text = oneLine(element.getChildText('text', NS_STREAM_ERRORS) ?? '').slice(0, MAX_TEXT);
  return new StreamError(oneLine(condition).slice(0, MAX_TEXT), text, element);
}

/** An ASCII domain name or IPv4 address, or an IPv6 address in brackets; then an optional port (§4.9.3.19). */
const HOST_AND_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
/** A longer host is left unnamed: the sentence stays short. */
const MAX_HOST = 100;

/**
 * Where a see-other-host error sent us, when it names a host (and port) the way §4.9.3.19 asks and not
 * too long to repeat; undefined otherwise. The app never goes there: this is only for the sentence.
 */
export function redirectTarget(error: unknown): string | undefined {
  const element = (error as { element?: unknown } | null)?.element;
  if (!isElement(element)) return undefined;
  const host = element.getChildText('see-other-host', NS_STREAM_ERRORS)?.trim() ?? '';
  return host.length <= MAX_HOST && HOST_AND_PORT.test(host) ? host : undefined;
}

function isElement(value: unknown): value is Element {
  return typeof value === 'object' && value !== null && typeof (value as { getChildText?: unknown }).getChildText === 'function';
}

interface StreamErrorReader {
  _onStreamError(element: Element): void;
}

/**
 * Installs the reader on the connection: a stream error becomes the client's 'error' event, whatever it
 * says, and xmpp.js then closes the stream as it does for every stream error (§4.9.1.1: unrecoverable).
 */
export function readStreamErrors({ entity }: { entity: Client }): void {
  (entity as unknown as StreamErrorReader)._onStreamError = (element: Element): void => {
    entity.emit('error', readStreamError(element));
  };
}
