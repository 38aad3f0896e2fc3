/**
 * Importing an existing key and its certificate, from PEM text (one or two files, any order) or a
 * PKCS#12 file. Only RSA is accepted, and the key must belong to the certificate. Every failure is a
 * KeyringError 'invalid-argument' with a sentence the user can act on.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { KeyringError } from '../errors.js';
import { certificateFingerprint } from './fingerprint.js';
import { keyTypeName } from './key-type.js';
import { findPemBlocks, type PemBlock } from './pem.js';
import { readPkcs12OffThread } from './pkcs12-reader.js';
import { opensshKeyType } from './ssh-key-type.js';
import { readCertificateIdentities } from './xmpp-addr.js';

/** Keys and certificates are a few KiB; anything near this is not one. */
export const MAX_IMPORT_FILE_BYTES = 1024 * 1024;
/**
 * The key's certificate and a chain of intermediates. Each certificate is parsed and compared with the
 * key on the main thread, about a quarter of a millisecond apiece: a megabyte of them held it 150 ms.
 */
export const MAX_CERTIFICATES = 15;
/** The key and MAX_CERTIFICATES certificates. */
export const MAX_PEM_BLOCKS = MAX_CERTIFICATES + 1;

export interface ImportedIdentity {
  /** Private key material: never log it, never send it over IPC. */
  privateKey: KeyObject;
  publicKey: KeyObject;
  certificateDer: Buffer;
  /** SHA-256 of certificateDer, lowercase hex. */
  fingerprint: string;
  bits: number;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** The JID the certificate binds: its first xmppAddr, else its first subject CN. */
  jid?: string;
}

const invalid = (message: string, field?: string, nextStep?: string): KeyringError =>
  new KeyringError('invalid-argument', message, field, nextStep === undefined ? undefined : { nextStep });
const NOT_A_KEY_FILE = 'Not a PEM or PKCS#12 file.';
const KEY_LABELS = new Set(['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY']);
const OTHER_KEY_LABEL = /^(EC|DSA) PRIVATE KEY$/;
/** RFC 2986 requests, as OpenSSL writes them (the NEW form is older software's, e.g. Windows'). */
const REQUEST_LABEL = /^(NEW )?CERTIFICATE REQUEST$/;

/**
 * Any mix of files: PEM texts (together holding one private key and its certificate) or a single
 * PKCS#12 file. Which one each file is, is read from its content, not its name.
 */
export async function importKeyFiles(files: readonly Uint8Array[], password?: string): Promise<ImportedIdentity> {
  if (files.length === 0) throw invalid('Choose a key file to import.');
  for (const file of files) {
    if (file.byteLength > MAX_IMPORT_FILE_BYTES) throw invalid('This file is too large to be a key or certificate.');
  }
  const texts = files.map(asPemText);
  if (texts.every((t): t is string => t !== undefined)) return importPem(texts, password);
  const [only] = files;
  if (files.length === 1 && only !== undefined && only[0] === 0x30) return importPkcs12(only, password ?? '');
  if (files.length > 1 && texts.some((t) => t === undefined)) {
    throw invalid('Import either one PKCS#12 file, or PEM files with the key and its certificate.');
  }
  throw invalid(NOT_A_KEY_FILE);
}

/** Text files with at least one PEM block; undefined for anything else. */
function asPemText(file: Uint8Array): string | undefined {
  const text = Buffer.from(file.buffer, file.byteOffset, file.byteLength).toString('utf8');
  return text.includes('-----BEGIN ') && findPemBlocks(text).length > 0 ? text : undefined;
}

