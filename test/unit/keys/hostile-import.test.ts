/**
 * Import files made to freeze the main process. The main thread holds the XMPP session and answers the
 * UI, so a file the user is tricked into importing must be refused or read without ever keeping the
 * event loop busy for more than MAX_STALL_MS: a PEM scanner that backtracks (a 740 KB unterminated PEM
 * once took 17 s), a PKCS#12 asking for ten million MAC iterations (93 bytes, 19 s), and even a real
 * PKCS#12 with a high but legitimate iteration count.
 */
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { exportCertificatePem } from '../../../main/keys/export-key.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../main/keys/generate.js';
import { importKeyFiles, importPkcs12, MAX_CERTIFICATES, MAX_IMPORT_FILE_BYTES, MAX_PEM_BLOCKS } from '../../../main/keys/import-key.js';
import { findPemBlocks } from '../../../main/keys/pem.js';
import { checkPkcs12Iterations, MAX_PKCS12_ITERATIONS } from '../../../main/keys/pkcs12-iterations.js';
import { readPkcs12OffThread } from '../../../main/keys/pkcs12-reader.js';
import { openssl, Scratch } from './openssl.js';
import { MAX_STALL_MS, stallDuring } from './stall.js';
import { mainThreadCpuMs } from './thread-cpu.js';

const PASS = 'correct horse battery';
const clock = mainThreadCpuMs ?? ((): number => performance.now());

let scratch: Scratch;
let keys: RsaKeyPair;
let fingerprint: string;

beforeAll(async () => {
  scratch = await Scratch.create();
  keys = await generateRsaKeyPair(2048);
  const der = await createSelfSignedCertificate({ bareJid: 'juliet@capulet.lit', privateKey: keys.privateKey });
  fingerprint = certificateFingerprint(der);
  await scratch.write('key.pem', keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  await scratch.write('cert.pem', exportCertificatePem(der));
}, 30_000);
afterAll(() => scratch.remove());

/** `unit` repeated to `bytes` long. */
const filled = (unit: string, bytes: number): string => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);

describe('a crafted PEM file', () => {
  const SIZE = 740 * 1024;
  const crafted: [string, string][] = [
    ['BEGIN lines without an END (the reported file)', filled('-----BEGIN CERTIFICATE-----\n', SIZE)],
    ['BEGIN and END lines whose labels never match', filled('-----BEGIN CERTIFICATE-----\n-----END PRIVATE KEY-----\n', SIZE)],
    ['one BEGIN followed by a flood of mismatched ENDs', `-----BEGIN CERTIFICATE-----\n${filled('-----END X-----\n', SIZE)}`],
    ['BEGIN markers whose label never closes', filled(`-----BEGIN ${'A'.repeat(70)}\n`, SIZE)],
    ['BEGIN markers with empty labels', filled('-----BEGIN -----', SIZE)],
    ['a megabyte of base64 after one BEGIN', `-----BEGIN CERTIFICATE-----\n${filled('QUFB', MAX_IMPORT_FILE_BYTES - 40)}`],
  ];

  it.each(crafted)('is scanned in linear time: %s', (_what, text) => {
    const started = clock();
    const blocks = findPemBlocks(text);
    const tookMs = clock() - started;
    expect(blocks).toEqual([]);
    expect(tookMs).toBeLessThan(100);
  });

  it('is refused by the import without keeping the event loop busy for 50 ms', async () => {
    const [, reported = ''] = crafted[0] ?? [];
    const { result, longestMs } = await stallDuring(async () => {
      try {
        await importKeyFiles([Buffer.from(reported)]);
        return undefined;
      } catch (error) {
        return error;
      }
    });
    expect(result).toMatchObject({ name: 'KeyringError', code: 'invalid-argument', message: 'Not a PEM or PKCS#12 file.' });
    expect(longestMs).toBeLessThan(MAX_STALL_MS);
  });

  it('holding hundreds of certificates is refused before they are parsed, without keeping the event loop busy for 50 ms', async () => {
    const key = readFileSync(scratch.path('key.pem'), 'utf8');
    const certificate = readFileSync(scratch.path('cert.pem'), 'utf8');
    const many = key + certificate.repeat(Math.floor((MAX_IMPORT_FILE_BYTES - key.length) / certificate.length));
    const { result, longestMs } = await stallDuring(() => importKeyFiles([Buffer.from(many)]).catch((error: unknown) => error));
    expect((result as Error).message).toMatch(/^These files hold \d{3} PEM blocks; import one key with its certificate/);
    expect(longestMs).toBeLessThan(MAX_STALL_MS);
    // A key with its certificate and a chain up to the limit still imports.
    const chain = key + certificate.repeat(MAX_PEM_BLOCKS - 1);
    expect((await importKeyFiles([Buffer.from(chain)])).fingerprint).toBe(fingerprint);
  });

  it('still yields its real blocks when they are surrounded by junk markers', () => {
    const real = readFileSync(scratch.path('cert.pem'), 'utf8');
    const text = `-----BEGIN JUNK-----\n-----END OTHER-----\n${real}-----BEGIN CERTIFICATE-----\nunterminated\n`;
    expect(findPemBlocks(text).map((b) => b.text)).toEqual([real.trimEnd()]);
  });
});

