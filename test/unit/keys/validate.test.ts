import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import forge from 'node-forge';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { CLOCK_DISAGREEMENT_TOLERANCE_MS } from '../../../main/keys/clock-tolerance.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../main/keys/generate.js';
import { checkPublishedCertificate, MAX_PUBLISHED_CERTIFICATE_BYTES } from '../../../main/keys/validate.js';
import { findWeaknesses } from '../../../main/keys/weakness.js';
import { opensslCertificate, Scratch } from './openssl.js';

const JULIET = 'juliet@capulet.lit';
const DAY_MS = 86_400_000;
const XMPP_ADDR = (jid: string): string => `subjectAltName=otherName:1.3.6.1.5.5.7.8.5;UTF8:${jid}`;
const END_ENTITY = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment'];

let scratch: Scratch;
let keys: RsaKeyPair;
let good: Buffer;
const now = new Date();

/**
 * Checks `der` as published by juliet under its own fingerprint unless told otherwise. Certificates
 * made by openssl start at their creation, after `now`: those checks pass a fresh `now`.
 */
const check = (der: Buffer, options: { publisherJid?: string; itemId?: string; now?: Date } = {}) =>
  checkPublishedCertificate({
    der,
    publisherJid: options.publisherJid ?? JULIET,
    itemId: options.itemId ?? certificateFingerprint(der),
    now: options.now ?? now,
  });

const certificate = (options: { bareJid?: string; notBefore?: Date; validityDays?: number } = {}): Promise<Buffer> =>
  createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey, ...options });

beforeAll(async () => {
  scratch = await Scratch.create();
  keys = await generateRsaKeyPair(2048);
  good = await certificate({ notBefore: new Date(now.getTime() - DAY_MS) });
}, 30_000);

afterAll(() => scratch.remove());

describe('a valid published certificate', () => {
  it('is valid, with its fingerprint, validity, bound JID and key size', () => {
    const result = check(good);
    expect(result).toEqual({
      status: 'valid',
      reason: expect.any(String) as string,
      fingerprint: certificateFingerprint(good),
      notBefore: new Date(Math.floor((now.getTime() - DAY_MS) / 1000) * 1000).toISOString(),
      notAfter: new Date(Math.floor((now.getTime() - DAY_MS) / 1000) * 1000 + 730 * DAY_MS).toISOString(),
      jid: JULIET,
      bits: 2048,
    });
  });

  it('matches the item id and the publisher JID case-insensitively, ignoring a resource', () => {
    expect(check(good, { itemId: certificateFingerprint(good).toUpperCase() }).status).toBe('valid');
    expect(check(good, { publisherJid: 'Juliet@Capulet.LIT' }).status).toBe('valid');
    expect(check(good, { publisherJid: 'juliet@capulet.lit/balcony' }).status).toBe('valid');
  });

  it('counts both ends of the validity period as valid (RFC 5280 §4.1.2.5)', () => {
    const { notBefore = '', notAfter = '' } = check(good);
    expect(check(good, { now: new Date(notBefore) }).status).toBe('valid');
    expect(check(good, { now: new Date(notAfter) }).status).toBe('valid');
    expect(check(good, { now: new Date(Date.parse(notBefore) - CLOCK_DISAGREEMENT_TOLERANCE_MS - 1000) }).status).toBe('not-yet-valid');
    expect(check(good, { now: new Date(Date.parse(notAfter) + 1000) }).status).toBe('expired');
  });

  it('a key its owner just made is valid on a machine whose clock is behind theirs', () => {
    const { notBefore = '', notAfter = '' } = check(good);
    const start = Date.parse(notBefore);
    // Seconds behind (no time sync), and a time zone behind (a clock kept in local time, not UTC).
    for (const behindMs of [1_000, 2 * 60_000, 14 * 3600_000]) {
      expect(check(good, { now: new Date(start - behindMs) }).status).toBe('valid');
    }
    // More than a day ahead of us is a certificate for later, as its owner dated it.
    expect(check(good, { now: new Date(start - 25 * 3600_000) })).toMatchObject({ status: 'not-yet-valid', reason: `The certificate is valid only from ${notBefore}.` });
    // The end is the owner's word: never stretched.
    expect(check(good, { now: new Date(Date.parse(notAfter) + 1) }).status).toBe('expired');
  });

  it('reads an xmppAddr written by openssl, not only our own', async () => {
    const made = await opensslCertificate(scratch, 'openssl-xmpp', { subject: '/CN=someone else', extensions: [XMPP_ADDR(JULIET), ...END_ENTITY] });
    expect(check(made.der, { now: new Date() })).toMatchObject({ status: 'valid', jid: JULIET });
  });

  it('falls back to the subject CN when there is no xmppAddr', async () => {
    const cnOnly = await opensslCertificate(scratch, 'cn-only', { subject: `/CN=${JULIET}`, extensions: END_ENTITY });
    expect(check(cnOnly.der, { now: new Date() })).toMatchObject({ status: 'valid', jid: JULIET, bits: 2048 });
    expect(check(cnOnly.der, { publisherJid: 'romeo@montague.lit', now: new Date() })).toMatchObject({ status: 'jid-mismatch', jid: JULIET });
  });
});

