/** Keys, certificates and the committed vectors the lifecycle tests share. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import type { RevocationStatement } from '../../../main/keys/revocation.js';
import { createSuccession, type SuccessionStatement } from '../../../main/keys/succession.js';
import type { ContactKeyRecord } from '../../../main/vault/schema.js';

export const JULIET = 'juliet@capulet.lit';
export const ROMEO = 'romeo@montague.lit';

export interface Vectors {
  jid: string;
  oldCertificate: string;
  newCertificate: string;
  succession: { statement: SuccessionStatement; signedBytesHex: string; keyPayloadXml: string };
  revocation: { statement: RevocationStatement; signedBytesHex: string; itemId: string; payloadXml: string };
}

/** Made once by test/fixtures/lifecycle/make-vectors.ts; a change to encoding or signing breaks them. */
export const vectors = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'lifecycle', 'vectors.json'), 'utf8'),
) as Vectors;
/** A time inside both vector certificates' validity. */
export const VECTOR_NOW = new Date('2025-06-02T00:00:00Z');

export interface OwnKey {
  privateKey: KeyObject;
  der: Buffer;
  fingerprint: string;
}

export async function makeKey(jid = JULIET, options: { bits?: 2048 | 3072 | 4096; privateKey?: KeyObject } = {}): Promise<OwnKey> {
  const privateKey = options.privateKey ?? (await generateRsaKeyPair(options.bits ?? 2048)).privateKey;
  const der = await createSelfSignedCertificate({ bareJid: jid, privateKey });
  return { privateKey, der, fingerprint: certificateFingerprint(der) };
}

/** Values a hostile contact might put where a statement is expected. */
export const HOSTILE_VALUES: unknown[] = [
  undefined,
  null,
  0,
  'statement',
  [],
  {},
  { jid: {}, old: [], new: 1, date: null, algorithm: 7, signature: false },
  { toString: () => 'x' },
  Object.create(null) as unknown,
  { __proto__: { jid: JULIET } },
  { jid: 'a'.repeat(100_000), old: 'f'.repeat(64), new: 'e'.repeat(64), date: '2025-01-01T00:00:00Z', algorithm: 'rsa-pss-sha256', signature: 'A'.repeat(100_000) },
];

/**
 * A rotation and a forgery of it: juliet's old and new keys with the succession the old one signed,
 * and the same claim signed by mallory's key instead (someone who took over the account or the server).
 */
export interface Rotation {
  oldKey: OwnKey;
  newKey: OwnKey;
  mallory: OwnKey;
  succession: SuccessionStatement;
  forged: SuccessionStatement;
}

export async function makeRotation(): Promise<Rotation> {
  const [oldKey, newKey, mallory] = await Promise.all([makeKey(), makeKey(), makeKey()]);
  const succession = await createSuccession({ bareJid: JULIET, oldCertificateDer: oldKey.der, oldPrivateKey: oldKey.privateKey, newCertificateDer: newKey.der });
  const hers = await createSuccession({ bareJid: JULIET, oldCertificateDer: mallory.der, oldPrivateKey: mallory.privateKey, newCertificateDer: newKey.der });
  return { oldKey, newKey, mallory, succession, forged: { ...hers, old: oldKey.fingerprint } };
}

/** When the records below were first and last seen. */
export const T0 = '2025-01-01T00:00:00.000Z';

/** What a reader stored of one of juliet's keys. */
export const contactRecord = (key: OwnKey, trust: ContactKeyRecord['trust'], extra: Partial<ContactKeyRecord> = {}): ContactKeyRecord => ({
  fingerprint: key.fingerprint,
  certificate: key.der.toString('base64'),
  firstSeen: T0,
  lastSeen: T0,
  trust,
  ...extra,
});