/** A PFX (RFC 7292 §4) of `iterations` MAC iterations around an empty AuthenticatedSafe: ~93 bytes. */
function pfxAskingForMacIterations(iterations: number): Buffer {
  const { Class, Type, create } = forge.asn1;
  const seq = (items: forge.asn1.Asn1[]) => create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
  const oid = (id: string) => create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(id).getBytes());
  const octets = (bytes: string) => create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes);
  const integer = (n: number) => create(Class.UNIVERSAL, Type.INTEGER, false, forge.asn1.integerToDer(n).getBytes());
  const emptyAuthSafe = forge.asn1.toDer(seq([])).getBytes();
  const pfx = seq([
    integer(3),
    seq([oid('1.2.840.113549.1.7.1'), create(Class.CONTEXT_SPECIFIC, 0, true, [octets(emptyAuthSafe)])]),
    seq([seq([seq([oid('1.3.14.3.2.26'), create(Class.UNIVERSAL, Type.NULL, false, '')]), octets('\0'.repeat(20))]), octets('saltsalt'), integer(iterations)]),
  ]);
  return Buffer.from(forge.asn1.toDer(pfx).getBytes(), 'binary');
}

describe('a crafted PKCS#12 file', () => {
  it('asking for 10 million MAC iterations is refused at once, saying why', async () => {
    const file = pfxAskingForMacIterations(10_000_000);
    expect(file.length).toBeLessThan(100);
    const started = performance.now();
    const { result, longestMs } = await stallDuring(async () => {
      try {
        await importKeyFiles([file], PASS);
        return undefined;
      } catch (error) {
        return error;
      }
    });
    // A worker thread starts and refuses before deriving anything (the old code took 19 s here).
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ name: 'KeyringError', code: 'invalid-argument' });
    expect((result as Error).message).toBe(
      'This PKCS#12 file asks for 10,000,000 rounds of password hashing for its integrity check; the app opens files that ask for at most 1,000,000 (programs that export keys use a few thousand).',
    );
    expect(longestMs).toBeLessThan(MAX_STALL_MS);
  });

  it('asking for more iterations than fit in 48 bits is refused the same way', async () => {
    const { Class, Type, create } = forge.asn1;
    const file = pfxAskingForMacIterations(1);
    // Swap the 1-byte INTEGER 1 at the end for an 8-byte one (lengths patched up the tree).
    const pfx = forge.asn1.fromDer(file.toString('binary'));
    const macData = (pfx.value as forge.asn1.Asn1[])[2] as forge.asn1.Asn1;
    (macData.value as forge.asn1.Asn1[])[2] = create(Class.UNIVERSAL, Type.INTEGER, false, '\x7f\xff\xff\xff\xff\xff\xff\xff');
    const huge = Buffer.from(forge.asn1.toDer(pfx).getBytes(), 'binary');
    await expect(importPkcs12(huge, PASS)).rejects.toThrow(/asks for more than a trillion rounds/);
  });

  it(`asking for exactly ${MAX_PKCS12_ITERATIONS} passes the check, one more does not`, () => {
    const parse = (iterations: number) => forge.asn1.fromDer(pfxAskingForMacIterations(iterations).toString('binary'));
    expect(() => checkPkcs12Iterations(parse(MAX_PKCS12_ITERATIONS))).not.toThrow();
    expect(() => checkPkcs12Iterations(parse(MAX_PKCS12_ITERATIONS + 1))).toThrow(/asks for 1,000,001 rounds/);
  });

  it(`made by openssl with ${MAX_PKCS12_ITERATIONS + 1} iterations (key, certificates and MAC) is refused`, async () => {
    const path = scratch.path('over.p12');
    await openssl(['pkcs12', '-export', '-inkey', scratch.path('key.pem'), '-in', scratch.path('cert.pem'), '-out', path, '-passout', `pass:${PASS}`, '-iter', String(MAX_PKCS12_ITERATIONS + 1)]);
    await expect(importPkcs12(readFileSync(path), PASS)).rejects.toThrow(/asks for 1,000,001 rounds of password hashing/);
  });

  it(`holding more than ${MAX_CERTIFICATES} certificates is refused before they are parsed on the main thread`, async () => {
    const bundle = await scratch.write('bundle.pem', readFileSync(scratch.path('cert.pem'), 'utf8').repeat(MAX_CERTIFICATES + 5));
    const path = scratch.path('bundle.p12');
    await openssl(['pkcs12', '-export', '-inkey', scratch.path('key.pem'), '-in', scratch.path('cert.pem'), '-certfile', bundle, '-out', path, '-passout', `pass:${PASS}`]);
    await expect(importPkcs12(readFileSync(path), PASS)).rejects.toThrow(/^This PKCS#12 file holds \d+ certificates; the app takes a key with its certificate and at most 14 more/);
  });

  it('that only a time limit can stop is cut off, and the worker with it', async () => {
    const path = scratch.path('slow.p12');
    await openssl(['pkcs12', '-export', '-inkey', scratch.path('key.pem'), '-in', scratch.path('cert.pem'), '-out', path, '-passout', `pass:${PASS}`, '-iter', '200000']);
    await expect(readPkcs12OffThread(readFileSync(path), PASS, { timeLimitMs: 20 })).rejects.toThrow('This PKCS#12 file takes too long to open');
  });
});

describe('a real PKCS#12 file with a high iteration count', () => {
  it('opens on a worker thread while the event loop stays responsive (200,000 iterations)', async () => {
    const path = scratch.path('heavy.p12');
    await openssl(['pkcs12', '-export', '-inkey', scratch.path('key.pem'), '-in', scratch.path('cert.pem'), '-out', path, '-passout', `pass:${PASS}`, '-iter', '200000']);
    const file = readFileSync(path);
    const { result, longestMs, ticks } = await stallDuring(() => importPkcs12(file, PASS));
    expect(result.fingerprint).toBe(fingerprint);
    expect(result.privateKey.equals(keys.privateKey)).toBe(true);
    // Hundreds of milliseconds of key derivation happened meanwhile, at 5 ms a tick.
    expect(ticks).toBeGreaterThan(10);
    expect(longestMs).toBeLessThan(MAX_STALL_MS);
  }, 60_000);
});
