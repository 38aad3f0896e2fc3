import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { createSelfSignedCertificate, DEFAULT_VALIDITY_DAYS } from '../../../main/keys/certificate.js';
import { CERTIFICATE_BACKDATE_MS } from '../../../main/keys/clock-tolerance.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../main/keys/generate.js';
import { readCertificateIdentities } from '../../../main/keys/xmpp-addr.js';
import { describeCertificate, openssl, Scratch } from './openssl.js';

const JULIET = 'juliet@capulet.lit';
const DAY_MS = 86_400_000;

let scratch: Scratch;
let keys: RsaKeyPair;
let der: Buffer;
let text: string;
let madeAt: number;

beforeAll(async () => {
  scratch = await Scratch.create();
  keys = await generateRsaKeyPair(2048);
  madeAt = Date.now();
  der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey });
  text = await describeCertificate(scratch, der);
}, 30_000);

afterAll(() => scratch.remove());

/** The indented block that follows a heading line in `openssl x509 -text`. */
function section(heading: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim().startsWith(heading));
  if (start === -1) return '';
  const indent = (lines[start] ?? '').search(/\S/);
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.search(/\S/) <= indent) break;
    body.push(line.trim());
  }
  return [lines[start]?.trim() ?? '', ...body].join('\n');
}

describe('the self-signed account certificate, as openssl reads it', () => {
  it('is X.509 v3, signed with sha256WithRSAEncryption, by and for the bare JID', () => {
    expect(text).toMatch(/Version: 3 \(0x2\)/);
    expect(text.match(/Signature Algorithm: sha256WithRSAEncryption/g)).toHaveLength(2);
    expect(text).toMatch(new RegExp(`Subject: CN ?= ?${JULIET}\\n`));
    expect(text).toMatch(new RegExp(`Issuer: CN ?= ?${JULIET}\\n`));
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
  });

  it('binds the JID as an id-on-xmppAddr otherName in subjectAltName (RFC 6120 §13.7.1.4)', () => {
    // OpenSSL 3 names OID 1.3.6.1.5.5.7.8.5 "XmppAddr" and prints the UTF8String after a double colon.
    expect(section('X509v3 Subject Alternative Name')).toBe(`X509v3 Subject Alternative Name:\nothername: XmppAddr::${JULIET}`);
  });

  it('encodes the otherName as [0] IMPLICIT OtherName with a [0] EXPLICIT UTF8String value', async () => {
    const path = await scratch.write('san.der', der);
    const outline = await openssl(['asn1parse', '-inform', 'DER', '-in', path]);
    const sanLine = outline.split('\n').findIndex((l) => l.includes(':X509v3 Subject Alternative Name'));
    const valueOffset = /^\s*(\d+):/.exec(outline.split('\n')[sanLine + 1] ?? '')?.[1];
    expect(valueOffset).toBeDefined();
    const san = await openssl(['asn1parse', '-inform', 'DER', '-in', path, '-strparse', valueOffset ?? '']);
    const shape = san
      .trim()
      .split('\n')
      .map((l) => l.replace(/^\s*\d+:d=(\d).*?(cons|prim): /, '$1 ').replace(/\s+/g, ' ').trim());
    expect(shape).toEqual([
      '0 SEQUENCE',
      '1 cont [ 0 ]',
      '2 OBJECT :XmppAddr',
      '2 cont [ 0 ]',
      `3 UTF8STRING :${JULIET}`,
    ]);
  });

  it('is an end entity for signatures and key transport only, both extensions critical', () => {
    expect(section('X509v3 Basic Constraints')).toBe('X509v3 Basic Constraints: critical\nCA:FALSE');
    expect(section('X509v3 Key Usage')).toBe('X509v3 Key Usage: critical\nDigital Signature, Key Encipherment');
    expect(text).toMatch(/X509v3 Subject Key Identifier/);
  });

  it('is valid for two years from now by default, and from an hour before now for readers whose clocks run behind', async () => {
    const path = await scratch.write('dates.der', der);
    const dates = await openssl(['x509', '-inform', 'DER', '-in', path, '-noout', '-dates', '-dateopt', 'iso_8601']);
    const notBefore = Date.parse(/notBefore=(.*)/.exec(dates)?.[1]?.trim().replace(' ', 'T') ?? '');
    const notAfter = Date.parse(/notAfter=(.*)/.exec(dates)?.[1]?.trim().replace(' ', 'T') ?? '');
    expect(CERTIFICATE_BACKDATE_MS).toBe(3600_000);
    expect(Math.abs(notBefore - (madeAt - CERTIFICATE_BACKDATE_MS))).toBeLessThan(5_000);
    // The lifetime chosen ends where its owner expects: two years from the moment it was made.
    expect(DEFAULT_VALIDITY_DAYS).toBe(730);
    expect(Math.abs(notAfter - (madeAt + 730 * DAY_MS))).toBeLessThan(5_000);
    expect(notAfter - notBefore).toBe(730 * DAY_MS + CERTIFICATE_BACKDATE_MS);
  });

  it('of a short lifetime chosen, still ends that many days from now', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const oneDay = new X509Certificate(await createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey, validityDays: 1 }));
    const after = Date.now();
    expect(Date.parse(oneDay.validTo)).toBeGreaterThanOrEqual(before + DAY_MS);
    expect(Date.parse(oneDay.validTo)).toBeLessThanOrEqual(after + DAY_MS);
    expect(Date.parse(oneDay.validFrom)).toBe(Date.parse(oneDay.validTo) - DAY_MS - CERTIFICATE_BACKDATE_MS);
  });

  it('takes the start and length of validity from the caller, to the second', async () => {
    const notBefore = new Date('2030-02-03T04:05:06.789Z');
    const custom = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey, notBefore, validityDays: 10 });
    const path = await scratch.write('custom.der', custom);
    const dates = await openssl(['x509', '-inform', 'DER', '-in', path, '-noout', '-dates', '-dateopt', 'iso_8601']);
    expect(dates).toContain('notBefore=2030-02-03 04:05:06Z');
    expect(dates).toContain('notAfter=2030-02-13 04:05:06Z');
  });

  it('has a random positive serial number of 16 bytes', async () => {
    const other = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey });
    const serials = await Promise.all(
      [der, other].map(async (d, i) => {
        const path = await scratch.write(`serial-${i}.der`, d);
        return (await openssl(['x509', '-inform', 'DER', '-in', path, '-noout', '-serial'])).trim().replace('serial=', '');
      }),
    );
    for (const serial of serials) expect(serial).toMatch(/^[4-7][0-9A-F]{31}$/);
    expect(serials[0]).not.toBe(serials[1]);
  });
});

