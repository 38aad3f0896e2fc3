/**
 * The stream log (main/xmpp/stream-log.ts) shows every element with its direction and time, and never
 * the password, what SASL carries (RFC 6120 §6.4, XEP-0388), FAST tokens or private keys. The same
 * guarantee end to end, against real servers and through `keyring --debug`, is in
 * test/integration/stream-log.test.ts.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import parse from '@xmpp/xml/lib/parse.js';
import type { Client } from '@xmpp/client-core';
import { attachStreamLog, MAX_LOGGED_DEPTH, renderRedacted, streamLogSink } from '../../../main/xmpp/stream-log.js';

const SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const SASL2 = 'urn:xmpp:sasl:2';
const SECRET_B64 = Buffer.from('\0juliet\0balcony-secret').toString('base64');

describe('redacting an element', () => {
  it.each([
    ['SASL auth', xml('auth', { xmlns: SASL, mechanism: 'PLAIN' }, SECRET_B64)],
    ['SASL challenge', xml('challenge', { xmlns: SASL }, SECRET_B64)],
    ['SASL response', xml('response', { xmlns: SASL }, SECRET_B64)],
    ['SASL success data', xml('success', { xmlns: SASL }, SECRET_B64)],
    ['SASL2 initial response', xml('authenticate', { xmlns: SASL2, mechanism: 'PLAIN' }, xml('initial-response', {}, SECRET_B64))],
    ['SASL2 challenge', xml('challenge', { xmlns: SASL2 }, SECRET_B64)],
    ['SASL2 response', xml('response', { xmlns: SASL2 }, SECRET_B64)],
    ['SASL2 success data', xml('success', { xmlns: SASL2 }, xml('additional-data', {}, SECRET_B64), xml('authorization-identifier', {}, 'juliet@capulet.lit'))],
    ['FAST token', xml('success', { xmlns: SASL2 }, xml('token', { xmlns: 'urn:xmpp:fast:0', token: SECRET_B64, expiry: '2030-01-01T00:00:00Z' }))],
    ['XEP-0077 password', xml('iq', { type: 'set' }, xml('query', { xmlns: 'jabber:iq:register' }, xml('username', {}, 'juliet'), xml('password', {}, SECRET_B64)))],
  ])('%s: the payload is replaced by its length', (_name, element) => {
    const line = renderRedacted(element);
    expect(line).not.toContain(SECRET_B64);
    expect(line).toMatch(/\[redacted \d+ chars\]/);
  });

  it('keeps what is not secret: element names, mechanisms, the authorization identifier, failures', () => {
    expect(renderRedacted(xml('auth', { xmlns: SASL, mechanism: 'SCRAM-SHA-1' }, 'x'))).toBe(
      `<auth xmlns="${SASL}" mechanism="SCRAM-SHA-1">[redacted 1 chars]</auth>`,
    );
    expect(renderRedacted(xml('failure', { xmlns: SASL }, xml('not-authorized')))).toBe(`<failure xmlns="${SASL}"><not-authorized/></failure>`);
    expect(renderRedacted(xml('success', { xmlns: SASL2 }, xml('authorization-identifier', {}, 'juliet@capulet.lit')))).toContain(
      '<authorization-identifier>juliet@capulet.lit</authorization-identifier>',
    );
  });

  it('recognises SASL elements by inherited namespace, as they arrive from the parser', () => {
    const incoming = parse(`<stream xmlns="${SASL2}"><authenticate mechanism="PLAIN"><initial-response>${SECRET_B64}</initial-response></authenticate></stream>`);
    const child = incoming.getChildElements()[0];
    expect(child && renderRedacted(child)).not.toContain(SECRET_B64);
  });

  it('cuts a private key out of any text', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const line = renderRedacted(xml('message', {}, xml('body', {}, `here: ${pem} done`)));
    expect(line).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
    expect(line).toMatch(/here: \[redacted \d+ chars\] done/);
    const rsa = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAsecret';
    expect(renderRedacted(xml('body', {}, rsa))).not.toContain('MIIEpAIBAAKCAQEAsecret');
  });

  it(`shows ${MAX_LOGGED_DEPTH} levels of an element nested 10000 deep, and says the rest is not shown`, () => {
    const root = xml('message', {});
    let cursor = root;
    for (let level = 2; level <= 10_000; level++) {
      const child = xml('a', {});
      cursor.append(child);
      cursor = child;
    }
    const line = renderRedacted(root);
    expect(line.match(/<a>/g)).toHaveLength(MAX_LOGGED_DEPTH - 1);
    expect(line).toContain('[deeper levels not shown]');
  });
});

describe('the log lines', () => {
  function fakeEntity(): Client {
    const entity = new EventEmitter() as unknown as Client & { root: unknown };
    Object.assign(entity, { isSecure: () => true, root: xml('stream:stream', { to: 'capulet.lit', version: '1.0' }) });
    return entity;
  }

  it('give time, account and direction per element, and never the password, even where a server echoes it', () => {
    const lines: string[] = [];
    const entity = fakeEntity();
    attachStreamLog(entity, { write: (l) => lines.push(l) }, { label: 'juliet@capulet.lit', secrets: ['balcony-secret'] });
    entity.emit('send', xml('iq', { type: 'get', id: '1' }, xml('query', { xmlns: 'jabber:iq:roster' })));
    entity.emit('element', xml('message', { from: 'mallory@evil.example' }, xml('body', {}, 'your password is balcony-secret')));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z juliet@capulet\.lit OUT <iq type="get" id="1"><query xmlns="jabber:iq:roster"\/><\/iq>\n$/);
    expect(lines[1]).toMatch(/ IN {2}<message from="mallory@evil.example"><body>your password is \[redacted\]<\/body><\/message>\n$/);
  });

  it('write control and bidi characters from the server as references, one line per element', () => {
    const lines: string[] = [];
    const entity = fakeEntity();
    attachStreamLog(entity, { write: (l) => lines.push(l) }, { label: 'juliet@capulet.lit' });
    entity.emit('element', xml('message', {}, xml('body', {}, 'a\nfake line\u001b[31m red \u009b \u202e evil')));
    expect(lines).toHaveLength(1);
    expect([...(lines[0]?.slice(0, -1) ?? '')].filter((c) => '\n\u001b\u009b\u202e'.includes(c))).toEqual([]);
    expect(lines[0]).toContain('a&#xa;fake line&#x1b;[31m red &#x9b; &#x202e; evil');
  });

  it('an element that cannot be shown is named in a line of its own; the log never throws into the stream', () => {
    const lines: string[] = [];
    const entity = fakeEntity();
    attachStreamLog(entity, { write: (l) => lines.push(l) }, { label: 'j' });
    const unreadable = Object.defineProperty(xml('message', {}), 'attrs', {
      get: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    expect(() => entity.emit('element', unreadable)).not.toThrow();
    expect(lines[0]).toMatch(/ IN {2}<message> not shown: RangeError\n$/);
  });

  it('show both stream headers once the stream is open', () => {
    const lines: string[] = [];
    const entity = fakeEntity();
    attachStreamLog(entity, { write: (l) => lines.push(l) }, { label: 'j' });
    entity.emit('status', 'open', xml('stream:stream', { from: 'capulet.lit', id: 'abc' }));
    expect(lines[0]).toMatch(/ OUT <stream:stream to="capulet.lit" version="1.0">\n$/);
    expect(lines[1]).toMatch(/ IN {2}<stream:stream from="capulet.lit" id="abc">\n$/);
  });

  it('a log file is appended to and private to the user', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-streamlog-'));
    try {
      const file = join(dir, 'xmpp.log');
      const sink = streamLogSink(file);
      sink?.write('one\n');
      sink?.close?.();
      const again = streamLogSink(file);
      again?.write('two\n');
      again?.close?.();
      expect(await readFile(file, 'utf8')).toBe('one\ntwo\n');
      expect((await stat(file)).mode & 0o077).toBe(0);
      expect(streamLogSink(undefined)).toBeUndefined();
      expect(streamLogSink('  ')).toBeUndefined();
      // A path that cannot be written: no log, and no crash of whatever is starting.
      expect(streamLogSink(join(dir, 'missing-folder', 'xmpp.log'))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
