/**
 * The account's self-signed X.509 v3 certificate (RFC 5280), which carries its public key on the PEP node.
 *
 * forge builds the structure; Node signs it. forge's JavaScript RSA signature would block the event
 * loop for ~300 ms at 4096 bits, while `crypto.sign` with a callback runs on libuv's thread pool. The
 * synchronous part left here (DER encoding) takes a few milliseconds.
 */
import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { KeyringError } from '../errors.js';
import { CERTIFICATE_BACKDATE_MS } from './clock-tolerance.js';
import { asn1ToBuffer, bytesToBinary, getTBSCertificate } from './forge-typed.js';
import { isBareJid, xmppAddrSubjectAltName } from './xmpp-addr.js';

/** Two years: long enough not to nag, short enough that a forgotten key expires. */
export const DEFAULT_VALIDITY_DAYS = 730;
const MAX_VALIDITY_DAYS = 36_525;
const DAY_MS = 86_400_000;
/** RFC 4055 §5 / RFC 8017 Appendix A.2.4: sha256WithRSAEncryption. */
const SHA256_WITH_RSA_ENCRYPTION = '1.2.840.113549.1.1.11';

export interface CertificateRequest {
  /** The account's bare JID (RFC 7622), bound as subject CN and as xmppAddr. */
  bareJid: string;
  /** Private key material: never log it. The public key is derived from it. */
  privateKey: KeyObject;
  /**
   * Whole days of validity; default 730. Counted from now (the certificate's notBefore is then
   * CERTIFICATE_BACKDATE_MS earlier), or from notBefore when one is given.
   */
  validityDays?: number;
  /**
   * An exact start of validity (tests, dates chosen on purpose); the lifetime then counts from it.
   * Default: now less CERTIFICATE_BACKDATE_MS (clock-tolerance.ts). X.509 times have one-second
   * precision, so milliseconds are dropped.
   */
  notBefore?: Date;
}

/** Returns the certificate as DER. */
export async function createSelfSignedCertificate(request: CertificateRequest): Promise<Buffer> {
  const { bareJid, privateKey, validityDays = DEFAULT_VALIDITY_DAYS } = request;
  if (!isBareJid(bareJid)) {
    throw new KeyringError('invalid-argument', 'A certificate needs the account’s bare JID, like name@example.org.', 'jid');
  }
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new KeyringError('invalid-argument', 'Only RSA private keys can sign the account certificate.', 'privateKey');
  }
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS) {
    throw new KeyringError('invalid-argument', 'The validity must be a whole number of days, at least one.', 'validityDays');
  }
  // The lifetime counts from here: now, or the start the caller gave.
  const start = request.notBefore ?? new Date();
  if (Number.isNaN(start.getTime())) {
    throw new KeyringError('invalid-argument', 'The start of validity is not a date.', 'notBefore');
  }
  const from = Math.floor(start.getTime() / 1000) * 1000;
  // Made now: valid from a little earlier, for readers whose clocks run behind ours (clock-tolerance.ts).
  const notBefore = new Date(request.notBefore ? from : from - CERTIFICATE_BACKDATE_MS);
  const notAfter = new Date(from + validityDays * DAY_MS);

  const cert = forge.pki.createCertificate();
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  cert.publicKey = forge.pki.publicKeyFromAsn1(forge.asn1.fromDer(bytesToBinary(spki)));
  cert.serialNumber = randomSerialNumber();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  // Self-signed: issuer = subject. RFC 5280 §4.1.2.6 prefers UTF8String, and '@' is not even a
  // PrintableString character. (@types/node-forge types valueTagClass as a Class; forge wants a Type.)
  const name = (): forge.pki.CertificateField[] => [
    { name: 'commonName', value: bareJid, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
  ];
  cert.setSubject(name());
  cert.setIssuer(name());
  cert.setExtensions([
    // RFC 5280 §4.2.1.9: an end-entity certificate; critical so no one can mistake it for a CA.
    { name: 'basicConstraints', critical: true, cA: false },
    // RFC 5280 §4.2.1.3: signing and key transport (RSA encryption of a content key), nothing else.
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    // RFC 6120 §13.7.1.4 / XEP-0178: the JID as id-on-xmppAddr. forge's _fillMissingExtensionFields
    // returns an extension that already has a `value` untouched, so the hand-built DER goes in as is.
    // Non-critical: RFC 5280 §4.2.1.6 requires critical only when the subject is empty.
    { name: 'subjectAltName', value: xmppAddrSubjectAltName(bareJid) },
    // RFC 5280 §4.2.1.2: SHOULD be present; forge derives it from cert.publicKey (SHA-1 of the key).
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.siginfo.algorithmOid = SHA256_WITH_RSA_ENCRYPTION;
  cert.signatureOid = SHA256_WITH_RSA_ENCRYPTION;

  const tbs = getTBSCertificate(cert);
  const signature = await signSha256(asn1ToBuffer(tbs), privateKey);
  // certificateToAsn1 reuses the cached tbsCertificate, so the signed bytes are exactly the ones encoded.
  cert.tbsCertificate = tbs;
  cert.signature = bytesToBinary(signature);
  return asn1ToBuffer(forge.pki.certificateToAsn1(cert));
}

/** RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2), on the thread pool. */
function signSha256(data: Buffer, privateKey: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Private key material passes here: never log it.
    sign('sha256', data, privateKey, (error, signature) => (error ? reject(error) : resolve(signature)));
  });
}

/**
 * RFC 5280 §4.1.2.2: a positive INTEGER of at most 20 octets. 16 random bytes, top bit cleared (positive)
 * and the next set (so the first byte is never 0x00 and the DER stays minimal): 126 random bits.
 */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}