describe('signing the certificate natively', () => {
  it('makes a signature that verifies with the account key and no other', () => {
    const x509 = new X509Certificate(der);
    expect(x509.verify(keys.publicKey)).toBe(true);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(x509.verify(stranger)).toBe(false);
    expect(x509.publicKey.export({ type: 'spki', format: 'der' })).toEqual(keys.publicKey.export({ type: 'spki', format: 'der' }));
  });

  it('certifies 3072-bit keys too', async () => {
    const big = await generateRsaKeyPair(3072);
    const cert = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: big.privateKey });
    expect(new X509Certificate(cert).verify(big.publicKey)).toBe(true);
    expect(await describeCertificate(scratch, cert, '3072.der')).toMatch(/Public-Key: \(3072 bit\)/);
  }, 60_000);

  it('writes a non-ASCII JID as UTF-8 in both the CN and the xmppAddr', async () => {
    const jid = 'jüliet@cäpulet.lit';
    const cert = await createSelfSignedCertificate({ bareJid: jid, privateKey: keys.privateKey });
    expect(readCertificateIdentities(cert)).toEqual({ xmppAddrs: [jid], commonNames: [jid] });
    const path = await scratch.write('utf8.der', cert);
    const subject = await openssl(['x509', '-inform', 'DER', '-in', path, '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus']);
    expect(subject.trim()).toBe(`subject=CN=${jid}`);
  });
});

describe('refusing what cannot make a proper certificate', () => {
  const refusal = (field: string): unknown => expect.objectContaining({ code: 'invalid-argument', field });

  it('refuses a full JID, an empty JID and one with spaces', async () => {
    for (const bareJid of ['juliet@capulet.lit/balcony', '', 'juliet @capulet.lit', '@capulet.lit']) {
      await expect(createSelfSignedCertificate({ bareJid, privateKey: keys.privateKey })).rejects.toEqual(refusal('jid'));
    }
  });

  it('refuses a key that is not an RSA private key', async () => {
    const ed = generateKeyPairSync('ed25519');
    await expect(createSelfSignedCertificate({ bareJid: JULIET, privateKey: ed.privateKey })).rejects.toEqual(refusal('privateKey'));
    await expect(createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.publicKey })).rejects.toEqual(refusal('privateKey'));
  });

  it('refuses a validity that is not a whole positive number of days, and an invalid start', async () => {
    for (const validityDays of [0, -1, 1.5, Number.NaN]) {
      const attempt = createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey, validityDays });
      await expect(attempt).rejects.toBeInstanceOf(KeyringError);
    }
    const attempt = createSelfSignedCertificate({ bareJid: JULIET, privateKey: keys.privateKey, notBefore: new Date(Number.NaN) });
    await expect(attempt).rejects.toEqual(refusal('notBefore'));
  });
});
