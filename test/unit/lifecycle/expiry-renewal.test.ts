/** Expiry warnings at 30, 7 and 1 days, and renewal: a fresh certificate for the same key and account. */
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { CERTIFICATE_BACKDATE_MS } from '../../../main/keys/clock-tolerance.js';
import { expiryWarning } from '../../../main/keys/expiry.js';
import { renewCertificate } from '../../../main/keys/renew.js';
import { publicKeyDigest } from '../../../main/keys/signed-statement.js';
import { createSuccession, verifySuccession } from '../../../main/keys/succession.js';
import { checkPublishedCertificate } from '../../../main/keys/validate.js';
import { readCertificateIdentities } from '../../../main/keys/xmpp-addr.js';
import { JULIET, makeKey, type OwnKey } from './support.js';

const DAY = 86_400_000;
const END = new Date('2026-01-31T12:00:00Z');
const before = (ms: number) => new Date(END.getTime() - ms);

describe('expiry warnings', () => {
  it.each([
    [31 * DAY, 'none', 31],
    [30 * DAY, 'within-30-days', 30],
    [8 * DAY, 'within-30-days', 8],
    [7 * DAY, 'within-7-days', 7],
    [7 * DAY - 1, 'within-7-days', 7],
    [1 * DAY + 1, 'within-7-days', 2],
    [1 * DAY, 'within-1-day', 1],
    [60_000, 'within-1-day', 1],
    [0, 'within-1-day', 0], // notAfter itself is still inside the period (RFC 5280 §4.1.2.5)
  ])('%d ms before notAfter: %s, %d days left', (ms, level, daysLeft) => {
    expect(expiryWarning(END, before(ms))).toEqual({ level, daysLeft });
  });

  it('after notAfter: expired, with whole days since', () => {
    expect(expiryWarning(END, new Date(END.getTime() + 1))).toEqual({ level: 'expired', daysAgo: 0 });
    expect(expiryWarning(END, new Date(END.getTime() + 3 * DAY + 5))).toEqual({ level: 'expired', daysAgo: 3 });
  });

  it('reads the ISO strings CertificateCheck gives', () => {
    expect(expiryWarning('2026-01-31T12:00:00.000Z', before(2 * DAY))).toEqual({ level: 'within-7-days', daysLeft: 2 });
  });

  it('unreadable dates give unknown, never an exception', () => {
    for (const value of [undefined, '', 'soon', new Date(Number.NaN), 42 as unknown as string, null as unknown as string]) {
      expect(expiryWarning(value, END)).toEqual({ level: 'unknown' });
    }
    expect(expiryWarning(END, new Date('nope'))).toEqual({ level: 'unknown' });
  });
});

describe('renewal', () => {
  let key: OwnKey;
  let shortLived: Buffer;

  beforeAll(async () => {
    key = await makeKey();
    shortLived = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: key.privateKey, validityDays: 90, notBefore: new Date('2025-01-01T00:00:00Z') });
  }, 30_000);

  it('makes a new certificate for the same key, binding the same JID, valid from now', async () => {
    const startedAt = Date.now();
    const renewal = await renewCertificate({ currentCertificateDer: shortLived, privateKey: key.privateKey });
    expect(renewal.bareJid).toBe(JULIET);
    expect(renewal.fingerprint).not.toBe(key.fingerprint);
    expect(publicKeyDigest(renewal.der)).toBe(publicKeyDigest(shortLived));
    expect(readCertificateIdentities(renewal.der).xmppAddrs).toEqual([JULIET]);
    const endedAt = Date.now();
    const x509 = new X509Certificate(renewal.der);
    // Valid from an hour before now (clock-tolerance.ts), so a reader whose clock runs behind takes it.
    const from = Date.parse(x509.validFrom) + CERTIFICATE_BACKDATE_MS;
    expect(from).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000);
    expect(from).toBeLessThanOrEqual(endedAt);
    // As long as the one it renews (90 days), unless told otherwise, counted from now.
    expect(Date.parse(x509.validTo) - from).toBe(90 * DAY);
    expect(checkPublishedCertificate({ der: renewal.der, publisherJid: JULIET, itemId: renewal.fingerprint, now: new Date(from - CERTIFICATE_BACKDATE_MS) }).status).toBe('valid');
  });

  it('keeps the lifetime of a certificate made here, not an hour more at each renewal', async () => {
    const madeHere = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: key.privateKey, validityDays: 90 });
    const once = await renewCertificate({ currentCertificateDer: madeHere, privateKey: key.privateKey });
    const twice = new X509Certificate((await renewCertificate({ currentCertificateDer: once.der, privateKey: key.privateKey })).der);
    expect(Date.parse(twice.validTo) - Date.parse(twice.validFrom)).toBe(90 * DAY + CERTIFICATE_BACKDATE_MS);
  });

  it('takes another validity when asked, and the old key signs its succession', async () => {
    const renewal = await renewCertificate({ currentCertificateDer: shortLived, privateKey: key.privateKey, validityDays: 365 });
    const x509 = new X509Certificate(renewal.der);
    expect(Date.parse(x509.validTo) - Date.parse(x509.validFrom)).toBe(365 * DAY + CERTIFICATE_BACKDATE_MS);
    const statement = await createSuccession({ bareJid: renewal.bareJid, oldCertificateDer: shortLived, oldPrivateKey: key.privateKey, newCertificateDer: renewal.der });
    expect(verifySuccession(statement, { publisherJid: JULIET, newFingerprint: renewal.fingerprint, oldCertificateDer: shortLived }).valid).toBe(true);
  });

  it('refuses a certificate that is not this key’s, or not a certificate', async () => {
    const other = await makeKey();
    await expect(renewCertificate({ currentCertificateDer: other.der, privateKey: key.privateKey })).rejects.toThrow(/does not belong/);
    await expect(renewCertificate({ currentCertificateDer: Buffer.from('junk'), privateKey: key.privateKey })).rejects.toThrow(KeyringError);
  });
});
