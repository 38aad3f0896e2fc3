/**
 * The XEP-0373 reader on what Profanity announced (a gpg ed25519 key, binary and armored) and on a gpg
 * RSA key, and on hostile variants: the fingerprint is computed from the key itself and must be the
 * one gpg and Profanity print, the creation time the one gpg reports; bad data is a value, not a throw.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import xml, { type Element } from '@xmpp/xml';
import {
  MAX_KEY_ITEM_BYTES,
  MAX_LISTED_KEYS,
  namesAddress,
  publicKeyNode,
  readPublicKeyItem,
  readPublicKeysList,
} from '../../../main/protocols/openpgp.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { parseItems, type RawItem } from '../../../main/xmpp/pubsub.js';
import { expected, fixtureItem, fixtureItems } from './fixtures.js';

function items(...entries: { id: string; payload?: Element }[]): RawItem[] {
  return parseItems(xml('items', { xmlns: NS.pubsub }, ...entries.map((e) => xml('item', { id: e.id }, e.payload))));
}
const pubkeyItem = (data: Buffer | string) =>
  items({ id: '2026-01-01T00:00:00Z', payload: xml('pubkey', { xmlns: NS.openpgp }, xml('data', {}, typeof data === 'string' ? data : data.toString('base64'))) });

/** The key bytes inside Profanity's binary announcement. */
const profanityKey = (): Buffer => Buffer.from(fixtureItem('profanity-openpgp-key').payload?.getChildText('data') ?? '', 'base64');

/** A v4 public-key packet (new-format header) with the given body. */
const packet = (tag: number, body: Buffer): Buffer => {
  const header = body.length < 192 ? Buffer.from([0xc0 | tag, body.length]) : Buffer.from([0xc0 | tag, 0xff, ...[24, 16, 8, 0].map((s) => (body.length >>> s) & 0xff)]);
  return Buffer.concat([header, body]);
};

