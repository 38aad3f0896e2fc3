/**
 * PKCS#12 (RFC 7292) files: the usual way to move a key and its certificate between programs.
 *
 * Writing assembles the PFX with forge.asn1 but does the cryptography natively. forge's
 * `toPkcs12Asn1` derives keys with a JavaScript PBKDF2 (20–60 ms of blocked event loop per file for a
 * 4096-bit key, measured), and hands the same password string to both of its key derivations: the
 * PKCS#12 one wants it as a BMPString (RFC 7292 Appendix B.1), PBES2 wants UTF-8 bytes (what OpenSSL
 * does), so a non-ASCII password produced a file OpenSSL cannot open. Here the private key is encrypted
 * by OpenSSL through `KeyObject.export` (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC) and the MAC is
 * HMAC-SHA256, the defaults of `openssl pkcs12 -export` in OpenSSL 3.
 *
 * Reading uses forge.pkcs12, which covers the algorithms other programs pick (PBES2, and the PKCS#12
 * PBEs with 3DES or RC2 that older OpenSSL and Windows write). Its key derivation is JavaScript and
 * runs as many iterations as the file asks, so `readPkcs12` refuses a file asking for more than
 * MAX_PKCS12_ITERATIONS (pkcs12-iterations.ts) and runs only on a worker thread (pkcs12-reader.ts).
 */
import { createHash, createHmac, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { KeyringError } from '../errors.js';
import { asn1ToBuffer, binaryToBuffer, bytesToBinary } from './forge-typed.js';
import { keyTypeName } from './key-type.js';
import { checkPkcs12Iterations } from './pkcs12-iterations.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** OpenSSL's PKCS12_DEFAULT_ITER; every reader accepts it. */
const MAC_ITERATIONS = 2048;
const MAC_SALT_BYTES = 16;
/** RFC 7292 Appendix B.3: ID 3 derives MAC keys. */
const MAC_KEY_ID = 3;

const { Class, Type, create } = forge.asn1;
const oid = (id: string): forge.asn1.Asn1 => create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(id).getBytes());
const octets = (bytes: Uint8Array): forge.asn1.Asn1 => create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytesToBinary(bytes));
const seq = (items: forge.asn1.Asn1[]): forge.asn1.Asn1 => create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]): forge.asn1.Asn1 => create(Class.UNIVERSAL, Type.SET, true, items);
const explicit0 = (item: forge.asn1.Asn1): forge.asn1.Asn1 => create(Class.CONTEXT_SPECIFIC, 0, true, [item]);
const integer = (n: number): forge.asn1.Asn1 => create(Class.UNIVERSAL, Type.INTEGER, false, forge.asn1.integerToDer(n).getBytes());

/** PKCS#7 ContentInfo of type data: the SafeContents travel as an OCTET STRING. */
const dataContentInfo = (content: Uint8Array): forge.asn1.Asn1 => seq([oid(OID.data), explicit0(octets(content))]);

export interface Pkcs12Input {
  /** The private key; it leaves this function only encrypted. Never log it. */
  privateKey: KeyObject;
  /** DER certificates, the key's own first. */
  certificates: Uint8Array[];
  /** Protects both the key (PBES2) and the file's integrity (MAC). */
  password: string;
}

/** A PFX in password integrity and privacy mode (RFC 7292 §4), DER. */
export function buildPkcs12({ privateKey, certificates, password }: Pkcs12Input): Buffer {
  const [leaf] = certificates;
  if (leaf === undefined) throw new Error('A PKCS#12 file needs the key’s certificate.');
  // RFC 7292 §4.2 attributes: localKeyId pairs the key with its certificate (OpenSSL uses the cert's SHA-1 too).
  const localKeyId = set([seq([oid(OID.localKeyId), set([octets(createHash('sha1').update(leaf).digest())])])]);

  const certBags = certificates.map((der, index) => {
    const certBag = seq([oid(OID.x509Certificate), explicit0(octets(der))]); // RFC 7292 §4.2.3 CertBag
    return seq(index === 0 ? [oid(OID.certBag), explicit0(certBag), localKeyId] : [oid(OID.certBag), explicit0(certBag)]);
  });
  // Private key material passes here, and leaves only encrypted: never log it.
  const encryptedKey = privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: password });
  const keyBag = seq([
    oid(OID.pkcs8ShroudedKeyBag),
    explicit0(forge.asn1.fromDer(bytesToBinary(encryptedKey))), // RFC 7292 §4.2.2: an EncryptedPrivateKeyInfo
    localKeyId,
  ]);

  // The certificates are public, so like forge and Windows we leave them unencrypted; the key is shrouded.
  const authenticatedSafe = asn1ToBuffer(
    seq([dataContentInfo(asn1ToBuffer(seq(certBags))), dataContentInfo(asn1ToBuffer(seq([keyBag])))]),
  );
  const salt = randomBytes(MAC_SALT_BYTES);
  const mac = createHmac('sha256', macKey(password, salt, MAC_ITERATIONS)).update(authenticatedSafe).digest();
  const macData = seq([
    seq([seq([oid(OID.sha256), create(Class.UNIVERSAL, Type.NULL, false, '')]), octets(mac)]), // DigestInfo
    octets(salt),
    integer(MAC_ITERATIONS),
  ]);
  return asn1ToBuffer(seq([integer(3), dataContentInfo(authenticatedSafe), macData]));
}

