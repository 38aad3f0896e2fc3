/**
 * A throwaway certificate authority and the server certificates it signs, made with the openssl CLI so
 * the test PKI does not depend on the code under test. Clients trust `caFile` explicitly; nothing turns
 * certificate verification off. Federating servers share one CA (each with a certificate for its own
 * domain only), so each can check the other's certificate against it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);

export interface TestPki {
  /** The CA's certificate, copied into the server's own folder (readable by the server's user). */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A CA: its certificate and the key that signs server certificates (stays where it was made). */
export interface TestCa {
  caFile: string;
  caKeyFile: string;
}

export async function makeTestCa(dir: string, name = 'Keyring throwaway test CA'): Promise<TestCa> {
  const caKeyFile = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKeyFile, '-out', caFile, '-days', '2',
    '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { caFile, caKeyFile };
}

/**
 * A server certificate for `names`, signed by `ca` (a fresh CA in `dir` when none is given). A name that
 * is an IP address ("::1", "127.0.0.1") goes in as an iPAddress, every other one as a dNSName (RFC 5280
 * §4.2.1.6), so a test can also make a certificate whose DNS name merely spells an address ("[::1]"). The
 * extended key usage names both server and client authentication: in server-to-server links (RFC 6120
 * §13.7.1.2) the connecting server presents the same certificate as a TLS client.
 */
export async function makeTestPki(dir: string, names: string[], ca?: TestCa): Promise<TestPki> {
  const authority = ca ?? (await makeTestCa(dir));
  const caFile = join(dir, 'ca.crt');
  if (authority.caFile !== caFile) await copyFile(authority.caFile, caFile);
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${names[0]}`]);
  await writeFile(
    ext,
    [
      `subjectAltName=${names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      '',
    ].join('\n'),
  );
  await run('openssl', [
    'x509', '-req', '-in', csr, '-CA', authority.caFile, '-CAkey', authority.caKeyFile,
    // A random serial, not a serial file beside the CA: servers sharing a CA are issued in parallel.
    '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-out', certFile, '-days', '2', '-extfile', ext,
  ]);
  return { caFile, certFile, keyFile };
}

/**
 * capulet.lit's PKI for one test file that runs fake servers (test/support/fake-xmpp-server.ts): made in a
 * temporary directory before its tests, removed after them. Read `.pki` inside tests and hooks only.
 */
export function capuletPkiForFile(prefix: string): { readonly pki: TestPki } {
  let dir: string | undefined;
  let pki: TestPki | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    pki = await makeTestPki(dir, ['capulet.lit']);
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  return {
    get pki(): TestPki {
      if (pki === undefined) throw new Error('the test PKI is made in beforeAll: read it inside a test or hook');
      return pki;
    },
  };
}
