/**
 * A server given by its IP address. RFC 7622 §3.2 writes an IPv6 address in brackets ([2001:db8::1]), and
 * so do Server host and --server; the socket needs the address without them. xmpp.js (@xmpp/connection
 * lib/util.js parseURI) took them off for "[::1]" alone, so every other IPv6 address went to DNS as if it
 * were a name: "[2001:db8::1] was not found".
 *
 * An account whose domain is an IP literal (juliet@[::1]) checks the server's certificate for that IP
 * address among its iPAddress entries (RFC 2818 §3.1), never for a DNS name that spells the address; and
 * no IP address goes out as the TLS server name (RFC 6066 §3 forbids it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppEvents } from '../../../main/events.js';
import { KeyringError } from '../../../main/errors.js';
import { silentLogger } from '../../../main/logger.js';
import { AccountSession } from '../../../main/xmpp/session.js';
import { tlsIdentity } from '../../../main/xmpp/ip-literal.js';
import { ChunkSafeTcp, ChunkSafeTls } from '../../../main/xmpp/stream-reader.js';
import { FEATURES, startFakeXmppServer } from '../../support/fake-xmpp-server.js';
import { makeTestCa, makeTestPki, type TestCa, type TestPki } from '../../support/test-pki.js';
import { collectUncaught } from '../../support/uncaught.js';

const uncaught = collectUncaught();

const PASSWORD = 'pw-4711';

let dir: string;
let ca: TestCa;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-ip-literal-'));
  ca = await makeTestCa(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A server certificate for `names` (an IP address becomes an iPAddress entry), signed by the file's CA. */
async function certificateFor(names: string[]): Promise<TestPki> {
  return makeTestPki(await mkdtemp(join(dir, 'pki-')), names, ca);
}

/**
 * Signs juliet@`domain` in to a fake server for `domain` with `pki`'s certificate, connecting to
 * `host` (the Server host field): 'online', or the error the sign-in failed with.
 */
async function signIn(options: { domain: string; pki: TestPki; host?: string }): Promise<unknown> {
  const server = await startFakeXmppServer({
    domain: options.domain,
    pki: options.pki,
    password: PASSWORD,
    plainFeatures: FEATURES.starttls,
    starttls: 'proceed',
    tlsFeatures: FEATURES.plain,
    authenticatedFeatures: FEATURES.bind,
    answer: (stanza) =>
      stanza.name === 'iq' && (stanza.attrs.type === 'get' || stanza.attrs.type === 'set')
        ? `<iq type='error' id='${stanza.attrs.id}'><error type='cancel'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`
        : undefined,
  });
  const session = new AccountSession({ events: new AppEvents(), log: silentLogger, retryDelay: () => 60_000 });
  try {
    return await session
      .connect({ jid: `juliet@${options.domain}`, password: PASSWORD, host: options.host ?? server.host, port: server.port, caFile: options.pki.caFile })
      .then((state) => state.status, (error: unknown) => error);
  } finally {
    await session.disconnect().catch(() => undefined);
    await server.close();
  }
}

/** A port on loopback where nothing listens (it did a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 1;
}

describe('the socket is given the address, without brackets', () => {
  it.each([
    ['xmpp://[2001:db8::1]:5222', '2001:db8::1', 5222],
    ['xmpp://[::ffff:127.0.0.1]:5269', '::ffff:7f00:1', 5269],
    ['xmpp://[fe80::1]', 'fe80::1', 5222],
    ['xmpp://[::1]:5222', '::1', 5222],
    // Names and IPv4 addresses are as they were.
    ['xmpp://127.0.0.1:5222', '127.0.0.1', 5222],
    ['xmpp://xmpp.capulet.lit:5222', 'xmpp.capulet.lit', 5222],
  ])('STARTTLS transport: %s connects to host %s', (service, host, port) => {
    expect(ChunkSafeTcp.prototype.socketParameters(service)).toEqual({ host, port });
  });

  it('direct TLS transport: xmpps://[2001:db8::1]:5223 connects to host 2001:db8::1', () => {
    expect(ChunkSafeTls.prototype.socketParameters('xmpps://[2001:db8::1]:5223')).toEqual({ host: '2001:db8::1', port: 5223 });
  });

  it('each transport still takes only its own scheme (the client picks the transport by it)', () => {
    expect(ChunkSafeTcp.prototype.socketParameters('xmpps://[2001:db8::1]:5223')).toBeUndefined();
    expect(ChunkSafeTls.prototype.socketParameters('xmpp://[2001:db8::1]:5222')).toBeUndefined();
  });
});

describe('connecting to a server at an IPv6 address', () => {
  it('juliet signs in through Server host [::ffff:127.0.0.1] (IPv4 loopback, written as IPv6)', async () => {
    const outcome = await signIn({ domain: 'capulet.lit', pki: await certificateFor(['capulet.lit']), host: '[::ffff:127.0.0.1]' });
    expect(outcome).toBe('online');
    expect(uncaught()).toEqual([]);
  }, 20_000);

  it('nothing listening at [::ffff:127.0.0.1]: the server cannot be reached (refused), it is not "not found"', async () => {
    const port = await closedPort();
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
    const outcome = await session
      .connect({ jid: 'juliet@capulet.lit', password: PASSWORD, host: '[::ffff:127.0.0.1]', port })
      .then(() => 'connected', (error: unknown) => error);
    expect(outcome).toBeInstanceOf(KeyringError);
    expect(outcome).toMatchObject({ code: 'server-unreachable', message: `Cannot reach [::ffff:127.0.0.1]:${port}: the connection was refused (no server listens on that port, or a firewall turns it away).` });
  });
});

describe('the certificate of a server whose name is an IP address', () => {
  it('juliet@[::1]: a certificate naming the IP address ::1 is the server', async () => {
    expect(await signIn({ domain: '[::1]', pki: await certificateFor(['::1']), host: '127.0.0.1' })).toBe('online');
  }, 20_000);

  it('juliet@[::1]: a certificate whose DNS name spells "[::1]" is not (no such DNS name exists)', async () => {
    const outcome = await signIn({ domain: '[::1]', pki: await certificateFor(['[::1]']), host: '127.0.0.1' });
    expect(outcome).toMatchObject({ code: 'tls-untrusted', message: expect.stringContaining('is issued for a different name') as unknown });
  }, 20_000);

  it('juliet@[::1]: a certificate for capulet.lit is not', async () => {
    const outcome = await signIn({ domain: '[::1]', pki: await certificateFor(['capulet.lit']), host: '127.0.0.1' });
    expect(outcome).toMatchObject({ code: 'tls-untrusted' });
  }, 20_000);

  it('juliet@127.0.0.1: a certificate naming the IP address 127.0.0.1 is the server; one for 127.0.0.2 is not', async () => {
    expect(await signIn({ domain: '127.0.0.1', pki: await certificateFor(['127.0.0.1']) })).toBe('online');
    expect(await signIn({ domain: '127.0.0.1', pki: await certificateFor(['127.0.0.2']) })).toMatchObject({ code: 'tls-untrusted' });
  }, 20_000);

  it.each([
    ['capulet.lit', { host: 'capulet.lit', servername: 'capulet.lit' }],
    ['[::1]', { host: '::1' }],
    ['[2001:db8::1]', { host: '2001:db8::1' }],
    ['127.0.0.1', { host: '127.0.0.1' }],
  ])('TLS checks %s as %o (an IP address as an address, and never as the server name sent, RFC 6066 §3)', (domain, identity) => {
    expect(tlsIdentity(domain)).toEqual(identity);
  });
});
