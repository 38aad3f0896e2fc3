/**
 * A diagnostic log of the XMPP stream, as Gajim's XML console shows it: every element in and out, with
 * its direction and time, one line each. Turned on with the CLI's `--debug` (to stderr) or, for the
 * app, `KEYRING_XMPP_LOG=stderr` or `KEYRING_XMPP_LOG=/path/to/file`.
 *
 * What must never reach the log: the password, what SASL carries (RFC 6120 §6.4.2–6.4.6 auth, challenge,
 * response and success data; XEP-0388 SASL2 initial-response, challenge, response, additional-data; FAST
 * tokens), and private keys. Those are redacted by element before the line is written, and the password
 * itself is scrubbed from every line as a last guard. The server's text is untrusted: control and bidi
 * characters are written as character references so it cannot rewrite the terminal it is shown in.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Client } from '@xmpp/client-core';
import { escapeXML, escapeXMLText, type Element } from '@xmpp/xml';

/** Where the log lines go. */
export interface StreamLogSink {
  write(line: string): void;
  close?(): void;
}

/** The environment switch for the app (the CLI has `--debug`). */
export const STREAM_LOG_ENV = 'KEYRING_XMPP_LOG';

/** `stderr`, or a file appended to (created private to the user); anything empty means no log. */
export function streamLogSink(target: string | undefined): StreamLogSink | undefined {
  if (target === undefined || target.trim() === '') return undefined;
  if (target === 'stderr') return { write: (line) => process.stderr.write(line) };
  // Synchronous writes: a diagnostic log must survive the CLI's process.exit() right after a failure.
  let fd: number;
  try {
    fd = openSync(target, 'a', 0o600);
  } catch (error) {
    // A log that cannot be written must not keep the app from starting: say so once, and go on without.
    const code = (error as NodeJS.ErrnoException).code ?? 'unwritable';
    process.stderr.write(`[keyring] cannot write the XMPP log to ${target} (${code}); continuing without it\n`);
    return undefined;
  }
  return {
    write: (line) => void writeSync(fd, line),
    close: () => closeSync(fd),
  };
}

const SASL_NS = 'urn:ietf:params:xml:ns:xmpp-sasl';
const SASL2_NS = 'urn:xmpp:sasl:2';
const FAST_NS = 'urn:xmpp:fast:0';

/** Elements whose text is a credential or derived from one, by namespace. */
const SECRET_TEXT: Record<string, ReadonlySet<string>> = {
  // RFC 6120 §6.4: every SASL payload (even <success/> data, which proves knowledge of the password).
  [SASL_NS]: new Set(['auth', 'challenge', 'response', 'success']),
  // XEP-0388 §2–4.
  [SASL2_NS]: new Set(['initial-response', 'challenge', 'response', 'additional-data']),
};
/** Attributes that carry a token (XEP-0484 FAST). */
const SECRET_ATTRS: Record<string, ReadonlySet<string>> = { [FAST_NS]: new Set(['token']) };
/** Elements named like a password in any namespace (XEP-0077 registration, XEP-0078 legacy auth). */
const SECRET_NAMES = new Set(['password', 'digest']);

const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
/** C0 and C1 controls, DEL, line/paragraph separators and bidi controls: shown as references. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export interface StreamLogOptions {
  /** Names the connection in each line (the account). */
  label: string;
  /** Strings that must never appear in the log (the password). */
  secrets?: readonly string[];
}

/** Writes every element the connection sends and receives to `sink`. */
export function attachStreamLog(entity: Client, sink: StreamLogSink, options: StreamLogOptions): void {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 3);
  const line = (direction: 'IN ' | 'OUT' | '---', text: string): void => {
    let safe = text;
    for (const secret of secrets) safe = safe.split(secret).join('[redacted]');
    safe = safe.replace(UNSAFE_CHARS, (c) => `&#x${c.codePointAt(0)?.toString(16) ?? ''};`);
    sink.write(`${new Date().toISOString()} ${options.label} ${direction} ${safe}\n`);
  };
  // A diagnostic log must never take the connection down: these run inside the socket's data handler.
  const element = (direction: 'IN ' | 'OUT', element: Element): void => {
    try {
      line(direction, renderRedacted(element));
    } catch (error) {
      line(direction, `<${element.name.slice(0, 40)}> not shown: ${error instanceof Error ? error.name : 'error'}`);
    }
  };
  entity.on('element', (stanza: Element) => element('IN ', stanza));
  entity.on('send', (stanza: Element) => element('OUT', stanza));
  entity.on('status', (status: string, detail?: unknown) => {
    if (status === 'open') {
      // The headers are written and parsed outside the element events: show both once the stream is open.
      const root = (entity as unknown as { root?: Element | null }).root;
      if (root) line('OUT', openingTag(root));
      if (isElement(detail)) line('IN ', openingTag(detail));
      return;
    }
    if (status === 'connect' || status === 'disconnect' || status === 'offline' || status === 'online') {
      line('---', `${status}${entity.isSecure() ? ' (TLS)' : ''}`);
    }
  });
  entity.on('error', (error: unknown) => {
    line('---', `error: ${error instanceof Error ? `${error.name} ${error.message}` : String(error)}`);
  });
}

/**
 * How many levels of an element the log shows. The stream reader drops deeper stanzas (stream-reader.ts,
 * MAX_STANZA_DEPTH); this keeps the rendering's recursion bounded whatever element it is given.
 */
export const MAX_LOGGED_DEPTH = 100;

/** The element as XML, with every secret replaced by `[redacted N chars]`; levels past MAX_LOGGED_DEPTH elided. */
export function renderRedacted(element: Element, inheritedNs?: string, depth = 1): string {
  const ns = element.attrs.xmlns ?? inheritedNs ?? element.getNS();
  const attrs = Object.entries(element.attrs)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, value]) => {
      const secret = ns !== undefined && SECRET_ATTRS[ns]?.has(name);
      return ` ${name}="${secret ? redacted(value) : escapeXML(value)}"`;
    })
    .join('');
  if (element.children.length === 0) return `<${element.name}${attrs}/>`;
  const secretText = (ns !== undefined && SECRET_TEXT[ns]?.has(element.name)) || SECRET_NAMES.has(element.name);
  const inner = secretText
    ? redacted(element.getText())
    : depth >= MAX_LOGGED_DEPTH
      ? '[deeper levels not shown]'
      : element.children
          .map((child) =>
            typeof child === 'string' ? escapeXMLText(child).replace(PRIVATE_KEY_PEM, (k) => redacted(k)) : renderRedacted(child, ns, depth + 1),
          )
          .join('');
  return `<${element.name}${attrs}>${inner}</${element.name}>`;
}

function redacted(value: string): string {
  return `[redacted ${value.length} chars]`;
}

function openingTag(element: Element): string {
  const attrs = Object.entries(element.attrs)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, value]) => ` ${name}="${escapeXML(value)}"`)
    .join('');
  return `<${element.name}${attrs}>`;
}

function isElement(value: unknown): value is Element {
  return typeof value === 'object' && value !== null && 'name' in value && 'attrs' in value;
}
