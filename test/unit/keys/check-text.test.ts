/**
 * A contact's certificate is checked once per fetch, not once more each time its stored record is merged
 * and shown (CertificateChecker.checkText, main/keys/validate.ts): issue 19, the app's CPU per contact
 * in a bulk fetch. And remembering a certificate by its stored text never lets another text pass for it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import xml from '@xmpp/xml';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import * as fingerprints from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { CertificateChecker, checkPublishedCertificate } from '../../../main/keys/validate.js';
import { ContactKeys } from '../../../main/services/contact-keys.js';
import { ContactKeysStore } from '../../../main/vault/stores/contact-keys-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { fakeSession } from '../../support/fake-session.js';
import { unlockedVaults } from '../../support/vaults.js';

// Counts the SHA-256 fingerprints computed while keeping them real: one per certificate checked afresh.
vi.mock('../../../main/keys/fingerprint.js', async (importOriginal) => {
  const original = await importOriginal<typeof fingerprints>();
  return { ...original, certificateFingerprint: vi.fn(original.certificateFingerprint) };
});

const ACCOUNT = 'romeo@montague.lit';
const JULIET = 'juliet@capulet.lit';
let dir: string;
let julietCert: Buffer;
let otherCert: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-check-text-'));
  const [juliet, other] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
  julietCert = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: juliet.privateKey });
  otherCert = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: other.privateKey });
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('a fetched contact’s certificate is hashed once: its record, merged and shown, is answered from memory', async () => {
  const id = fingerprints.certificateFingerprint(julietCert);
  const session = fakeSession({
    account: ACCOUNT,
    answer: () => Promise.resolve(xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.pubkey }, xml('item', { id }, pubkeyPayload(julietCert))))),
  });
  const contactKeys = new ContactKeys({
    store: new ContactKeysStore(await unlockedVaults(dir)),
    session,
    events: new AppEvents(),
    log: silentLogger,
    isKnownContact: () => true,
  });
  const hashed = vi.mocked(fingerprints.certificateFingerprint);
  hashed.mockClear();
  const view = await contactKeys.fetch(JULIET);
  expect(view.keys.map((k) => [k.fingerprint, k.status])).toEqual([[id, 'valid']]);
  // Before: four (the answer's check, then the stored record's each time it was merged or shown).
  expect(hashed).toHaveBeenCalledTimes(1);
  hashed.mockClear();
  expect(contactKeys.known(JULIET).keys.map((k) => k.status)).toEqual(['valid']);
  expect(hashed).not.toHaveBeenCalled();
});

it('checkText answers as the full check does, and another text under a remembered name is checked in full', () => {
  const checker = new CertificateChecker();
  const id = fingerprints.certificateFingerprint(julietCert);
  const text = julietCert.toString('base64');
  const full = (der: Buffer, itemId = id, publisherJid = JULIET) => checkPublishedCertificate({ der, publisherJid, itemId });

  expect(checker.check({ der: julietCert, publisherJid: JULIET, itemId: id }, text)).toEqual(full(julietCert));
  expect(checker.checkText(text, JULIET, id)).toEqual(full(julietCert));
  // Another certificate's text under the same publisher and item id: not the remembered 'valid'.
  const swapped = checker.checkText(otherCert.toString('base64'), JULIET, id);
  expect(swapped.status).toBe('fingerprint-mismatch');
  expect(swapped).toEqual(full(otherCert));
  // The remembered name now holds the other text; the first is checked again, and is valid again.
  expect(checker.checkText(text, JULIET, id).status).toBe('valid');
  // Another publisher or item id is another name: checked in full.
  expect(checker.checkText(text, 'nurse@capulet.lit', id)).toEqual(full(julietCert, id, 'nurse@capulet.lit'));
  expect(checker.checkText(text, JULIET, 'a'.repeat(64)).status).toBe('fingerprint-mismatch');
  // Text that is no certificate at all: an answer, never an exception.
  expect(checker.checkText('not base64 at all!', JULIET, id).status).toBe('malformed');
  expect(checker.checkText('', JULIET, id).status).toBe('malformed');
});

it('the validity period is compared with the clock at every checkText, remembered or not', () => {
  const checker = new CertificateChecker();
  const id = fingerprints.certificateFingerprint(julietCert);
  const text = julietCert.toString('base64');
  expect(checker.checkText(text, JULIET, id).status).toBe('valid');
  const later = new Date(Date.now() + 50 * 365 * 24 * 3600 * 1000);
  expect(checker.checkText(text, JULIET, id, later).status).toBe('expired');
  expect(checker.checkText(text, JULIET, id).status).toBe('valid');
});

describe('what checkText remembers is bounded, whatever a hostile contact publishes (review 5)', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const retainedBy = (fill: (checker: CertificateChecker) => void): number => {
    const checker = new CertificateChecker();
    gc();
    const before = process.memoryUsage().heapUsed;
    fill(checker);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(checker).toBeDefined(); // kept alive until measured
    return grown;
  };

  it('2,000 malformed 48 KiB items under fresh ids: their text is not kept (before: ~130 MB)', () => {
    const grown = retainedBy((checker) => {
      for (let i = 0; i < 2_000; i++) {
        const der = randomBytes(48 * 1024);
        expect(checker.check({ der, publisherJid: 'mallory@evil.example', itemId: `id-${i}` }, der.toString('base64')).status).toBe('malformed');
      }
    });
    expect(grown).toBeLessThan(20e6);
  }, 120_000);

  it('genuine certificates’ texts are kept up to a budget, not per entry: 2,000 texts of 64 KiB stay under ~20 MB', () => {
    const id = fingerprints.certificateFingerprint(julietCert);
    const grown = retainedBy((checker) => {
      for (let i = 0; i < 2_000; i++) {
        // Each its own text (as a fresh string from the network would be), under another publisher: jid-mismatch, which a record may store.
        const text = `${randomBytes(48 * 1024).toString('base64')}`;
        expect(checker.check({ der: julietCert, publisherJid: `mallory${i}@evil.example`, itemId: id }, text).status).toBe('jid-mismatch');
      }
    });
    expect(grown).toBeLessThan(20e6 + 4e6);
  }, 120_000);
});
