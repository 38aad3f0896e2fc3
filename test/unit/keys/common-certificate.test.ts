/**
 * The quick path (main/keys/common-certificate.ts) opens the common certificate from forge's tree
 * instead of OpenSSL's X.509 decoder. It must answer exactly as OpenSSL's path does
 * (checkWithOpenSslOnly): for the certificates the app and openssl make, and for thousands of damaged
 * ones, including damage signed again so that it passes the signature and reaches every structural
 * check. A malformed certificate may get another reason, never another status.
 */
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { commonRsaKeyInfo, openCommonCertificate } from '../../../main/keys/common-certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../main/keys/generate.js';
import { publicKeyDigest } from '../../../main/keys/signed-statement.js';
import { checkPublishedCertificate, checkWithOpenSslOnly, type CertificateCheck, type CertificateStatus } from '../../../main/keys/validate.js';
import { parseCertificateDer } from '../../../main/keys/xmpp-addr.js';
import { prng } from '../../support/prng.js';
import { contentOf, elements, signedCertificate, splitCertificate, tlv, withLongFormLength } from './der-surgery.js';
import { opensslCertificate, Scratch } from './openssl.js';

const JULIET = 'juliet@capulet.lit';
const DAY_MS = 86_400_000;
const SEED = 0x71756963;

let keys: RsaKeyPair;
let ours: Buffer;
let theirs: { der: Buffer; privateKey: KeyObject };

beforeAll(async () => {
  keys = await generateRsaKeyPair(2048);
  ours = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey, notBefore: new Date(Date.now() - DAY_MS) });
  const scratch = await Scratch.create();
  try {
    const made = await opensslCertificate(scratch, 'theirs', {
      subject: `/CN=${JULIET}`,
      extensions: [`subjectAltName=otherName:1.3.6.1.5.5.7.8.5;UTF8:${JULIET}`],
    });
    theirs = { der: made.der, privateKey: createPrivateKey(made.keyPem) };
  } finally {
    await scratch.remove();
  }
}, 60_000);

const input = (der: Buffer, now = new Date()) => ({ der, publisherJid: JULIET, itemId: certificateFingerprint(der), now });

/** Both paths' answers; the same status always, and the same answer unless malformed. */
function expectSameAnswer(der: Buffer, now?: Date): { quick: CertificateCheck; opened: boolean } {
  const quick = checkPublishedCertificate(input(der, now));
  const reference = checkWithOpenSslOnly(input(der, now));
  if (reference.status === 'malformed') expect(quick.status).toBe('malformed');
  else expect(quick).toEqual(reference);
  let opened = false;
  try {
    opened = openCommonCertificate(der, parseCertificateDer(der)) !== undefined;
  } catch {
    // forge refused it: OpenSSL's path answered
  }
  expectSameKeyDigest(der);
  return { quick, opened };
}