/** PEM in one or more texts: one private key (PKCS#8, encrypted PKCS#8 or PKCS#1) and its certificate. */
export function importPem(texts: readonly string[], passphrase?: string): ImportedIdentity {
  const blocks = texts.flatMap(findPemBlocks);
  if (blocks.length === 0) throw invalid(NOT_A_KEY_FILE);
  if (blocks.length > MAX_PEM_BLOCKS) {
    throw invalid(`These files hold ${blocks.length} PEM blocks; import one key with its certificate (and at most ${MAX_CERTIFICATES - 1} more certificates of its chain).`);
  }
  const sshKey = blocks.find((b) => b.label === 'OPENSSH PRIVATE KEY');
  if (sshKey) {
    // Its label is OpenSSH's file format, not a key type a person knows: say what it is instead.
    const type = opensshKeyType(sshKey.text);
    throw invalid(
      `This is an SSH key${type ? ` (${type})` : ''}; only RSA keys in PEM or PKCS#12 files, with their certificate, can be imported.`,
      undefined,
      'To have a key here, make a new one instead.',
    );
  }
  const otherKey = blocks.find((b) => OTHER_KEY_LABEL.test(b.label));
  if (otherKey) throw invalid(`Only RSA keys are supported, not ${otherKey.label.replace(' PRIVATE KEY', '')}.`);
  const keyBlocks = blocks.filter((b) => KEY_LABELS.has(b.label));
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => readCertificate(b.text));
  if (certificates.length === 0 && blocks.some((b) => REQUEST_LABEL.test(b.label))) {
    // A CSR is what one sends to be given a certificate: "no private key" would send the person looking for the wrong file.
    throw invalid(
      'This is a certificate request (CSR), not a certificate.',
      undefined,
      'Import the private key together with the certificate that was issued for this request.',
    );
  }
  if (keyBlocks.length === 0) {
    throw invalid('These files hold a certificate but no private key.', undefined, 'Choose the private key’s file together with the certificate.');
  }
  if (keyBlocks.length > 1) throw invalid('These files hold more than one private key; import one key with its certificate.');
  if (certificates.length === 0) throw invalid('These files hold no certificate.');
  const [keyBlock] = keyBlocks;
  // keyBlocks has exactly one element here; the check satisfies the compiler.
  if (keyBlock === undefined) throw invalid('These files hold no private key.');
  return pair(readPemPrivateKey(keyBlock, passphrase), certificates);
}

/** A PKCS#12 (.p12, .pfx) file with its password, opened on a worker thread (pkcs12-reader.ts). */
export async function importPkcs12(bytes: Uint8Array, password: string): Promise<ImportedIdentity> {
  const { privateKeys, certificates } = await readPkcs12OffThread(bytes, password);
  const [privateKey, extra] = privateKeys;
  if (privateKey === undefined) throw invalid('This PKCS#12 file holds no private key.');
  if (extra !== undefined) throw invalid('This PKCS#12 file holds more than one private key.');
  if (certificates.length === 0) throw invalid('This PKCS#12 file holds no certificate.');
  if (certificates.length > MAX_CERTIFICATES) {
    throw invalid(`This PKCS#12 file holds ${certificates.length} certificates; the app takes a key with its certificate and at most ${MAX_CERTIFICATES - 1} more of its chain.`);
  }
  return pair(requireRsa(privateKey), certificates.map(readCertificate));
}

function readCertificate(input: string | Buffer): X509Certificate {
  try {
    return new X509Certificate(input);
  } catch (error) {
    throw new KeyringError('invalid-argument', 'A certificate in this file cannot be read.', undefined, { cause: error });
  }
}

function readPemPrivateKey(block: PemBlock, passphrase: string | undefined): KeyObject {
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || block.text.includes('Proc-Type: 4,ENCRYPTED');
  try {
    // Private key material passes here: never log it.
    return requireRsa(createPrivateKey({ key: block.text, format: 'pem', passphrase: passphrase ?? '' }));
  } catch (error) {
    if (error instanceof KeyringError) throw error;
    if (encrypted && !passphrase) throw invalid('This private key is encrypted: enter its passphrase.', 'passphrase');
    if (encrypted) throw invalid('The passphrase for this private key is wrong.', 'passphrase');
    throw new KeyringError('invalid-argument', 'The private key cannot be read.', undefined, { cause: error });
  }
}

function requireRsa(privateKey: KeyObject): KeyObject {
  // 'rsa-pss' keys are RSA too, but restricted to PSS signatures; the certificate is PKCS#1 v1.5.
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw invalid(`Only RSA keys are supported, not ${keyTypeName(privateKey.asymmetricKeyType)}.`);
  }
  return privateKey;
}

/** Picks the certificate whose public key is the private key's (compared as SubjectPublicKeyInfo DER). */
function pair(privateKey: KeyObject, certificates: X509Certificate[]): ImportedIdentity {
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const certificate = certificates.find((c) => c.publicKey.export({ type: 'spki', format: 'der' }).equals(spki));
  if (!certificate) {
    throw invalid(
      certificates.length === 1
        ? 'The private key does not belong to this certificate.'
        : 'The private key belongs to none of these certificates.',
    );
  }
  const certificateDer = certificate.raw;
  return {
    privateKey,
    publicKey,
    certificateDer,
    fingerprint: certificateFingerprint(certificateDer),
    bits: publicKey.asymmetricKeyDetails?.modulusLength ?? 0,
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    ...boundJid(certificateDer),
  };
}

function boundJid(der: Buffer): { jid?: string } {
  try {
    const { xmppAddrs, commonNames } = readCertificateIdentities(der);
    const jid = xmppAddrs[0] ?? commonNames[0];
    return jid === undefined ? {} : { jid };
  } catch {
    // A certificate whose names cannot be read still imports; it just binds no JID we can show.
    return {};
  }
}
