import { execFile } from 'node:child_process';
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { CERTIFICATE_BACKDATE_MS } from '../../../main/keys/clock-tolerance.js';
import {
  exportCertificateDer,
  exportCertificatePem,
  exportPkcs12,
  exportPrivateKeyPem,
} from '../../../main/keys/export-key.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../main/keys/generate.js';
import { importKeyFiles, importPem, importPkcs12, MAX_IMPORT_FILE_BYTES } from '../../../main/keys/import-key.js';
import { buildPkcs12 } from '../../../main/keys/pkcs12.js';
import { openssl, opensslCertificate, opensslReport, Scratch } from './openssl.js';

const JULIET = 'juliet@capulet.lit';
const PASS = 'correct horse battery';
const NON_ASCII_PASS = 'pässwörd-ünïcode-✓';

let scratch: Scratch;
let keys: RsaKeyPair;
let der: Buffer;
let fingerprint: string;
let certPem: string;
let keyPem: string;
let other: { keys: RsaKeyPair; der: Buffer };

const spki = (k: { export(o: { type: 'spki'; format: 'der' }): Buffer }): Buffer => k.export({ type: 'spki', format: 'der' });
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

beforeAll(async () => {
  scratch = await Scratch.create();
  [keys, other] = await Promise.all([
    generateRsaKeyPair(2048),
    generateRsaKeyPair(2048).then(async (k) => ({
      keys: k,
      der: await createSelfSignedCertificate({ bareJid: 'romeo@montague.lit', privateKey: k.privateKey }),
    })),
  ]);
  der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey });
  fingerprint = certificateFingerprint(der);
  certPem = exportCertificatePem(der);
  // A test fixture: the unencrypted key exists only in this process.
  keyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await scratch.write('key.pem', keyPem);
  await scratch.write('cert.pem', certPem);
}, 30_000);

afterAll(() => scratch.remove());

