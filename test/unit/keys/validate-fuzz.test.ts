/**
 * checkPublishedCertificate gets bytes from the network. Thousands of damaged certificates and random
 * strings, reproducible from a fixed seed: every call must return one of the statuses, none may throw,
 * and none but the untouched certificate may be valid under its item id.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../main/keys/generate.js';
import { checkPublishedCertificate, type CertificateStatus } from '../../../main/keys/validate.js';
import { MalformedCertificateError, readCertificateIdentities, xmppAddrSubjectAltName } from '../../../main/keys/xmpp-addr.js';
import { prng } from '../../support/prng.js';
import { signedCertificate, splitCertificate } from './der-surgery.js';

const JULIET = 'juliet@capulet.lit';
const STATUSES: readonly CertificateStatus[] = ['valid', 'weak', 'expired', 'not-yet-valid', 'jid-mismatch', 'fingerprint-mismatch', 'malformed'];
const SEED = 0x6b657973;

type Mutation = (input: Buffer) => Buffer;

function mutations(r: ReturnType<typeof prng>): Mutation[] {
  return [
    (b) => { // flip 1–8 random bits
      const out = Buffer.from(b);
      for (let i = 0, n = 1 + r.int(8); i < n; i++) {
        const at = r.int(out.length);
        out[at] = (out[at] ?? 0) ^ (1 << r.int(8));
      }
      return out;
    },
    (b) => { // overwrite one byte, favouring the first 64 bytes where the lengths and tags are
      const out = Buffer.from(b);
      out[r.int(2) === 0 ? r.int(Math.min(64, out.length)) : r.int(out.length)] = r.int(256);
      return out;
    },
    (b) => b.subarray(0, r.int(b.length)), // truncate
    (b) => { // insert 1–16 random bytes
      const at = r.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), r.bytes(1 + r.int(16)), b.subarray(at)]);
    },
    (b) => { // delete a run of 1–32 bytes
      const at = r.int(b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + r.int(32))]);
    },
    (b) => { // duplicate a slice
      const at = r.int(b.length);
      const len = 1 + r.int(64);
      return Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
    },
  ];
}

let keys: RsaKeyPair;
let good: Buffer;
let goodId: string;

beforeAll(async () => {
  keys = await generateRsaKeyPair(2048);
  good = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey });
  goodId = certificateFingerprint(good);
}, 30_000);

function expectAnswer(der: Buffer, itemId: string): CertificateStatus {
  let result;
  expect(() => {
    result = checkPublishedCertificate({ der, publisherJid: JULIET, itemId });
  }).not.toThrow();
  const { status, reason } = result as unknown as { status: CertificateStatus; reason: unknown };
  expect(STATUSES).toContain(status);
  expect(typeof reason).toBe('string');
  return status;
}

describe('checking hostile certificates never throws', () => {
  it('answers 4000 byte-level mutations of a valid certificate, none of them valid under its item id', () => {
    const r = prng(SEED);
    const mutate = mutations(r);
    const seen = new Map<CertificateStatus, number>();
    let runs = 0;
    for (let i = 0; i < 4000; i++) {
      let bytes = good;
      for (let k = 0, n = 1 + r.int(3); k < n; k++) bytes = (mutate[r.int(mutate.length)] ?? ((b: Buffer) => b))(bytes);
      if (bytes.equals(good)) continue;
      runs++;
      // Under the original id the answer must never be 'valid'; under its own id it goes deeper.
      expect(expectAnswer(bytes, goodId)).not.toBe('valid');
      const status = expectAnswer(bytes, certificateFingerprint(bytes));
      seen.set(status, (seen.get(status) ?? 0) + 1);
    }
    expect(runs).toBeGreaterThanOrEqual(3900);
    expect(seen.get('malformed')).toBeGreaterThan(0);
  });

  it('answers 1000 random byte strings, half of them starting like a DER SEQUENCE', () => {
    const r = prng(SEED + 1);
    for (let i = 0; i < 1000; i++) {
      const bytes = r.bytes(r.int(i < 900 ? 2048 : 70_000));
      if (i % 2 === 0 && bytes.length > 0) bytes[0] = 0x30;
      expect(expectAnswer(bytes, certificateFingerprint(bytes))).toBe('malformed');
    }
  });

  it('answers deeply nested and indefinite-length structures', () => {
    for (const depth of [10, 100, 1000, 20_000]) {
      const nested = Buffer.concat([Buffer.alloc(depth * 2, 0), Buffer.alloc(0)]);
      for (let i = 0; i < depth; i++) nested.writeUInt16BE(0x3080, i * 2); // SEQUENCE, indefinite length
      expect(expectAnswer(nested, 'x')).toBe('malformed');
    }
  });

  it('answers 600 certificates whose signed subjectAltName bytes were damaged, and only the SAN walker sees them', () => {
    // These pass OpenSSL's parse and the signature check (they are re-signed), so the hand-written
    // subjectAltName walk gets the hostile bytes: it must report them as malformed, not crash.
    const r = prng(SEED + 2);
    const { tbs, signatureAlgorithm } = splitCertificate(good);
    const san = Buffer.from(xmppAddrSubjectAltName(JULIET), 'binary');
    const sanAt = tbs.indexOf(san);
    expect(sanAt).toBeGreaterThan(0);
    const seen = new Map<CertificateStatus, number>();
    for (let i = 0; i < 600; i++) {
      const damaged = Buffer.from(tbs);
      for (let k = 0, n = 1 + r.int(4); k < n; k++) {
        const at = sanAt + r.int(san.length);
        damaged[at] = r.int(2) === 0 ? (damaged[at] ?? 0) ^ (1 << r.int(8)) : r.int(256);
      }
      const cert = signedCertificate(damaged, signatureAlgorithm, keys.privateKey);
      const status = expectAnswer(cert, certificateFingerprint(cert));
      seen.set(status, (seen.get(status) ?? 0) + 1);
      try {
        readCertificateIdentities(cert);
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedCertificateError);
      }
    }
    // Some damage stays well-formed (a changed letter in the JID), most does not.
    expect(seen.get('malformed') ?? 0).toBeGreaterThan(0);
    expect((seen.get('jid-mismatch') ?? 0) + (seen.get('valid') ?? 0)).toBeGreaterThan(0);
  });
});
