/**
 * A server whose certificate the app does not accept, over real TLS (STARTTLS, RFC 6120 §5) to a fake
 * server: still refused, and what a person reads on the Account screen (describeError over main's
 * IpcError, which the keyring command prints as it is) says what is wrong and what to do, in words:
 * no OpenSSL code (UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_TLS_CERT_ALTNAME_INVALID) and none of Node's text.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppEvents } from '../../../main/events.js';
import { KeyringError } from '../../../main/errors.js';
import { silentLogger } from '../../../main/logger.js';
import { AccountSession } from '../../../main/xmpp/session.js';
import { describeError } from '../../../renderer/src/lib/wording.js';
import { FEATURES, startFakeXmppServer } from '../../support/fake-xmpp-server.js';
import { makeTestCa, makeTestPki, type TestCa, type TestPki } from '../../support/test-pki.js';
import { collectUncaught } from '../../support/uncaught.js';

const uncaught = collectUncaught();

const PASSWORD = 'pw-4711';

let dir: string;
/** The CA that signs capulet.lit's certificates, and another one, which signs nothing here. */
let ca: TestCa;
let otherCa: TestCa;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-certificate-words-'));
  [ca, otherCa] = await Promise.all([makeTestCa(await mkdtemp(join(dir, 'ca-'))), makeTestCa(await mkdtemp(join(dir, 'other-ca-')), 'Another throwaway CA')]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * juliet@capulet.lit signs in to a fake capulet.lit that presents `pki`'s certificate, trusting the CA
 * file `caFile`: the error refused with.
 */
async function refusal(pki: TestPki, caFile: string): Promise<KeyringError> {
  const server = await startFakeXmppServer({
    domain: 'capulet.lit',
    pki,
    password: PASSWORD,
    plainFeatures: FEATURES.starttls,
    starttls: 'proceed',
    tlsFeatures: FEATURES.plain,
    authenticatedFeatures: FEATURES.bind,
  });
  const session = new AccountSession({ events: new AppEvents(), log: silentLogger, retryDelay: () => 60_000 });
  try {
    const outcome = await session
      .connect({ jid: 'juliet@capulet.lit', password: PASSWORD, host: server.host, port: server.port, caFile })
      .then((state) => state.status, (error: unknown) => error);
    if (!(outcome instanceof KeyringError)) throw new Error(`expected a refusal, the sign-in ended ${String(outcome)}`);
    // Still refused, and the session says so: no login was sent to this server.
    expect(session.state.status).toBe('failed');
    expect(server.received().join('')).not.toMatch(/<auth|<authenticate/);
    return outcome;
  } finally {
    await session.disconnect().catch(() => undefined);
    await server.close();
  }
}

/** What the Account screen shows for it: every sentence, as one text. */
function seen(error: KeyringError): string {
  const words = describeError(error.toIpcError());
  return [words.message, words.nextStep, words.details].filter((text) => text !== undefined).join('\n');
}

/** Node's and OpenSSL's own words: an error code (UPPER_CASE), OpenSSL's reason text, Node's altnames text. */
const RAW = /[A-Z]{2,}_[A-Z_]+|unable to verify|first certificate|altnames|Hostname\/IP|SSL routines/;

describe('a server certificate the app does not accept is said in words', () => {
  it('signed by a CA the person did not choose: refused, and they are told to choose the server’s CA as the extra CA certificate', async () => {
    const pki = await makeTestPki(await mkdtemp(join(dir, 'pki-')), ['capulet.lit'], ca);
    const error = await refusal(pki, otherCa.caFile);
    expect(error.code).toBe('tls-untrusted');
    expect(error.cause).toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    const text = seen(error);
    expect(text).toMatch(/^The certificate of 127\.0\.0\.1:\d+ is not signed by an authority the app trusts, so the app did not connect\.\n/);
    expect(text).toContain(
      'If this is your own server, get its CA certificate from its admin and choose it as the extra CA certificate for this account, once its fingerprint matches the one the admin gives you.',
    );
    expect(text).not.toMatch(RAW);
    expect(uncaught()).toEqual([]);
  }, 20_000);

  it('issued for another name: refused, and the name it should have had is said, not the names the server put in it', async () => {
    const pki = await makeTestPki(await mkdtemp(join(dir, 'pki-')), ['montague.lit'], ca);
    const error = await refusal(pki, ca.caFile);
    expect(error.code).toBe('tls-untrusted');
    expect(error.cause).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    const text = seen(error);
    expect(text).toMatch(
      /^The certificate of 127\.0\.0\.1:\d+ is issued for a different name, not for capulet\.lit, so the app did not connect\.\nIf you set a server host for this account, check it; otherwise someone may be posing as the server, or its certificate is wrong: tell your server's admin\.$/,
    );
    expect(text).not.toContain('montague.lit');
    expect(text).not.toMatch(RAW);
    expect(uncaught()).toEqual([]);
  }, 20_000);
});
