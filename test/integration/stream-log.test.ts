/**
 * The XMPP stream log for diagnosis (main/xmpp/stream-log.ts): every stanza in and out, with time and
 * direction, and never the password or the SASL payloads. Against both real servers (SCRAM-SHA-1; with
 * channel binding on ejabberd), a
 * fake one (PLAIN and SASL2, whose payload bytes are known exactly), `keyring --debug` (stderr), and
 * KEYRING_XMPP_LOG=file (the app's switch, here through the CLI, which runs the same core).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { AccountSession } from '../../main/xmpp/session.js';
import type { ConnectParams } from '../../contract/index.js';
import { freshAccount } from '../support/accounts.js';
import { BUILT_CLI, runCli } from '../support/cli.js';
import { FEATURES, startFakeXmppServer } from '../support/fake-xmpp-server.js';
import { makeTestPki } from '../support/test-pki.js';

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ (IN |OUT|---) /;
/** A SASL element with text that is not redacted (self-closing ones carry none). */
const SASL_PAYLOAD = /<(auth|challenge|response|success|initial-response|additional-data)\b[^>]*[^/]>(?!\[redacted \d+ chars\]<)[^<]/;

/** The base64 of the first whole 3-byte groups of `text`: what any encoding of a message starting so contains. */
function base64Prefix(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.subarray(0, bytes.length - (bytes.length % 3)).toString('base64');
}

/** What must never be in a log of `params`' sign-in: the password, and SCRAM messages (RFC 5802 §5.1). */
function secretsOf(params: ConnectParams): string[] {
  const user = params.jid.split('@')[0] ?? '';
  // The client-first-message with each gs2-header the app may send ("y" to Prosody, "p=tls-unique" to
  // ejabberd), and the start of each client-final-message.
  return [
    params.password,
    ...['n,,', 'y,,', 'p=tls-unique,,'].map((gs2) => base64Prefix(`${gs2}n=${user},r=`)),
    base64Prefix('c=biws,r='),
    base64Prefix('c=eSws,r='),
    base64Prefix(`c=${Buffer.from('p=tls-unique,,').toString('base64').slice(0, 16)}`),
  ];
}

function checkLog(text: string, secrets: string[]): void {
  const lines = text.split('\n').filter(Boolean);
  for (const line of lines) expect(line).toMatch(LINE);
  expect(lines.some((l) => / OUT <presence\b/.test(l))).toBe(true);
  expect(lines.some((l) => / OUT <iq\b/.test(l))).toBe(true);
  expect(lines.some((l) => / IN {2}<iq\b/.test(l))).toBe(true);
  expect(lines.some((l) => /<auth\b[^>]*>\[redacted \d+ chars\]<\/auth>/.test(l))).toBe(true);
  expect(text).not.toMatch(SASL_PAYLOAD);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

for (const server of [inject('prosody'), inject('ejabberd')]) {
  it(`on ${server.kind}: the log shows the stanzas, and neither the password nor the SCRAM exchange`, async () => {
    const params = await freshAccount('juliet', 'capulet.lit', server);
    let log = '';
    const session = new AccountSession({ events: new AppEvents(), log: silentLogger, streamLog: { write: (l) => void (log += l) } });
    await session.connect(params);
    await session.checkSupport();
    await session.disconnect();
    checkLog(log, secretsOf(params));
    const mechanism = server.kind === 'ejabberd' ? 'SCRAM-SHA-1-PLUS' : 'SCRAM-SHA-1';
    expect(log).toContain(` OUT <auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="${mechanism}">[redacted `);
  });
}

describe('PLAIN and SASL2 payloads', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-streamlog-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['SASL PLAIN', FEATURES.plain],
    ['SASL2 PLAIN', FEATURES.sasl2Plain],
  ])('%s: the exact payload bytes never reach the log', async (_name, login) => {
    const pki = await makeTestPki(await mkdtemp(join(dir, 'pki-')), ['capulet.lit']);
    const password = 'plain-secret-42';
    const fake = await startFakeXmppServer({ domain: 'capulet.lit', pki, password, plainFeatures: FEATURES.starttls, starttls: 'proceed', tlsFeatures: login });
    try {
      let log = '';
      const session = new AccountSession({ events: new AppEvents(), log: silentLogger, streamLog: { write: (l) => void (log += l) } });
      const params = { jid: 'juliet@capulet.lit', password, host: fake.host, port: fake.port, caFile: pki.caFile };
      await session.connect(params);
      await session.disconnect();
      const payload = Buffer.from(`\0juliet\0${password}`).toString('base64');
      // The client did send exactly this payload; the log has it redacted.
      expect(fake.received()[0]).toContain(payload);
      expect(log).not.toContain(payload);
      expect(log).not.toContain(password);
      expect(log).toMatch(/ OUT <(auth|authenticate)\b/);
      expect(log).not.toMatch(SASL_PAYLOAD);
    } finally {
      await fake.close();
    }
  });
});

describe('from the command line', () => {
  const server = inject('prosody');
  let dataDir: string;
  let params: ConnectParams;
  beforeAll(async () => {
    expect(existsSync(BUILT_CLI), 'run `npx electron-vite build` before the CLI tests').toBe(true);
    dataDir = await mkdtemp(join(tmpdir(), 'keyring-debug-cli-'));
    params = await freshAccount('juliet', 'capulet.lit', server);
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });
  const args = (...rest: string[]) => [
    '--jid', params.jid, '--server', `${server.host}:${server.port}`, '--ca-file', server.caFile, '--data-dir', dataDir, ...rest,
  ];
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...process.env, KEYRING_PASSWORD: params.password, KEYRING_PASSPHRASE: 'debug test passphrase', ...extra });

  it('`keyring --debug` writes the stream to stderr, redacted, and leaves stdout as it was', async () => {
    const run = await runCli(args('--debug', '--json', 'account', 'check'), env());
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ pep: true });
    checkLog(run.stderr, secretsOf(params));
  });

  it('KEYRING_XMPP_LOG=file writes the same log to that file, and nothing to stderr', async () => {
    const file = join(dataDir, 'xmpp.log');
    const run = await runCli(args('account', 'check'), env({ KEYRING_XMPP_LOG: file }));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    checkLog(await readFile(file, 'utf8'), secretsOf(params));
  });
});