/** RFC 7292 Appendix B.2 with SHA-256, the password as a BMPString (forge encodes it so). */
function macKey(password: string, salt: Buffer, iterations: number): Buffer {
  const buffer = forge.util.createBuffer(bytesToBinary(salt));
  return binaryToBuffer(
    forge.pkcs12.generateKey(password, buffer, MAC_KEY_ID, iterations, 32, forge.md.sha256.create()).getBytes(),
  );
}

export interface Pkcs12Contents {
  /** Private key material: never log it. */
  privateKeys: KeyObject[];
  /** DER certificates in file order. */
  certificates: Buffer[];
}

/** An empty password is one not given yet, not a wrong one: the file needs the one it was saved with. */
const wrongPassword = (password: string): KeyringError =>
  password === ''
    ? new KeyringError('invalid-argument', 'This PKCS#12 file is protected by a password: enter it.', 'password')
    : new KeyringError('invalid-argument', 'The password for this PKCS#12 file is wrong.', 'password');
const notPkcs12 = (): KeyringError => new KeyringError('invalid-argument', 'Not a PEM or PKCS#12 file.');

/**
 * Opens a PKCS#12 file. Throws KeyringError 'invalid-argument' with a sentence for the user. Runs for as
 * long as the file's iteration counts say (up to seconds): call it on a worker thread (pkcs12-reader.ts).
 */
export function readPkcs12(bytes: Uint8Array, password: string): Pkcs12Contents {
  const parsed = parsePfx(bytes);
  checkPkcs12Iterations(parsed);
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    pfx = forge.pkcs12.pkcs12FromAsn1(parsed, false, password);
  } catch (error) {
    if (!isDecryptionFailure(error)) throw classify(error, password);
    // forge verified the MAC with the password as a BMPString before it failed to decrypt. PBES2 wants
    // the password's UTF-8 bytes (OpenSSL's choice), which forge takes as a binary string; that only
    // differs from the password itself when it is not ASCII. So retry with them, without the MAC,
    // which the first attempt already checked.
    const utf8 = forge.util.encodeUtf8(password);
    if (utf8 === password) throw wrongPassword(password);
    try {
      const withoutMac = parsePfx(bytes);
      if (Array.isArray(withoutMac.value)) withoutMac.value.splice(2);
      pfx = forge.pkcs12.pkcs12FromAsn1(withoutMac, false, utf8);
    } catch (retryError) {
      throw classify(retryError, password);
    }
  }

  const privateKeys: KeyObject[] = [];
  const certificates: Buffer[] = [];
  for (const bag of pfx.safeContents.flatMap((contents) => contents.safeBags)) {
    if (bag.type === OID.certBag) {
      // forge parses RSA certificates into `cert` and keeps others as ASN.1. Re-encoding an RSA one
      // reuses the signed TBSCertificate bytes as read.
      certificates.push(asn1ToBuffer(bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1));
    } else if (bag.type === OID.pkcs8ShroudedKeyBag || bag.type === OID.keyBag) {
      privateKeys.push(toKeyObject(bag));
    }
  }
  return { privateKeys, certificates };
}

function parsePfx(bytes: Uint8Array): forge.asn1.Asn1 {
  try {
    // Not strict: PKCS#12 files from other programs are often BER (RFC 7292 §4 allows it).
    return forge.asn1.fromDer(bytesToBinary(bytes), false);
  } catch {
    throw notPkcs12();
  }
}

function toKeyObject(bag: forge.pkcs12.Bag): KeyObject {
  // Private key material passes here: never log it.
  if (bag.key) {
    const rsaPrivateKey = asn1ToBuffer(forge.pki.privateKeyToAsn1(bag.key));
    return createPrivateKey({ key: rsaPrivateKey, format: 'der', type: 'pkcs1' });
  }
  // forge only parses RSA keys; read the others natively to name their type in the error.
  let type: string | undefined;
  try {
    type = createPrivateKey({ key: asn1ToBuffer(bag.asn1), format: 'der', type: 'pkcs8' }).asymmetricKeyType;
  } catch {
    // An unreadable key: the message says "an unknown type".
  }
  throw new KeyringError('invalid-argument', `Only RSA keys are supported, not ${keyTypeName(type)}.`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

/** forge's words (node-forge 1.4.3 lib/pkcs12.js) for a key or SafeContents that did not decrypt. */
function isDecryptionFailure(error: unknown): boolean {
  return /wrong password|Failed to decrypt/i.test(message(error));
}

function classify(error: unknown, password: string): KeyringError {
  if (error instanceof KeyringError) return error;
  const text = message(error);
  if (/MAC could not be verified|wrong password|Failed to decrypt/i.test(text)) return wrongPassword(password);
  if (/unsupported|not supported/i.test(text)) {
    return new KeyringError('invalid-argument', 'This PKCS#12 file uses a protection the app cannot read.', undefined, {
      cause: error,
    });
  }
  return notPkcs12();
}
