import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint, isFingerprint, sameFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { groupFingerprint } from '../../../contract/format.js';
import { openssl, Scratch } from './openssl.js';

let scratch: Scratch;
let der: Buffer;

beforeAll(async () => {
  scratch = await Scratch.create();
  const { privateKey } = await generateRsaKeyPair(2048);
  der = await createSelfSignedCertificate({ bareJid: 'juliet@capulet.lit', privateKey });
}, 30_000);

afterAll(() => scratch.remove());

describe('the certificate fingerprint (the PEP item id)', () => {
  it('is the SHA-256 of the DER certificate in 64 lowercase hex digits, as openssl computes it', async () => {
    const path = await scratch.write('cert.der', der);
    const out = await openssl(['x509', '-inform', 'DER', '-in', path, '-noout', '-fingerprint', '-sha256']);
    const fromOpenssl = out.trim().split('=')[1]?.replace(/:/g, '').toLowerCase();
    expect(certificateFingerprint(der)).toBe(fromOpenssl);
    expect(certificateFingerprint(der)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any byte of the certificate', () => {
    const changed = Buffer.from(der);
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 1;
    expect(certificateFingerprint(changed)).not.toBe(certificateFingerprint(der));
  });

  it('compares case-insensitively, and only well-formed fingerprints', () => {
    const hex = certificateFingerprint(der);
    expect(isFingerprint(hex)).toBe(true);
    expect(isFingerprint(hex.toUpperCase())).toBe(true);
    expect(sameFingerprint(hex, hex.toUpperCase())).toBe(true);
    expect(isFingerprint(hex.slice(1))).toBe(false);
    expect(isFingerprint(`${hex.slice(1)}g`)).toBe(false);
    expect(sameFingerprint('', '')).toBe(false);
  });
});

describe('grouping a fingerprint for reading', () => {
  it('splits into blocks of four separated by single spaces', () => {
    const hex = '0123456789abcdef'.repeat(4);
    const grouped = groupFingerprint(hex);
    expect(grouped.split(' ')).toHaveLength(16);
    expect(grouped.startsWith('0123 4567 89ab cdef 0123')).toBe(true);
    expect(grouped.replace(/ /g, '')).toBe(hex);
  });

  it('lowercases and drops colons and whitespace it is given', () => {
    expect(groupFingerprint('AB:CD:EF:01:23')).toBe('abcd ef01 23');
    expect(groupFingerprint(' ab cd\nef ')).toBe('abcd ef');
    expect(groupFingerprint('')).toBe('');
  });
});