describe('an invalid published certificate', () => {
  it('is expired after its notAfter', async () => {
    const old = await certificate({ notBefore: new Date(now.getTime() - 10 * DAY_MS), validityDays: 1 });
    expect(check(old)).toMatchObject({ status: 'expired', jid: JULIET, reason: expect.stringMatching(/expired/) as string });
  });

  it('is not yet valid before its notBefore', async () => {
    const future = await certificate({ notBefore: new Date(now.getTime() + 10 * DAY_MS) });
    expect(check(future)).toMatchObject({ status: 'not-yet-valid', reason: expect.stringMatching(/valid only from/) as string });
  });

  it('is a JID mismatch when it binds another account', async () => {
    const romeos = await certificate({ bareJid: 'romeo@montague.lit' });
    expect(check(romeos)).toMatchObject({ status: 'jid-mismatch', jid: 'romeo@montague.lit' });
  });

  it('trusts the xmppAddr over a matching CN', async () => {
    const made = await opensslCertificate(scratch, 'san-wins', { subject: `/CN=${JULIET}`, extensions: [XMPP_ADDR('romeo@montague.lit'), ...END_ENTITY] });
    expect(check(made.der, { now: new Date() })).toMatchObject({ status: 'jid-mismatch', jid: 'romeo@montague.lit' });
  });

  it('does not accept a full JID as the binding', async () => {
    const made = await opensslCertificate(scratch, 'full-jid', { subject: '/CN=x', extensions: [XMPP_ADDR(`${JULIET}/balcony`), ...END_ENTITY] });
    expect(check(made.der, { now: new Date() }).status).toBe('jid-mismatch');
  });

  it('is a JID mismatch when it names no JID at all', async () => {
    const anonymous = await opensslCertificate(scratch, 'no-names', { subject: '/O=Capulet', extensions: END_ENTITY });
    expect(check(anonymous.der, { now: new Date() })).toMatchObject({ status: 'jid-mismatch', reason: 'The certificate names no JID.' });
  });

  it('shows a hostile name without its bidi and control characters', async () => {
    const spoof = await certificate({ bareJid: 'romeo@evil\u202etil.telupac' });
    const result = check(spoof);
    expect(result.status).toBe('jid-mismatch');
    expect(result.jid).toBe('romeo@evil\ufffdtil.telupac');
    expect(result.reason).not.toMatch(/\u202e/);
  });

  it('is a fingerprint mismatch when the item id is another hash or not a hash', () => {
    for (const itemId of ['0'.repeat(64), certificateFingerprint(good).slice(2), 'current', '']) {
      expect(check(good, { itemId })).toMatchObject({ status: 'fingerprint-mismatch', fingerprint: certificateFingerprint(good) });
    }
  });

  it('is malformed with an EC key', async () => {
    const ec = await opensslCertificate(scratch, 'ec', { subject: `/CN=${JULIET}`, keyAlgorithm: 'ec', extensions: [XMPP_ADDR(JULIET)] });
    expect(check(ec.der)).toMatchObject({ status: 'malformed', reason: 'Only RSA keys are accepted, not EC.' });
  });

  it('is malformed when the self-signature does not verify', () => {
    const forged = Buffer.from(good);
    forged[forged.length - 10] = (forged[forged.length - 10] ?? 0) ^ 0x01; // inside the signature value
    expect(check(forged)).toMatchObject({ status: 'malformed', reason: expect.stringMatching(/self-signature/) as string });
  });

  it('is malformed for garbage, nothing, PEM text, trailing bytes, or more than 64 KiB', () => {
    const pem = `-----BEGIN CERTIFICATE-----\n${good.toString('base64')}\n-----END CERTIFICATE-----\n`;
    const inputs = [
      Buffer.from('not a certificate'),
      Buffer.alloc(0),
      Buffer.from(pem),
      Buffer.concat([good, Buffer.from([0])]),
      Buffer.concat([good, good]),
      good.subarray(0, good.length - 1),
      Buffer.alloc(MAX_PUBLISHED_CERTIFICATE_BYTES + 1, 0x30),
      'a string' as unknown as Buffer,
    ];
    for (const der of inputs) expect(check(der).status).toBe('malformed');
  });
});

