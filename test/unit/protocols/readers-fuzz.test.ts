/**
 * The OMEMO and OpenPGP readers get a contact's published XML and bytes. Thousands of damaged copies
 * of what real clients published, reproducible from a fixed seed: no reader may throw, every answer
 * must have its documented shape, and no damaged signed prekey, signature or identity key may pass
 * the signature check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import parseXml from '@xmpp/xml/lib/parse.js';
import type { Element } from '@xmpp/xml';
import { readBundle, readDeviceList, type BundleReading, type DeviceListReading, type OmemoVersion } from '../../../main/protocols/omemo.js';
import { readPublicKeyItem, readPublicKeysList, type KeyListReading, type PublicKeyReading } from '../../../main/protocols/openpgp.js';
import { parseItems, type RawItem } from '../../../main/xmpp/pubsub.js';
import { prng } from '../../support/prng.js';
import { expected, fixtureItem } from './fixtures.js';

const SEED = 0x6f6d656d;

function mutateBytes(r: ReturnType<typeof prng>, input: Buffer): Buffer {
  const out = Buffer.from(input);
  switch (r.int(5)) {
    case 0: // flip 1–4 bits
      for (let i = 0, n = 1 + r.int(4); i < n; i++) {
        const at = r.int(out.length);
        out[at] = (out[at] ?? 0) ^ (1 << r.int(8));
      }
      return out;
    case 1: // overwrite a byte
      out[r.int(out.length)] = r.int(256);
      return out;
    case 2: // truncate
      return out.subarray(0, r.int(out.length));
    case 3: { // insert random bytes
      const at = r.int(out.length + 1);
      return Buffer.concat([out.subarray(0, at), r.bytes(1 + r.int(8)), out.subarray(at)]);
    }
    default: { // duplicate a slice
      const at = r.int(out.length);
      const len = 1 + r.int(32);
      return Buffer.concat([out.subarray(0, at + len), out.subarray(at, at + len), out.subarray(at + len)]);
    }
  }
}

const XML_NOISE = ['<', '>', '"', "'", '=', '/', ' ', 'a', '0', '9', '-', '+', '&amp;', '<device id="1"/>', '<pk id="2">AAAA</pk>', '\u202e'];

function mutateText(r: ReturnType<typeof prng>, input: string): string {
  const at = r.int(input.length);
  switch (r.int(4)) {
    case 0:
      return input.slice(0, at) + input.slice(at + 1 + r.int(16));
    case 1:
      return input.slice(0, at) + (XML_NOISE[r.int(XML_NOISE.length)] ?? '') + input.slice(at);
    case 2: {
      const len = 1 + r.int(200);
      return input.slice(0, at + len) + input.slice(at, at + len) + input.slice(at + len);
    }
    default: // replace a digit or base64 character
      return input.slice(0, at) + 'Zz09+/='.charAt(r.int(7)) + input.slice(at + 1);
  }
}

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'interop');

/** Readers for each captured node, with a check of the answer's shape. */
const READERS: { fixture: string; read: (items: RawItem[]) => DeviceListReading | BundleReading | KeyListReading | PublicKeyReading }[] = [
  { fixture: 'profanity-axolotl-devicelist', read: (items) => readDeviceList('axolotl', items) },
  { fixture: 'python-omemo-omemo2-devices', read: (items) => readDeviceList('omemo2', items) },
  { fixture: 'profanity-axolotl-bundle', read: (items) => (items[0] ? readBundle('axolotl', items[0], expected.profanityDeviceId) : { ok: false, problem: 'no item' }) },
  { fixture: 'python-omemo-omemo2-bundle', read: (items) => (items[0] ? readBundle('omemo2', items[0], 5151) : { ok: false, problem: 'no item' }) },
  { fixture: 'profanity-openpgp-public-keys-list', read: (items) => readPublicKeysList(items) },
  { fixture: 'profanity-openpgp-key', read: (items) => readPublicKeyItem(items, expected.gpgFingerprint) },
  { fixture: 'profanity-openpgp-key-armored', read: (items) => readPublicKeyItem(items, expected.gpgFingerprint) },
  { fixture: 'gpg-rsa2048-openpgp-key', read: (items) => readPublicKeyItem(items, expected.gpgRsaFingerprint) },
];

function expectAnswer(read: () => { ok: boolean; problem?: string }): { ok: boolean } {
  let answer: { ok: boolean; problem?: string } | undefined;
  expect(() => {
    answer = read();
  }).not.toThrow();
  expect(typeof answer?.ok).toBe('boolean');
  if (answer && !answer.ok) expect(answer.problem).toMatch(/\S/);
  return answer as { ok: boolean };
}

