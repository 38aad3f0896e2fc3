/**
 * The openssl CLI as an independent second opinion: it parses what main/keys writes, and makes
 * certificates and files that main/keys did not, for the reading side.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs openssl; stdout as text. Rejects with openssl's stderr on a non-zero exit. */
export async function openssl(args: string[]): Promise<string> {
  const { stdout } = await run('openssl', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Runs openssl for what it reports on stderr (e.g. `pkcs12 -info`); stdout and stderr together. */
export async function opensslReport(args: string[]): Promise<string> {
  const { stdout, stderr } = await run('openssl', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return `${stdout}${stderr}`;
}

/** A scratch directory for one test file. */
export class Scratch {
  private constructor(readonly dir: string) {}

  static async create(): Promise<Scratch> {
    return new Scratch(await mkdtemp(join(tmpdir(), 'keyring-keys-')));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  async write(name: string, data: string | Uint8Array): Promise<string> {
    const path = this.path(name);
    await writeFile(path, data);
    return path;
  }

  read(name: string): Promise<Buffer> {
    return readFile(this.path(name));
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** `openssl x509 -text` of a DER certificate. */
export async function describeCertificate(scratch: Scratch, der: Uint8Array, name = 'describe.der'): Promise<string> {
  const path = await scratch.write(name, der);
  return openssl(['x509', '-inform', 'DER', '-in', path, '-noout', '-text']);
}

/**
 * A self-signed certificate made by `openssl req -x509`, as DER, with its key as PEM.
 * `keyAlgorithm` is an -newkey argument: 'rsa:2048', 'ec' (with -pkeyopt for P-256)…
 */
export async function opensslCertificate(
  scratch: Scratch,
  name: string,
  options: {
    subject: string;
    keyAlgorithm?: string;
    extensions?: string[];
    days?: number;
    /** Signature digest, e.g. 'md5', 'sha1' (openssl's default is SHA-256). */
    digest?: string;
    /** Key generation options, e.g. 'rsa_keygen_pubexp:3'. */
    keyOptions?: string[];
    /** Signature options, e.g. 'rsa_padding_mode:pss'. */
    signatureOptions?: string[];
  },
): Promise<{ der: Buffer; keyPem: string; certPem: string }> {
  const keyPath = scratch.path(`${name}.key`);
  const certPath = scratch.path(`${name}.pem`);
  const newkey =
    options.keyAlgorithm === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', options.keyAlgorithm ?? 'rsa:2048'];
  await openssl([
    'req', '-x509', ...newkey, '-nodes', '-keyout', keyPath, '-out', certPath,
    ...(options.digest ? [`-${options.digest}`] : []),
    ...(options.keyOptions ?? []).flatMap((o) => ['-pkeyopt', o]),
    ...(options.signatureOptions ?? []).flatMap((o) => ['-sigopt', o]),
    '-days', String(options.days ?? 30), '-subj', options.subject,
    // Without -addext, openssl req adds its config's v3_ca extensions; state them all explicitly.
    ...(options.extensions ?? []).flatMap((e) => ['-addext', e]),
  ]);
  await openssl(['x509', '-in', certPath, '-outform', 'DER', '-out', scratch.path(`${name}.der`)]);
  return {
    der: await scratch.read(`${name}.der`),
    keyPem: (await scratch.read(`${name}.key`)).toString('utf8'),
    certPem: (await scratch.read(`${name}.pem`)).toString('utf8'),
  };
}
