/**
 * A throwaway certificate authority and a server certificate it signs, made with the openssl CLI so the
 * test PKI does not depend on the code under test. Clients trust `caFile` explicitly; nothing turns
 * certificate verification off.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export async function makeTestPki(dir: string, dnsNames: string[]): Promise<TestPki> {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.crt');
  const ext = join(dir, 'server.ext');
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caFile, '-days', '2',
    '-subj', '/CN=Keyring throwaway test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', `/CN=${dnsNames[0]}`]);
  await writeFile(
    ext,
    [
      `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  await run('openssl', [
    'x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', ext,
  ]);
  return { caFile, certFile, keyFile };
}