/** Runs `attempt` (sync, or async like PKCS#12 imports) and checks it was refused with `message`. */
const expectRefusal = async (attempt: () => unknown, message: RegExp | string, field?: string): Promise<void> => {
  let thrown: unknown;
  try {
    await attempt();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject({ name: 'KeyringError', code: 'invalid-argument', ...(field ? { field } : {}) });
  expect((thrown as Error).message).toMatch(message);
};

describe('importing PEM', () => {
  it('takes the key and the certificate from one text', () => {
    const imported = importPem([`${keyPem}\n${certPem}`]);
    expect(imported.fingerprint).toBe(fingerprint);
    expect(imported.certificateDer.equals(der)).toBe(true);
    expect(spki(imported.publicKey).equals(spki(keys.publicKey))).toBe(true);
    expect(imported.privateKey.equals(keys.privateKey)).toBe(true);
    expect(imported).toMatchObject({ bits: 2048, jid: JULIET });
    // Made by the app: two years from when it was made, valid from an hour before (clock-tolerance.ts).
    expect(Date.parse(imported.notAfter) - Date.parse(imported.notBefore)).toBe(730 * 86_400_000 + CERTIFICATE_BACKDATE_MS);
  });

  it('takes them from two texts in either order, ignoring text around the blocks', () => {
    for (const texts of [[certPem, keyPem], [keyPem, certPem], [`Bag Attributes\n${certPem}trailer`, `# my key\n${keyPem}`]]) {
      expect(importPem(texts).fingerprint).toBe(fingerprint);
    }
  });

  it('reads an encrypted PKCS#8 key made by openssl, with its passphrase', async () => {
    const path = scratch.path('enc.pem');
    await openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', scratch.path('key.pem'), '-out', path, '-passout', `pass:${PASS}`]);
    const encrypted = (await scratch.read('enc.pem')).toString();
    expect(encrypted).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(importPem([certPem, encrypted], PASS).privateKey.equals(keys.privateKey)).toBe(true);
    await expectRefusal(() => importPem([certPem, encrypted]), 'This private key is encrypted: enter its passphrase.', 'passphrase');
    await expectRefusal(() => importPem([certPem, encrypted], 'not the passphrase'), 'The passphrase for this private key is wrong.', 'passphrase');
  });

  it('reads a traditional PKCS#1 "RSA PRIVATE KEY"', async () => {
    const pkcs1 = await openssl(['rsa', '-in', scratch.path('key.pem'), '-traditional']);
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    expect(importPem([pkcs1, certPem]).fingerprint).toBe(fingerprint);
  });

  it('picks the matching certificate out of several', () => {
    const chain = `${exportCertificatePem(other.der)}${certPem}`;
    expect(importPem([chain, keyPem]).fingerprint).toBe(fingerprint);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    await expectRefusal(() => importPem([keyPem, exportCertificatePem(other.der)]), 'The private key does not belong to this certificate.');
  });

  it('refuses EC keys and certificates, naming the reason', async () => {
    const ec = await opensslCertificate(scratch, 'ec', { subject: `/CN=${JULIET}`, keyAlgorithm: 'ec' });
    await expectRefusal(() => importPem([ec.keyPem, ec.certPem]), 'Only RSA keys are supported, not EC.');
    const traditional = await openssl(['ec', '-in', scratch.path('ec.key')]);
    await expectRefusal(() => importPem([traditional, ec.certPem]), 'Only RSA keys are supported, not EC.');
  });

  it('names an SSH key by its type, not by OpenSSH\'s file format, and says what can be imported', async () => {
    const keygen = async (name: string, type: string, passphrase = ''): Promise<string> => {
      await promisify(execFile)('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-f', scratch.path(name)]);
      return scratch.read(name).then((b) => b.toString('utf8'));
    };
    const rsaLike = 'only RSA keys in PEM or PKCS#12 files, with their certificate, can be imported.';
    const ed25519 = await keygen('id_ed25519', 'ed25519');
    await expectRefusal(() => importPem([ed25519]), `This is an SSH key (Ed25519); ${rsaLike}`);
    // Its public half is readable without the passphrase, so an encrypted one is named too.
    const ecdsa = await keygen('id_ecdsa', 'ecdsa', 'secret words');
    await expectRefusal(() => importPem([ecdsa]), `This is an SSH key (ECDSA); ${rsaLike}`);
    // An RSA key in OpenSSH's format still has no certificate.
    const rsa = await keygen('id_rsa', 'rsa');
    await expectRefusal(() => importPem([rsa]), `This is an SSH key (RSA); ${rsaLike}`);
    await expectRefusal(
      () => importPem(['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n']),
      `This is an SSH key; ${rsaLike}`,
    );
  });

  it('calls a certificate request one, and a certificate alone one without its private key', async () => {
    await openssl(['req', '-new', '-key', scratch.path('key.pem'), '-out', scratch.path('request.pem'), '-subj', `/CN=${JULIET}`]);
    const request = (await scratch.read('request.pem')).toString('utf8');
    await expectRefusal(() => importPem([request]), 'This is a certificate request (CSR), not a certificate.');
    await expectRefusal(() => importPem([request, keyPem]), 'This is a certificate request (CSR), not a certificate.');
    await expectRefusal(() => importPem([request.replaceAll('CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST')]), /certificate request \(CSR\)/);
    await expectRefusal(() => importPem([certPem]), 'These files hold a certificate but no private key.');
  });

  it('says what is missing or extra', async () => {
    await expectRefusal(() => importPem([keyPem]), 'These files hold no certificate.');
    await expectRefusal(() => importPem([keyPem, keyPem, certPem]), /more than one private key/);
    await expectRefusal(() => importPem(['just some text']), 'Not a PEM or PKCS#12 file.');
    const broken = certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    await expectRefusal(() => importPem([keyPem, broken]), 'A certificate in this file cannot be read.');
  });
});

describe('exporting the certificate', () => {
  it('writes PEM that openssl reads back to the same DER, and DER as is', async () => {
    const pem = exportCertificatePem(der);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
    await scratch.write('export.pem', pem);
    await openssl(['x509', '-in', scratch.path('export.pem'), '-outform', 'DER', '-out', scratch.path('export.der')]);
    expect((await scratch.read('export.der')).equals(der)).toBe(true);
    expect(exportCertificateDer(der).equals(der)).toBe(true);
    expect(new X509Certificate(pem).raw.equals(der)).toBe(true);
  });
});