describe('what Profanity and gpg published', () => {
  it('Profanity’s public-keys list names the gpg key, with an XEP-0082 date', () => {
    const list = readPublicKeysList(fixtureItems('profanity-openpgp-public-keys-list'));
    expect(list).toMatchObject({ ok: true, keys: [{ fingerprint: expected.gpgFingerprint }], problems: [] });
    if (list.ok) expect(list.keys[0]?.date?.toISOString()).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('Profanity’s key (binary, as its manual exports it): the fingerprint gpg and Profanity print, gpg’s creation time', () => {
    const reading = readPublicKeyItem(fixtureItems('profanity-openpgp-key'), expected.gpgFingerprint);
    if (!reading.ok) throw new Error(reading.problem);
    expect(reading.key).toEqual({
      fingerprint: expected.gpgFingerprint,
      keyId: expected.gpgFingerprint.slice(-16),
      created: new Date(expected.gpgCreated),
      algorithm: 'EdDSA (Ed25519)',
      userIds: [expected.gpgUserId],
      armored: false,
      problems: [],
    });
    expect(expected.profanityOxFingerprint.replace(/ /g, '')).toBe(reading.key.fingerprint);
    expect(namesAddress(reading.key, expected.gpgUserId.slice('xmpp:'.length))).toBe(true);
    expect(namesAddress(reading.key, 'tybalt@capulet.lit')).toBe(false);
  });

  it('Profanity’s key from an armored file: the same key, with the deviation from XEP-0373 §4.1 said', () => {
    const reading = readPublicKeyItem(fixtureItems('profanity-openpgp-key-armored'), expected.gpgFingerprint);
    expect(reading).toMatchObject({
      ok: true,
      key: {
        fingerprint: expected.gpgFingerprint,
        created: new Date(expected.gpgCreated),
        armored: true,
        problems: ['the key is ASCII-armored inside the base64 (XEP-0373 §4.1 says plain OpenPGP data)'],
      },
    });
  });

  it('a gpg RSA key: its size from the modulus', () => {
    const reading = readPublicKeyItem(fixtureItems('gpg-rsa2048-openpgp-key'), expected.gpgRsaFingerprint);
    expect(reading).toMatchObject({
      ok: true,
      key: { fingerprint: expected.gpgRsaFingerprint, created: new Date(expected.gpgRsaCreated), algorithm: 'RSA', bits: 2048, userIds: [expected.gpgRsaUserId], problems: [] },
    });
  });

  it('computes the v4 fingerprint itself (RFC 4880 §12.2), so a node holding another key is refused', () => {
    const other = readPublicKeyItem(fixtureItems('profanity-openpgp-key'), expected.gpgRsaFingerprint);
    expect(other).toEqual({ ok: false, problem: `the key in this node has fingerprint ${expected.gpgFingerprint}, not the node's "${expected.gpgRsaFingerprint}"` });
    // The same computation by hand: SHA-1 over 0x99, the body's two-byte length and the body.
    const key = profanityKey();
    const bodyLength = key[1] ?? 0; // old-format header, one length byte (gpg's default)
    const body = key.subarray(2, 2 + bodyLength);
    const fingerprint = createHash('sha1').update(Buffer.from([0x99, bodyLength >> 8, bodyLength & 0xff])).update(body).digest('hex').toUpperCase();
    expect(fingerprint).toBe(expected.gpgFingerprint);
    expect(publicKeyNode(fingerprint.toLowerCase())).toBe(`urn:xmpp:openpgp:0:public-keys:${expected.gpgFingerprint}`);
  });
});

describe('key lists from a hostile server', () => {
  const list = (...entries: Record<string, string>[]) =>
    items({ id: 'x', payload: xml('public-keys-list', { xmlns: NS.openpgp }, ...entries.map((attrs) => xml('pubkey-metadata', attrs))) });

  it('skips what is not a v4 fingerprint and fingerprints listed twice (§4.2), keeps keys with a bad date', () => {
    const fp = 'A'.repeat(40);
    const reading = readPublicKeysList(
      list(
        { 'v4-fingerprint': fp.toLowerCase(), date: '2020-01-21T10:46:21Z' },
        { 'v4-fingerprint': fp, date: '2021-01-01T00:00:00Z' },
        { 'v4-fingerprint': 'B'.repeat(64), date: '2020-01-21T10:46:21Z' },
        { 'v4-fingerprint': 'C'.repeat(40), date: 'yesterday' },
        { date: '2020-01-21T10:46:21Z' },
      ),
    );
    expect(reading).toEqual({
      ok: true,
      keys: [{ fingerprint: fp, date: new Date('2020-01-21T10:46:21Z') }, { fingerprint: 'C'.repeat(40) }],
      leftOut: [],
      problems: [
        `${fp} is listed more than once`,
        `"${'B'.repeat(44)}" is not a v4 fingerprint (40 hexadecimal digits)`,
        '"" is not a v4 fingerprint (40 hexadecimal digits)',
        `${'C'.repeat(40)}: its date "yesterday" is not an XEP-0082 DateTime`,
      ],
    });
  });

  it(`keeps at most ${MAX_LISTED_KEYS} keys`, () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ 'v4-fingerprint': i.toString(16).padStart(40, '0'), date: '2020-01-21T10:46:21Z' }));
    const reading = readPublicKeysList(list(...many));
    expect(reading).toMatchObject({ ok: true, problems: [`${100 - MAX_LISTED_KEYS} more keys not read (at most ${MAX_LISTED_KEYS} are read, those already known first)`] });
    if (reading.ok) expect(reading.keys).toHaveLength(MAX_LISTED_KEYS);
    if (reading.ok) expect(reading.leftOut).toEqual(many.slice(MAX_LISTED_KEYS).map((k) => k['v4-fingerprint'].toUpperCase()));
  });

  it('reads the keys the vault knows first when the list is over the cap, however many new ones are listed ahead', () => {
    const fresh = Array.from({ length: MAX_LISTED_KEYS }, (_, i) => ({ 'v4-fingerprint': (1000 + i).toString(16).padStart(40, '0'), date: '2020-01-21T10:46:21Z' }));
    const verified = 'ab'.repeat(20);
    const reading = readPublicKeysList(list(...fresh, { 'v4-fingerprint': verified, date: '2020-01-21T10:46:21Z' }), [verified.toUpperCase()]);
    if (!reading.ok) throw new Error(reading.problem);
    expect(reading.keys.map((k) => k.fingerprint)).toContain(verified.toUpperCase());
    expect(reading.keys).toHaveLength(MAX_LISTED_KEYS);
    // The new ones past the cap are the last the server listed; the keys read keep the list's order.
    expect(reading.leftOut).toEqual([fresh[MAX_LISTED_KEYS - 1]?.['v4-fingerprint'].toUpperCase()]);
    expect(reading.keys.at(-1)?.fingerprint).toBe(verified.toUpperCase());
  });

  it('refuses a list in another namespace, and reads an empty node as no keys', () => {
    expect(readPublicKeysList(items({ id: 'x', payload: xml('public-keys-list', { xmlns: 'urn:xmpp:openpgp:1' }) }))).toEqual({
      ok: false,
      problem: 'no <public-keys-list xmlns="urn:xmpp:openpgp:0"/> in the item',
    });
    expect(readPublicKeysList([])).toEqual({ ok: true, keys: [], leftOut: [], problems: [] });
  });
});

