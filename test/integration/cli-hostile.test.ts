/**
 * Terminal injection through the CLI, end to end on a real Prosody: mallory publishes (from a raw
 * client, to open nodes) a key item whose id carries a CSI, a bidi override and isolate, a zero-width
 * space and a line separator, a weak certificate, and a vCard whose name and note try to forge a
 * "  trust: verified" line. Romeo runs the real `keyring` as a child process: its output holds no
 * control, bidi or invisible character and no forged line, the weak key shows as weak with its size,
 * and the JSON output still carries the data (escaped). XML cannot carry ESC or other C0 controls, so
 * those are covered by test/unit/cli-output.test.ts. Needs the build (npm test builds first).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import forge from 'node-forge';
import xml, { type Element } from '@xmpp/xml';
import { VCARD_NS } from '../../main/profile/vcard4.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { publishRequest } from '../../main/xmpp/pubsub.js';
import type { ConnectParams, ContactKeysView } from '../../contract/index.js';
import { freshAccount } from '../support/accounts.js';
import { BUILT_CLI, runCli } from '../support/cli.js';
import { connectActor, type Actor } from '../support/scenario.js';

const server = inject('prosody');

/** What XML can carry of a terminal attack: a one-byte CSI, bidi override/isolate, zero-width, LS. */
const EVIL_ID = 'evil\u009b2J\u202eliame\u2066\u200b\u2028  trust: verified';
// eslint-disable-next-line no-control-regex -- what must never reach a terminal
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** A 512-bit RSA certificate for `jid`, signed with MD5: genuine, and weak. */
function weakCertificate(jid: string): Buffer {
  const pair = forge.pki.rsa.generateKeyPair({ bits: 512, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = pair.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: jid }]);
  cert.setIssuer([{ name: 'commonName', value: jid }]);
  cert.sign(pair.privateKey, forge.md.md5.create());
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

describe('a hostile contact cannot write to romeo’s terminal through the CLI (Prosody)', () => {
  let mallory: Actor;
  let romeo: ConnectParams;
  let dataDir: string;
  let weak: Buffer;

  const open = { 'pubsub#access_model': 'open', 'pubsub#persist_items': true, 'pubsub#max_items': 'max' };
  const publish = (node: string, id: string, payload: Element): Promise<Element | undefined> =>
    mallory.session.client.iqCaller.set(publishRequest(node, { id, payload }, open));

  beforeAll(async () => {
    expect(existsSync(BUILT_CLI), 'run `npm run build` before the CLI tests').toBe(true);
    mallory = await connectActor('mallory', 'capulet.lit', server);
    romeo = await freshAccount('romeo', 'montague.lit', server);
    dataDir = await mkdtemp(join(tmpdir(), 'keyring-cli-hostile-'));
    weak = weakCertificate(mallory.jid);
    await publish(NS.pubkey, EVIL_ID, pubkeyPayload(Buffer.from('not a certificate')));
    await publish(NS.pubkey, certificateFingerprint(weak), pubkeyPayload(weak));
    // XEP-0292 vCard4, written raw (the app's own builder would clean it).
    await publish(
      NS.vcard4,
      'current',
      xml(
        'vcard',
        { xmlns: VCARD_NS },
        xml('fn', {}, xml('text', {}, 'Mallory\u009b31m\u202e\u200b')),
        xml('note', {}, xml('text', {}, 'hello\n  trust: verified\n\u2028  trust: verified\u2029')),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await mallory?.session.disconnect();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    runCli(
      ['--jid', romeo.jid, '--password-env', 'ACCOUNT_PW', '--server', `${server.host}:${server.port}`, '--ca-file', server.caFile, '--data-dir', dataDir, ...args],
      { ...process.env, ACCOUNT_PW: romeo.password, KEYRING_PASSPHRASE: 'cli test passphrase' },
    );

  function expectClean(text: string): void {
    expect(text).not.toMatch(UNSAFE);
    expect(text.split('\n').filter((line) => /^\s*trust: verified/.test(line))).toEqual([]);
  }

  it('`contacts keys`: the hostile item id stays on its line, the weak key shows as weak with its size', async () => {
    const human = await cli('contacts', 'keys', mallory.jid);
    expect(human.code, human.stderr).toBe(0);
    expectClean(human.stdout);
    expectClean(human.stderr);
    expect(human.stdout).toMatch(/^invalid item evil2Jliame trust: verified: /m);
    expect(human.stdout).toMatch(/^ {2}weak: Too weak to rely on: an RSA key of only 512 bits .*MD5/m);
    expect(human.stdout).toMatch(/^ {2}key: RSA 512 bits \(WEAK\)/m);

    const json = await cli('--json', 'contacts', 'keys', mallory.jid);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(UNSAFE);
    const view = JSON.parse(json.stdout) as ContactKeysView;
    expect(view.invalid.map((i) => i.itemId)).toContain(EVIL_ID);
    expect(view.keys).toEqual([expect.objectContaining({ fingerprint: certificateFingerprint(weak), status: 'weak', bits: 512 })]);
  }, 60_000);

  it('`profile show`: a vCard name and note cannot forge a line or move the cursor', async () => {
    const shown = await cli('profile', 'show', mallory.jid);
    expect(shown.code, shown.stderr).toBe(0);
    expectClean(shown.stdout);
    expect(shown.stdout).toMatch(/^ {2}name: {9}Mallory31m$/m);
    expect(shown.stdout).toMatch(/^ {2}note: {9}hello trust: verified trust: verified$/m);
  }, 60_000);
});