describe('which failure wins when several apply', () => {
  it('puts malformed before a wrong item id', () => {
    expect(check(Buffer.from('junk'), { itemId: 'nope' }).status).toBe('malformed');
  });

  it('puts a wrong item id before a JID mismatch and expiry', async () => {
    const expiredRomeo = await certificate({ bareJid: 'romeo@montague.lit', notBefore: new Date(now.getTime() - 10 * DAY_MS), validityDays: 1 });
    expect(check(expiredRomeo, { itemId: '0'.repeat(64) }).status).toBe('fingerprint-mismatch');
    expect(check(expiredRomeo).status).toBe('jid-mismatch');
    expect(check(expiredRomeo, { publisherJid: 'romeo@montague.lit' }).status).toBe('expired');
  });

  it('still answers when the arguments themselves are wrong', () => {
    expect(check(good, { now: new Date(Number.NaN) }).status).toBe('valid');
    expect(checkPublishedCertificate({ der: good, publisherJid: 42 as unknown as string, itemId: certificateFingerprint(good) }).status).toBe('jid-mismatch');
    expect(checkPublishedCertificate(null as unknown as Parameters<typeof checkPublishedCertificate>[0]).status).toBe('malformed');
  });
});

/** A self-signed certificate for juliet made by node-forge, for keys openssl will not make (e = 1). */
function forgeCertificate(options: { bits: number; e: number; digest?: 'sha256' | 'sha1' | 'md5' }): Buffer {
  const pair = forge.pki.rsa.generateKeyPair({ bits: options.bits, e: options.e });
  const cert = forge.pki.createCertificate();
  cert.publicKey = pair.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + 30 * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: JULIET }]);
  cert.setIssuer([{ name: 'commonName', value: JULIET }]);
  cert.sign(pair.privateKey, forge.md[options.digest ?? 'sha256'].create());
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