describe('reading damaged copies of what real clients published never throws', () => {
  it('answers 6000 text-level mutations of the captured XML (the ones that still parse as XML)', () => {
    const r = prng(SEED);
    let parsed = 0;
    for (const { fixture, read } of READERS) {
      const original = readFileSync(join(FIXTURES, `${fixture}.xml`), 'utf8');
      for (let i = 0; i < 750; i++) {
        let text = original;
        for (let k = 0, n = 1 + r.int(3); k < n; k++) text = mutateText(r, text);
        let element: Element;
        try {
          element = parseXml(text);
        } catch {
          continue; // not XML at all: xmpp.js's parser ends the stream before any reader runs
        }
        parsed++;
        expectAnswer(() => read(parseItems(element)));
      }
    }
    expect(parsed).toBeGreaterThan(3000);
  });

  it('no damaged identity key, signed prekey or signature passes the signature check (1500 byte mutations per version)', () => {
    const r = prng(SEED + 1);
    const cases: { version: OmemoVersion; fixture: string; deviceId: number; names: [string, string, string] }[] = [
      { version: 'axolotl', fixture: 'profanity-axolotl-bundle', deviceId: expected.profanityDeviceId, names: ['identityKey', 'signedPreKeyPublic', 'signedPreKeySignature'] },
      { version: 'omemo2', fixture: 'python-omemo-omemo2-bundle', deviceId: 5151, names: ['ik', 'spk', 'spks'] },
    ];
    for (const { version, fixture, deviceId, names } of cases) {
      const item = fixtureItem(fixture);
      const bundle = item.payload as Element;
      let rejected = 0;
      for (let i = 0; i < 1500; i++) {
        const target = bundle.getChild(names[r.int(3)] ?? '') as Element;
        const original = target.text();
        const bytes = Buffer.from(original, 'base64');
        const damaged = mutateBytes(r, bytes);
        target.children = [damaged.toString('base64')];
        try {
          const reading = expectAnswer(() => readBundle(version, item, deviceId)) as BundleReading;
          if (reading.ok && !damaged.equals(bytes)) {
            expect(reading.bundle.signatureValid).toBe(false);
            rejected++;
          }
        } finally {
          target.children = [original];
        }
      }
      expect(rejected).toBeGreaterThan(0);
      expect(readBundle(version, item, deviceId)).toMatchObject({ ok: true, bundle: { signatureValid: true } });
    }
  });

  it('answers 3000 byte-level mutations of real OpenPGP keys, and accepts one only with the node’s fingerprint', () => {
    const r = prng(SEED + 2);
    for (const [fixture, fingerprint] of [
      ['profanity-openpgp-key', expected.gpgFingerprint],
      ['gpg-rsa2048-openpgp-key', expected.gpgRsaFingerprint],
    ] as const) {
      const item = fixtureItem(fixture);
      const data = item.payload?.getChild('data') as Element;
      const original = data.text();
      const key = Buffer.from(original, 'base64');
      try {
        for (let i = 0; i < 1500; i++) {
          let damaged: Buffer = key;
          for (let k = 0, n = 1 + r.int(3); k < n; k++) damaged = mutateBytes(r, damaged);
          data.children = [damaged.toString('base64')];
          const reading = expectAnswer(() => readPublicKeyItem([item], fingerprint)) as PublicKeyReading;
          if (reading.ok) expect(reading.key.fingerprint).toBe(fingerprint);
        }
      } finally {
        data.children = [original];
      }
    }
  });

  it('answers 1000 random byte strings as key data and as bundle keys', () => {
    const r = prng(SEED + 3);
    const keyItem = fixtureItem('profanity-openpgp-key');
    const data = keyItem.payload?.getChild('data') as Element;
    const bundleItem = fixtureItem('python-omemo-omemo2-bundle');
    const ik = bundleItem.payload?.getChild('ik') as Element;
    const [dataText, ikText] = [data.text(), ik.text()];
    try {
      for (let i = 0; i < 1000; i++) {
        const bytes = r.bytes(r.int(i < 900 ? 600 : 20_000));
        if (i % 2 === 0 && bytes.length > 0) bytes[0] = 0x99; // starts like an old-format public key packet
        data.children = [bytes.toString('base64')];
        expectAnswer(() => readPublicKeyItem([keyItem], expected.gpgFingerprint));
        ik.children = [bytes.subarray(0, 40).toString('base64')];
        expectAnswer(() => readBundle('omemo2', bundleItem, 5151));
      }
    } finally {
      data.children = [dataText];
      ik.children = [ikText];
    }
  });
});