describe('exporting the private key', () => {
  it('refuses without a new passphrase of at least 8 characters', async () => {
    for (const bad of ['', 'short', '1234567', '✓✓✓✓✓✓✓', undefined as unknown as string]) {
      await expectRefusal(() => exportPrivateKeyPem(keys.privateKey, bad), /passphrase/, 'passphrase');
      await expectRefusal(() => exportPkcs12(keys.privateKey, der, bad), /passphrase/, 'passphrase');
    }
  });

  it('writes encrypted PKCS#8 that openssl opens with the passphrase, and only with it', async () => {
    const pem = exportPrivateKeyPem(keys.privateKey, PASS);
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const path = await scratch.write('exported-key.pem', pem);
    const pub = await openssl(['pkey', '-in', path, '-passin', `pass:${PASS}`, '-pubout']);
    expect(pub).toBe(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    await expect(openssl(['pkey', '-in', path, '-passin', 'pass:wrong-passphrase', '-pubout'])).rejects.toThrow();
    const info = await openssl(['asn1parse', '-in', path]);
    expect(info).toMatch(/PBES2/);
    expect(info).toMatch(/aes-256-cbc/);
  });

  it('round-trips PKCS#8 through import to the same key and fingerprint', () => {
    const imported = importPem([exportPrivateKeyPem(keys.privateKey, NON_ASCII_PASS), certPem], NON_ASCII_PASS);
    expect(imported.fingerprint).toBe(fingerprint);
    expect(imported.privateKey.equals(keys.privateKey)).toBe(true);
  });

  it('writes PKCS#12 that openssl opens with the password (SHA-256 MAC, PBES2 AES-256)', async () => {
    const path = await scratch.write('export.p12', exportPkcs12(keys.privateKey, der, PASS));
    const out = await openssl(['pkcs12', '-in', path, '-passin', `pass:${PASS}`, '-nodes']);
    const certBlock = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n/.exec(out)?.[0] ?? '';
    expect(certBlock).toBe(certPem);
    const keyBlock = /-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\n/.exec(out)?.[0] ?? '';
    expect(createPrivateKey(keyBlock).equals(keys.privateKey)).toBe(true);
    const info = await opensslReport(['pkcs12', '-in', path, '-passin', `pass:${PASS}`, '-info', '-noout']);
    expect(info).toMatch(/MAC: sha256, Iteration 2048/);
    expect(info).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/);
    await expect(openssl(['pkcs12', '-in', path, '-passin', 'pass:wrong-password', '-nodes'])).rejects.toThrow(/mac verify/i);
  });

  it('writes PKCS#12 with a non-ASCII password the way OpenSSL reads it', async () => {
    const path = await scratch.write('unicode.p12', exportPkcs12(keys.privateKey, der, NON_ASCII_PASS));
    const out = await openssl(['pkcs12', '-in', path, '-passin', `pass:${NON_ASCII_PASS}`, '-nodes']);
    expect(out).toContain('-----BEGIN PRIVATE KEY-----');
  });

  it('round-trips PKCS#12 through import to the same key and fingerprint', async () => {
    for (const password of [PASS, NON_ASCII_PASS]) {
      const imported = await importPkcs12(exportPkcs12(keys.privateKey, der, password), password);
      expect(imported.fingerprint).toBe(fingerprint);
      expect(imported.privateKey.equals(keys.privateKey)).toBe(true);
      expect(imported.jid).toBe(JULIET);
    }
  });

  it('refuses to bundle a key with a certificate it does not belong to', async () => {
    await expectRefusal(() => exportPkcs12(keys.privateKey, other.der, PASS), 'The private key does not belong to this certificate.');
  });
});