describe('a weak published certificate is a warning, never valid', () => {
  it('a 512-bit RSA key signed with MD5 is weak, naming both rules and the key size', async () => {
    const made = await opensslCertificate(scratch, 'rsa512-md5', {
      subject: `/CN=${JULIET}`, keyAlgorithm: 'rsa:512', digest: 'md5', extensions: [XMPP_ADDR(JULIET), ...END_ENTITY],
    });
    const result = check(made.der, { now: new Date() });
    expect(result).toMatchObject({ status: 'weak', bits: 512, jid: JULIET });
    expect(result.reason).toMatch(/512 bits/);
    expect(result.reason).toMatch(/MD5/);
  });

  it('a 2048-bit key signed with SHA-1 is weak, naming SHA-1', async () => {
    const made = await opensslCertificate(scratch, 'sha1', { subject: `/CN=${JULIET}`, digest: 'sha1', extensions: END_ENTITY });
    expect(check(made.der, { now: new Date() })).toMatchObject({ status: 'weak', bits: 2048, reason: expect.stringMatching(/SHA-1/) as string });
  });

  it('RSASSA-PSS counts by its hash: SHA-1 (the default when unstated) is weak, SHA-256 is valid', async () => {
    const pss = (name: string, digest: string) =>
      opensslCertificate(scratch, name, { subject: `/CN=${JULIET}`, digest, signatureOptions: ['rsa_padding_mode:pss'], extensions: END_ENTITY });
    expect(check((await pss('pss-sha1', 'sha1')).der, { now: new Date() })).toMatchObject({ status: 'weak', reason: expect.stringMatching(/SHA-1/) as string });
    expect(check((await pss('pss-sha256', 'sha256')).der, { now: new Date() }).status).toBe('valid');
  });

  it('a public exponent of 3 is weak, and one of 1 too', async () => {
    const three = await opensslCertificate(scratch, 'e3', { subject: `/CN=${JULIET}`, keyOptions: ['rsa_keygen_pubexp:3'], extensions: END_ENTITY });
    expect(check(three.der, { now: new Date() })).toMatchObject({ status: 'weak', bits: 2048, reason: expect.stringMatching(/exponent 3/) as string });
    // node-forge makes the e = 1 key (openssl will not); 1024 bits keeps that quick on a busy machine.
    const one = forgeCertificate({ bits: 1024, e: 1 });
    expect(check(one)).toMatchObject({ status: 'weak', reason: expect.stringMatching(/exponent 1\b/) as string });
  }, 30_000);

  it('weak wins over expired: a permanent defect is reported before the clock', () => {
    const weakOld = forgeCertificate({ bits: 1024, e: 65537 });
    expect(check(weakOld, { now: new Date(now.getTime() + 365 * DAY_MS) }).status).toBe('weak');
    // …but after the checks that say the certificate is not genuine.
    expect(check(weakOld, { publisherJid: 'romeo@montague.lit' }).status).toBe('jid-mismatch');
  });

  it('the rules themselves: sizes, unknown sizes and every kind of exponent', () => {
    const facts = { der: good, bits: 2048, publicExponent: 65537n };
    expect(findWeaknesses(facts)).toEqual([]);
    expect(findWeaknesses({ ...facts, bits: 2047 })).toEqual([expect.stringMatching(/2047 bits/)]);
    expect(findWeaknesses({ ...facts, bits: undefined })).toEqual([expect.stringMatching(/unknown size/)]);
    expect(findWeaknesses({ ...facts, publicExponent: 4n })).toEqual([expect.stringMatching(/even/)]);
    expect(findWeaknesses({ ...facts, publicExponent: 1n })).toEqual([expect.stringMatching(/exponent 1\b/)]);
    expect(findWeaknesses({ ...facts, publicExponent: 17n })).toEqual([expect.stringMatching(/exponent 17/)]);
    expect(findWeaknesses({ ...facts, publicExponent: 2n ** 100n + 1n })).toEqual([expect.stringMatching(/unusual size/)]);
    expect(findWeaknesses({ ...facts, der: Buffer.from('not der') })).toEqual([]);
  });

  it('EC and Ed25519 keys are refused as the wrong key type, not judged by the RSA rules', async () => {
    const ed = await opensslCertificate(scratch, 'ed25519', { subject: `/CN=${JULIET}`, keyAlgorithm: 'ed25519', extensions: [XMPP_ADDR(JULIET)] });
    expect(check(ed.der, { now: new Date() })).toMatchObject({ status: 'malformed', reason: 'Only RSA keys are accepted, not Ed25519.' });
  });
});
