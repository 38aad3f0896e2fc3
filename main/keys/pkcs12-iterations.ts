/**
 * The work a PKCS#12 file asks for, checked before any of it is done. Every password-based step (the
 * MAC key, RFC 7292 Appendix B; PBES2's PBKDF2, RFC 8018 §5.2; the PKCS#12 PBEs, RFC 7292 Appendix C)
 * repeats a hash as many times as the file says, and the file may be hostile: 93 bytes asking for ten
 * million MAC iterations held the event loop 19 s. So a file asking for more than
 * MAX_PKCS12_ITERATIONS anywhere we can see before decrypting is refused. Parts only visible after a
 * decryption are bounded by the reader's time limit instead (pkcs12-reader.ts).
 */
import forge from 'node-forge';
import { KeyringError } from '../errors.js';

/**
 * The most iterations one MAC or key derivation may ask for. Real exporters use far fewer: OpenSSL 3
 * writes 2048 (PKCS12_DEFAULT_ITER) for the MAC and the PBKDF2 of each part, Windows and macOS exports
 * 2000 to 10000. One million leaves room for anyone who raised it deliberately, and keeps one
 * derivation to about 2 s of a worker thread's time (forge's JavaScript, measured).
 */
export const MAX_PKCS12_ITERATIONS = 1_000_000;

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  pbes2: '1.2.840.113549.1.5.13',
} as const;
/** RFC 7292 Appendix C: pbeWithSHAAnd128BitRC4 … pbewithSHAAnd40BitRC2-CBC, params { salt, iterations }. */
const PKCS12_PBE_PREFIX = '1.2.840.113549.1.12.1.';
/** RFC 8018 §A.3: PBES1 schemes, params PBEParameter { salt, iterationCount }. */
const PBES1 = new Set(['1.2.840.113549.1.5.1', '1.2.840.113549.1.5.3', '1.2.840.113549.1.5.4', '1.2.840.113549.1.5.6', '1.2.840.113549.1.5.10', '1.2.840.113549.1.5.11']);

type Asn1 = forge.asn1.Asn1;

/** Throws KeyringError 'invalid-argument' when the parsed PFX asks for more than the limit. */
export function checkPkcs12Iterations(pfx: Asn1): void {
  // RFC 7292 §4: PFX ::= SEQUENCE { version, authSafe ContentInfo, macData MacData OPTIONAL }
  const [, authSafe, macData] = children(pfx);
  // MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
  const macIterations = children(macData)[2];
  if (macIterations) check(integerValue(macIterations), 'its integrity check');

  // ContentInfo ::= SEQUENCE { contentType, content [0] EXPLICIT }: the AuthenticatedSafe, as Data.
  for (const contentInfo of children(parseQuietly(octets(explicitContent(authSafe))))) {
    const type = oidOf(children(contentInfo)[0]);
    const content = explicitContent(contentInfo);
    if (type === OID.data) {
      // SafeContents ::= SEQUENCE OF SafeBag { bagId, bagValue [0] EXPLICIT, bagAttributes OPTIONAL }
      for (const bag of children(parseQuietly(octets(content)))) {
        if (oidOf(children(bag)[0]) === OID.pkcs8ShroudedKeyBag) {
          // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData }
          checkAlgorithm(children(explicitContent(bag))[0], 'its private key');
        }
      }
    } else if (type === OID.encryptedData) {
      // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo { contentType, contentEncryptionAlgorithm, … } }
      checkAlgorithm(children(children(content)[1])[1], 'an encrypted part');
    }
  }
}

function checkAlgorithm(algorithm: Asn1 | undefined, what: string): void {
  const [id, params] = children(algorithm);
  const oid = oidOf(id);
  if (oid === OID.pbes2) {
    // PBES2-params ::= SEQUENCE { keyDerivationFunc { id-PBKDF2, PBKDF2-params { salt, iterationCount, … } }, encryptionScheme }
    const kdfParams = children(children(params)[0])[1];
    const count = children(kdfParams)[1];
    if (count) check(integerValue(count), what);
  } else if (oid !== undefined && (oid.startsWith(PKCS12_PBE_PREFIX) || PBES1.has(oid))) {
    const count = children(params)[1];
    if (count) check(integerValue(count), what);
  }
}

function check(iterations: number, what: string): void {
  if (iterations <= MAX_PKCS12_ITERATIONS) return;
  const asked = Number.isFinite(iterations) ? iterations.toLocaleString('en-US') : 'more than a trillion';
  throw new KeyringError(
    'invalid-argument',
    `This PKCS#12 file asks for ${asked} rounds of password hashing for ${what}; the app opens files that ask for at most ${MAX_PKCS12_ITERATIONS.toLocaleString('en-US')} (programs that export keys use a few thousand).`,
  );
}

function children(node: Asn1 | undefined): Asn1[] {
  return node !== undefined && Array.isArray(node.value) ? node.value : [];
}

/** The element inside a `[0] EXPLICIT` that is the second member of `node`. */
function explicitContent(node: Asn1 | undefined): Asn1 | undefined {
  return children(children(node)[1])[0];
}

function oidOf(node: Asn1 | undefined): string | undefined {
  if (node?.tagClass !== forge.asn1.Class.UNIVERSAL || node.type !== forge.asn1.Type.OID || typeof node.value !== 'string') return undefined;
  return forge.asn1.derToOid(node.value);
}

/** An OCTET STRING's bytes, joining the chunks of a BER constructed one (as PKCS#7 Data may be). */
function octets(node: Asn1 | undefined): string {
  if (node === undefined) return '';
  if (typeof node.value === 'string') return node.value;
  return node.value.map((chunk) => (typeof chunk.value === 'string' ? chunk.value : '')).join('');
}

/** An unsigned INTEGER's value; Infinity beyond 2^48, which is over any limit anyway. */
function integerValue(node: Asn1): number {
  const bytes = typeof node.value === 'string' ? node.value.replace(/^\0+/, '') : '';
  if (bytes.length > 6) return Infinity;
  let value = 0;
  for (let i = 0; i < bytes.length; i++) value = value * 256 + bytes.charCodeAt(i);
  return value;
}

/** Parses BER the way forge's reader will; anything unreadable is left for that reader to report. */
function parseQuietly(binary: string): Asn1 | undefined {
  if (binary.length === 0) return undefined;
  try {
    return forge.asn1.fromDer(binary, false);
  } catch {
    return undefined;
  }
}