describe('key data from a hostile server', () => {
  const fp = expected.gpgFingerprint;

  it('refuses data that is not base64, not OpenPGP, or not one <data/>', () => {
    expect(readPublicKeyItem(pubkeyItem('%%%'), fp)).toEqual({ ok: false, problem: '<data/> is not base64' });
    expect(readPublicKeyItem(pubkeyItem(Buffer.from('hello')), fp)).toEqual({ ok: false, problem: 'byte 0 does not start an OpenPGP packet' });
    expect(readPublicKeyItem(items({ id: 'x', payload: xml('pubkey', { xmlns: NS.openpgp }) }), fp)).toEqual({ ok: false, problem: 'expected one <data/>, found 0' });
    expect(readPublicKeyItem([], fp)).toEqual({ ok: false, problem: 'the key node holds no item' });
  });

  it('refuses a truncated key, lengths past the end, partial lengths, and a first packet that is no public key', () => {
    const key = profanityKey();
    expect(readPublicKeyItem(pubkeyItem(key.subarray(0, 20)), fp)).toMatchObject({ ok: false, problem: /only \d+ are left/ });
    expect(readPublicKeyItem(pubkeyItem(Buffer.from([0xc6, 0xe1, 0x00])), fp)).toEqual({ ok: false, problem: 'a packet uses a partial body length, which key packets never do' });
    expect(readPublicKeyItem(pubkeyItem(Buffer.from([0xc6, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x04])), fp)).toMatchObject({ ok: false, problem: /says it is 2147483647 bytes/ });
    expect(readPublicKeyItem(pubkeyItem(packet(13, Buffer.from('xmpp:juliet@capulet.lit'))), fp)).toEqual({ ok: false, problem: 'the data starts with packet type 13, not a public key (6)' });
  });

  it('refuses a key packet too long for a v4 fingerprint (over 65,535 bytes) as a reading, never a throw', () => {
    // Within the item's size limit: a contact's server can publish it, and a throw here ended the reading of
    // every contact after this one at sign-in.
    const body = Buffer.alloc(70_000);
    body[0] = 4;
    body.writeUInt32BE(1_700_000_000, 1);
    body[5] = 1;
    expect(readPublicKeyItem(pubkeyItem(packet(6, body)), fp)).toEqual({ ok: false, problem: 'the public key packet is too long for a v4 fingerprint' });
    body.writeUInt16BE(0, 6);
    expect(readPublicKeyItem(pubkeyItem(packet(6, body.subarray(0, 0xffff))), fp)).toMatchObject({ ok: false, problem: /has fingerprint [0-9A-F]{40}, not the node’s/ });
  });

  it('refuses v3 keys (XEP-0373 §6.1) and v5/v6 keys (no v4 fingerprint)', () => {
    expect(readPublicKeyItem(pubkeyItem(packet(6, Buffer.from([3, 0, 0, 0, 0, 0, 0, 1]))), fp)).toEqual({ ok: false, problem: 'a version 3 key; XEP-0373 §6.1 accepts only version 4 and later' });
    expect(readPublicKeyItem(pubkeyItem(packet(6, Buffer.from([6, 0, 0, 0, 0, 27, 0, 0, 0, 32]))), fp)).toEqual({
      ok: false,
      problem: 'a version 6 key; XEP-0373 lists keys by their v4 fingerprint, which it does not have',
    });
  });

  it('keeps the key but says so when what follows it is damaged, caps User IDs, and refuses oversized items', () => {
    const key = profanityKey();
    const damaged = Buffer.concat([key, Buffer.from([0x42, 0x00])]);
    expect(readPublicKeyItem(pubkeyItem(damaged), fp)).toMatchObject({ ok: true, key: { fingerprint: fp, problems: ['after the public key: byte ' + key.length + ' does not start an OpenPGP packet'] } });
    const uids = Array.from({ length: 40 }, (_, i) => packet(13, Buffer.from(`xmpp:u${i}@capulet.lit`)));
    const withUids = readPublicKeyItem(pubkeyItem(Buffer.concat([key, ...uids])), fp);
    expect(withUids.ok && withUids.key.userIds.length).toBe(16);
    const second = readPublicKeyItem(pubkeyItem(Buffer.concat([key, key])), fp);
    expect(second).toMatchObject({ ok: true, key: { problems: ['the data holds more than one key; the first is read'] } });
    const huge = Buffer.concat([key, packet(17, Buffer.alloc(MAX_KEY_ITEM_BYTES))]);
    expect(readPublicKeyItem(pubkeyItem(huge), fp)).toMatchObject({ ok: false, problem: /over the \d+-byte limit/ });
  });

  it('checks an armored key’s CRC-24 and its structure', () => {
    const armoredText = Buffer.from(fixtureItem('profanity-openpgp-key-armored').payload?.getChildText('data') ?? '', 'base64').toString('latin1');
    const crcLine = armoredText.split('\n').find((l) => /^=[A-Za-z0-9+/]{4}$/.test(l)) ?? '';
    expect(crcLine).not.toBe('');
    const wrongCrc = armoredText.replace(crcLine, crcLine === '=AAAA' ? '=AAAB' : '=AAAA');
    expect(readPublicKeyItem(pubkeyItem(Buffer.from(wrongCrc, 'latin1')), fp)).toEqual({ ok: false, problem: 'the armored key’s checksum does not match' });
    const noEnd = armoredText.replace('-----END PGP PUBLIC KEY BLOCK-----', '');
    expect(readPublicKeyItem(pubkeyItem(Buffer.from(noEnd, 'latin1')), fp)).toEqual({ ok: false, problem: 'the armored key has no END line' });
  });
});