describe('importing PKCS#12', () => {
  const opensslP12 = async (name: string, password: string, extra: string[] = []): Promise<Buffer> => {
    const path = scratch.path(name);
    await openssl(['pkcs12', '-export', '-inkey', scratch.path('key.pem'), '-in', scratch.path('cert.pem'), '-out', path, '-passout', `pass:${password}`, ...extra]);
    return scratch.read(name);
  };

  it('reads a file made by openssl 3 with its defaults', async () => {
    const imported = await importPkcs12(await opensslP12('openssl.p12', PASS), PASS);
    expect(imported.fingerprint).toBe(fingerprint);
    expect(imported.privateKey.equals(keys.privateKey)).toBe(true);
  });

  it('reads a file made by openssl with a non-ASCII password', async () => {
    expect((await importPkcs12(await opensslP12('openssl-unicode.p12', NON_ASCII_PASS), NON_ASCII_PASS)).fingerprint).toBe(fingerprint);
  });

  it('reads the older 3DES / SHA-1 protection', async () => {
    const file = await opensslP12('legacy.p12', PASS, ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
    expect((await importPkcs12(file, PASS)).fingerprint).toBe(fingerprint);
  });

  it('says when the password is wrong', async () => {
    const file = await opensslP12('wrong.p12', PASS);
    await expectRefusal(() => importPkcs12(file, 'not-the-password'), 'The password for this PKCS#12 file is wrong.', 'password');
    await expectRefusal(() => importPkcs12(exportPkcs12(keys.privateKey, der, NON_ASCII_PASS), PASS), 'The password for this PKCS#12 file is wrong.');
  });

  it('asks for the password when none was given, rather than calling it wrong', async () => {
    const file = await opensslP12('needs.p12', PASS);
    await expectRefusal(() => importPkcs12(file, ''), 'This PKCS#12 file is protected by a password: enter it.', 'password');
    await expectRefusal(() => importKeyFiles([file]), 'This PKCS#12 file is protected by a password: enter it.', 'password');
  });

  it('says when the key does not belong to the certificate, or there is no certificate', async () => {
    // openssl refuses to write a mismatched pair, so build one with the writer underneath exportPkcs12.
    const mismatched = buildPkcs12({ privateKey: keys.privateKey, certificates: [other.der], password: PASS });
    await expectRefusal(() => importPkcs12(mismatched, PASS), 'The private key does not belong to this certificate.');
    const path = scratch.path('nocerts.p12');
    await openssl(['pkcs12', '-export', '-inkey', scratch.path('key.pem'), '-nocerts', '-out', path, '-passout', `pass:${PASS}`]);
    await expectRefusal(() => importPkcs12(readFileSync(path), PASS), 'This PKCS#12 file holds no certificate.');
  });

  it('refuses an EC key', async () => {
    const ec = await opensslCertificate(scratch, 'ec12', { subject: `/CN=${JULIET}`, keyAlgorithm: 'ec' });
    const path = scratch.path('ec.p12');
    await openssl(['pkcs12', '-export', '-inkey', scratch.path('ec12.key'), '-in', scratch.path('ec12.pem'), '-out', path, '-passout', `pass:${PASS}`]);
    expect(ec.der.length).toBeGreaterThan(0);
    await expectRefusal(() => importPkcs12(readFileSync(path), PASS), 'Only RSA keys are supported, not EC.');
  });

  it('calls anything else not a PEM or PKCS#12 file', async () => {
    await expectRefusal(() => importPkcs12(randomBytes(300), PASS), 'Not a PEM or PKCS#12 file.');
    await expectRefusal(() => importPkcs12(der, PASS), 'Not a PEM or PKCS#12 file.');
  });
});

describe('importing files by their content', () => {
  it('tells PEM from PKCS#12 without file names', async () => {
    expect((await importKeyFiles([bytes(certPem), bytes(keyPem)])).fingerprint).toBe(fingerprint);
    expect((await importKeyFiles([exportPkcs12(keys.privateKey, der, PASS)], PASS)).fingerprint).toBe(fingerprint);
  });

  it('refuses random bytes, a mix of PKCS#12 and PEM, no files and oversized files', async () => {
    await expectRefusal(() => importKeyFiles([randomBytes(500)]), 'Not a PEM or PKCS#12 file.');
    await expectRefusal(() => importKeyFiles([bytes('hello')]), 'Not a PEM or PKCS#12 file.');
    await expectRefusal(() => importKeyFiles([exportPkcs12(keys.privateKey, der, PASS), bytes(certPem)], PASS), /either one PKCS#12 file/);
    await expectRefusal(() => importKeyFiles([]), /Choose a key file/);
    await expectRefusal(() => importKeyFiles([Buffer.alloc(MAX_IMPORT_FILE_BYTES + 1, 0x30)]), /too large/);
  });
});
