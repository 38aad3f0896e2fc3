/**
 * What the Account screen shows of a CA file (main/keys/ca-fingerprint.ts): its fingerprint, and a
 * server's own certificate chosen by mistake named as no authority (the user walk chose server.crt as
 * the "Extra CA certificate", was shown its fingerprint as if fine, then refused as "not signed by an
 * authority the app trusts", with the advice to do what they had just done).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caFileFingerprint } from '../../../main/keys/ca-fingerprint.js';
import { makeTestPki, type TestPki } from '../../support/test-pki.js';

let dir: string;
let pki: TestPki;
let selfSigned: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-ca-fingerprint-'));
  pki = await makeTestPki(dir, ['capulet.lit']);
  const key = join(dir, 'self.key');
  const cert = join(dir, 'self.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=montague.lit', '-addext', 'basicConstraints=CA:FALSE']);
  selfSigned = await readFile(cert, 'utf8');
}, 30_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('caFileFingerprint', () => {
  it('a CA certificate: its fingerprint and subject, nothing to warn about', async () => {
    const view = caFileFingerprint(await readFile(pki.caFile, 'utf8'));
    expect(view.subjects).toEqual(['CN=Keyring throwaway test CA']);
    expect(view.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(view.notAuthorities).toBeUndefined();
  });

  it('a server’s own certificate, issued by a CA: named as no authority, with its issuer to ask for', async () => {
    const view = caFileFingerprint(await readFile(pki.certFile, 'utf8'));
    expect(view.notAuthorities).toEqual([{ subject: 'CN=capulet.lit', issuer: 'CN=Keyring throwaway test CA' }]);
  });

  it('a bundle of the CA and the server’s certificate: only the server’s is named', async () => {
    const bundle = join(dir, 'bundle.pem');
    await writeFile(bundle, `${await readFile(pki.caFile, 'utf8')}${await readFile(pki.certFile, 'utf8')}`);
    expect(caFileFingerprint(await readFile(bundle, 'utf8')).notAuthorities).toEqual([{ subject: 'CN=capulet.lit', issuer: 'CN=Keyring throwaway test CA' }]);
  });

  it('a self-signed server certificate, which some admins hand out to pin: not flagged', () => {
    expect(caFileFingerprint(selfSigned).notAuthorities).toBeUndefined();
  });
});