/** The key's digest read from the bytes is the one OpenSSL's export gives, wherever OpenSSL reads one. */
function expectSameKeyDigest(der: Buffer): void {
  let exported: string | undefined;
  try {
    exported = createHash('sha256').update(new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  } catch {
    exported = undefined;
  }
  if (exported !== undefined) expect(publicKeyDigest(der)).toBe(exported);
}

describe('the quick path', () => {
  it('opens the app’s and openssl’s certificates, and answers exactly as OpenSSL’s path does', () => {
    for (const der of [ours, theirs.der]) {
      const opened = openCommonCertificate(der, parseCertificateDer(der));
      expect(opened?.selfSigned).toBe(true);
      expect(opened?.key.asymmetricKeyDetails?.modulusLength).toBe(2048);
      const { quick } = expectSameAnswer(der);
      expect(quick.status).toBe('valid');
      // Either end of the validity period, and outside it.
      const notBefore = Date.parse(quick.notBefore ?? '');
      const notAfter = Date.parse(quick.notAfter ?? '');
      for (const at of [notBefore - 1000, notBefore, notAfter, notAfter + 1000]) expectSameAnswer(der, new Date(at));
    }
  });

  it('reads GeneralizedTime (years from 2050, RFC 5280 §4.1.2.5) as OpenSSL does', async () => {
    const der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey, notBefore: new Date('2049-12-31T12:00:00Z'), validityDays: 2 });
    expect(openCommonCertificate(der, parseCertificateDer(der))?.notAfterMs).toBe(Date.parse('2050-01-02T12:00:00Z'));
    expect(expectSameAnswer(der, new Date('2050-01-01T00:00:00Z')).quick.status).toBe('valid');
  });

  it('leaves other shapes to OpenSSL: a SHA-1 signature, an EC key', async () => {
    const scratch = await Scratch.create();
    try {
      for (const options of [{ digest: 'sha1' }, { keyAlgorithm: 'ec' }]) {
        const { der } = await opensslCertificate(scratch, options.digest ?? options.keyAlgorithm, { subject: `/CN=${JULIET}`, ...options });
        expect(openCommonCertificate(der, parseCertificateDer(der))).toBeUndefined();
        expect(['weak', 'malformed']).toContain(expectSameAnswer(der).quick.status);
      }
    } finally {
      await scratch.remove();
    }
  }, 30_000);

  it('answers as OpenSSL’s path for 1000 damaged certificates signed again, of both makers', () => {
    const r = prng(SEED);
    const seen = new Map<CertificateStatus, number>();
    let opened = 0;
    for (let i = 0; i < 1000; i++) {
      const original = i % 2 === 0 ? ours : theirs.der;
      const privateKey = i % 2 === 0 ? keys.privateKey : theirs.privateKey;
      const { tbs, signatureAlgorithm } = splitCertificate(original);
      const damaged = Buffer.from(tbs);
      for (let k = 0, n = 1 + r.int(3); k < n; k++) {
        // Half the damage in the first 160 bytes: version, serial, algorithm, issuer, validity.
        const at = r.int(2) === 0 ? r.int(Math.min(160, damaged.length)) : r.int(damaged.length);
        damaged[at] = r.int(2) === 0 ? (damaged[at] ?? 0) ^ (1 << r.int(8)) : r.int(256);
      }
      const result = expectSameAnswer(signedCertificate(damaged, signatureAlgorithm, privateKey));
      seen.set(result.quick.status, (seen.get(result.quick.status) ?? 0) + 1);
      if (result.opened) opened++;
    }
    // The damage reaches past the parse: some still open quickly and are judged on their names or dates.
    expect(opened).toBeGreaterThan(60);
    expect(seen.get('malformed')).toBeGreaterThan(60);
    expect((seen.get('valid') ?? 0) + (seen.get('jid-mismatch') ?? 0) + (seen.get('expired') ?? 0) + (seen.get('not-yet-valid') ?? 0)).toBeGreaterThan(60);
  }, 60_000);

  it('reads the key’s digest from the bytes only in the common RSA shape, and then as OpenSSL exports it', async () => {
    for (const der of [ours, theirs.der]) {
      expect(commonRsaKeyInfo(parseCertificateDer(der))).toBeDefined();
      expectSameKeyDigest(der);
    }
    // Other sizes and exponents: the same bytes as OpenSSL's export.
    const scratch = await Scratch.create();
    try {
      const makes = [
        { name: 'rsa3072', keyAlgorithm: 'rsa:3072', common: true },
        { name: 'rsa1024e3', keyAlgorithm: 'rsa:1024', keyOptions: ['rsa_keygen_pubexp:3'], common: true },
        // An EC key and an RSASSA-PSS key are not the common shape: OpenSSL reads their digest.
        { name: 'ec', keyAlgorithm: 'ec', common: false },
        { name: 'pss', keyAlgorithm: 'rsa-pss', keyOptions: ['rsa_keygen_bits:2048'], common: false },
      ];
      for (const { name, common, ...options } of makes) {
        const { der } = await opensslCertificate(scratch, name, { subject: `/CN=${JULIET}`, ...options });
        expect(commonRsaKeyInfo(parseCertificateDer(der)) !== undefined, name).toBe(common);
        expect(publicKeyDigest(der)).toMatch(/^[0-9a-f]{64}$/);
        expectSameKeyDigest(der);
      }
    } finally {
      await scratch.remove();
    }
    // A modulus not in DER inside the BIT STRING (a redundant 0x00): not the common shape.
    const { tbs, signatureAlgorithm } = splitCertificate(ours);
    const fields = elements(contentOf(tbs));
    const [algorithm, bits] = elements(contentOf(fields[6] as Buffer)) as [Buffer, Buffer];
    const [n, e] = elements(contentOf(elements(contentOf(bits).subarray(1))[0] as Buffer)) as [Buffer, Buffer];
    const padded = tlv(0x02, Buffer.concat([Buffer.from([0]), contentOf(n)]));
    const info = tlv(0x30, Buffer.concat([algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), tlv(0x30, Buffer.concat([padded, e]))]))]));
    const changed = signedCertificate(tlv(0x30, Buffer.concat(fields.map((f, i) => (i === 6 ? info : f)))), signatureAlgorithm, keys.privateKey);
    expect(commonRsaKeyInfo(parseCertificateDer(changed))).toBeUndefined();
    expectSameKeyDigest(changed);
  }, 60_000);

  it('calls a certificate malformed on both paths when a signed field’s length is in long form where DER wants the short one', () => {
    // OpenSSL tolerates this BER leniency; the strict DER reader (der.ts) that reads the names does not.
    const { tbs, signatureAlgorithm } = splitCertificate(ours);
    const fields = elements(contentOf(tbs));
    for (let k = 0; k < fields.length; k++) {
      for (const octets of [1, 2]) {
        const field = fields[k] as Buffer;
        if (contentOf(field).length >= 256 ** octets) continue;
        const changed = tlv(0x30, Buffer.concat(fields.map((f, i) => (i === k ? withLongFormLength(f, octets) : f))));
        const { quick } = expectSameAnswer(signedCertificate(changed, signatureAlgorithm, keys.privateKey));
        // Where the long form is the field's DER length already (128 or more in one octet), nothing changed.
        expect(quick.status).toBe(changed.equals(tbs) ? 'valid' : 'malformed');
      }
    }
  });

  it('refuses the same signed bytes wrapped another way: no new fingerprint without the private key', () => {
    // The signature covers the tbsCertificate only; the wrapper around it (the outer SEQUENCE, the
    // algorithm, the BIT STRING) in long-form or indefinite lengths would give the same key and
    // signature another fingerprint, past a revocation or a retraction that names the old one.
    for (const original of [ours, theirs.der]) {
      const [tbs, algorithm, signature] = elements(contentOf(original)) as [Buffer, Buffer, Buffer];
      const [oid, parameters] = elements(contentOf(algorithm)) as [Buffer, Buffer];
      const indefinite = (element: Buffer) => Buffer.concat([element.subarray(0, 1), Buffer.from([0x80]), contentOf(element), Buffer.from([0, 0])]);
      const wrappings = [
        withLongFormLength(tlv(0x30, Buffer.concat([tbs, algorithm, signature])), 3),
        tlv(0x30, Buffer.concat([tbs, withLongFormLength(algorithm, 1), signature])),
        tlv(0x30, Buffer.concat([tbs, indefinite(algorithm), signature])),
        tlv(0x30, Buffer.concat([tbs, tlv(0x30, Buffer.concat([withLongFormLength(oid, 2), parameters])), signature])),
        tlv(0x30, Buffer.concat([tbs, algorithm, withLongFormLength(signature, 3)])),
      ];
      for (const wrapped of wrappings) {
        expect(certificateFingerprint(wrapped)).not.toBe(certificateFingerprint(original));
        const { quick, opened } = expectSameAnswer(wrapped);
        expect(opened).toBe(false);
        expect(quick.status).toBe('malformed');
      }
      // The DER as it was still opens on the quick path.
      expect(expectSameAnswer(original).opened).toBe(true);
    }
  });

  it('answers as OpenSSL’s path for 1000 damaged certificates not signed again', () => {
    const r = prng(SEED + 1);
    for (let i = 0; i < 1000; i++) {
      const damaged = Buffer.from(i % 2 === 0 ? ours : theirs.der);
      for (let k = 0, n = 1 + r.int(3); k < n; k++) {
        const at = r.int(damaged.length);
        damaged[at] = (damaged[at] ?? 0) ^ (1 << r.int(8));
      }
      expectSameAnswer(damaged);
    }
  }, 60_000);
});
