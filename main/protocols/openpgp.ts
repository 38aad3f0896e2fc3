/**
 * Reading a contact's OpenPGP for XMPP keys (XEP-0373 §4): the metadata node
 * urn:xmpp:openpgp:0:public-keys lists each key by its v4 fingerprint and a date (§4.2), and each key
 * sits in its own data node urn:xmpp:openpgp:0:public-keys:<FINGERPRINT> as base64 OpenPGP data
 * (§4.1). From the key data this reads only the first packet, the primary Public-Key packet
 * (RFC 4880 §5.5.2), to compute the v4 fingerprint itself (§12.2: SHA-1 over 0x99, a two-octet length
 * and the packet body) and learn the creation time and algorithm, and the User ID packets (§5.11), to
 * see whether the key names the contact's address ("xmpp:juliet@example.org", XEP-0373 §8.5).
 * Signatures are not checked: the app shows what the contact's account published, and the fingerprint
 * is what people compare.
 *
 * Only reading, and hostile input: sizes and counts are capped, every length is checked against what
 * is left, and the readers return problems as text instead of throwing.
 */
import { createHash } from 'node:crypto';
import { OTHER_KEY_LIMITS } from '../../contract/limits.js';
import { cleanText } from '../untrusted-text.js';
import { NS } from '../xmpp/namespaces.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { decodeBase64 } from './base64.js';
import { keptFirst } from './kept-first.js';
import { pickSingletonItem, quoted } from './singleton-item.js';

/** Largest metadata item read. */
export const MAX_KEY_LIST_ITEM_BYTES = 16 * 1024;
/** Keys read from one list (those the caller already knows first); the rest are reported, not read. */
export const MAX_LISTED_KEYS = OTHER_KEY_LIMITS.listedKeys;
/** Largest key data item read: a key with many certifications can be big; servers stop at 256 KiB. */
export const MAX_KEY_ITEM_BYTES = 200 * 1024;
/** Packets looked at in one key before the rest is ignored. */
export const MAX_PACKETS = 1024;
/** User IDs kept from one key. */
export const MAX_USER_IDS = 16;
const MAX_USER_ID_CHARS = 256;

const V4_FINGERPRINT = /^[0-9A-Fa-f]{40}$/;
/** XEP-0082 §3.2 DateTime: CCYY-MM-DDThh:mm:ss[.sss]TZD. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function publicKeyNode(fingerprint: string): string {
  return `${NS.openpgpPublicKeys}:${fingerprint.toUpperCase()}`;
}

export interface ListedKey {
  /** 40 uppercase hex digits (XEP-0373 §4.1 "OpenPGP v4 fingerprint string"). */
  fingerprint: string;
  /** When the key was published or updated, per the list; undefined when missing or not a DateTime. */
  date?: Date;
}

/** `leftOut`: fingerprints the list names beyond MAX_LISTED_KEYS, in the list's order (listed, not read). */
export type KeyListReading = { ok: true; keys: ListedKey[]; leftOut: string[]; problems: string[] } | { ok: false; problem: string };

/**
 * XEP-0373 §4.2: the <public-keys-list/> of the metadata node. When it names more than MAX_LISTED_KEYS
 * keys, the fingerprints in `knownFirst` (keys the vault has a record of, most relied on first) are read
 * before any new one (kept-first.ts); the keys read keep the list's order.
 */
export function readPublicKeysList(items: readonly RawItem[], knownFirst: readonly string[] = []): KeyListReading {
  const { item, problems } = pickSingletonItem(items);
  if (!item) return { ok: true, keys: [], leftOut: [], problems };
  if (item.size > MAX_KEY_LIST_ITEM_BYTES) return { ok: false, problem: `the key list is ${item.size} bytes, over the ${MAX_KEY_LIST_ITEM_BYTES}-byte limit` };
  const list = item.payload;
  if (!list || !list.is('public-keys-list', NS.openpgp)) return { ok: false, problem: `no <public-keys-list xmlns="${NS.openpgp}"/> in the item` };
  const listed: { fingerprint: string; dateText: string | undefined }[] = [];
  const seen = new Set<string>();
  for (const entry of list.getChildElements()) {
    if (entry.name !== 'pubkey-metadata') continue;
    const raw = entry.attrs['v4-fingerprint'];
    if (raw === undefined || !V4_FINGERPRINT.test(raw)) {
      problems.push(`${quoted(raw, 44)} is not a v4 fingerprint (40 hexadecimal digits)`);
      continue;
    }
    const fingerprint = raw.toUpperCase();
    if (seen.has(fingerprint)) {
      problems.push(`${fingerprint} is listed more than once`); // §4.2: MUST NOT occur more than once
      continue;
    }
    seen.add(fingerprint);
    listed.push({ fingerprint, dateText: entry.attrs.date });
  }
  const read = new Set(keptFirst(listed.map((k) => k.fingerprint), knownFirst.map((f) => f.toUpperCase()), MAX_LISTED_KEYS));
  const keys: ListedKey[] = [];
  for (const { fingerprint, dateText } of listed.filter((k) => read.has(k.fingerprint))) {
    const date = dateText !== undefined && DATE_TIME.test(dateText) ? new Date(dateText) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) {
      problems.push(`${fingerprint}: its date ${quoted(dateText, 44)} is not an XEP-0082 DateTime`);
      keys.push({ fingerprint });
    } else {
      keys.push({ fingerprint, date });
    }
  }
  const leftOut = listed.filter((k) => !read.has(k.fingerprint)).map((k) => k.fingerprint);
  if (leftOut.length > 0) problems.push(`${leftOut.length} more keys not read (at most ${MAX_LISTED_KEYS} are read, those already known first)`);
  return { ok: true, keys, leftOut, problems };
}

export interface OpenPgpPublicKey {
  /** The v4 fingerprint computed from the key data, 40 uppercase hex digits. */
  fingerprint: string;
  /** The long key id: the fingerprint's last 16 digits (RFC 4880 §12.2). */
  keyId: string;
  created: Date;
  /** e.g. 'RSA', 'EdDSA (Ed25519)', 'ECDSA (NIST P-256)'. */
  algorithm: string;
  /** Modulus or prime size for RSA, DSA and Elgamal keys. */
  bits?: number;
  /** User IDs as published (cleaned, capped). */
  userIds: string[];
  /** The data was ASCII-armored inside the base64, which XEP-0373 §4.1 forbids (Profanity does it when given an armored file). */
  armored: boolean;
  problems: string[];
}

export type PublicKeyReading = { ok: true; key: OpenPgpPublicKey } | { ok: false; problem: string };

/**
 * XEP-0373 §4.1: a key's data item, read from node `publicKeyNode(expectedFingerprint)`. A key whose
 * computed fingerprint is not the node's is refused: the node promised another key.
 */
export function readPublicKeyItem(items: readonly RawItem[], expectedFingerprint: string): PublicKeyReading {
  const { item, problems } = pickSingletonItem(items);
  if (!item) return { ok: false, problem: 'the key node holds no item' };
  if (item.size > MAX_KEY_ITEM_BYTES) return { ok: false, problem: `the key item is ${item.size} bytes, over the ${MAX_KEY_ITEM_BYTES}-byte limit` };
  const pubkey = item.payload;
  if (!pubkey || !pubkey.is('pubkey', NS.openpgp)) return { ok: false, problem: `no <pubkey xmlns="${NS.openpgp}"/> in the item` };
  const data = pubkey.getChildren('data');
  if (data.length !== 1) return { ok: false, problem: `expected one <data/>, found ${data.length}` };
  let bytes = decodeBase64(data[0]?.text(), MAX_KEY_ITEM_BYTES);
  if (!bytes) return { ok: false, problem: '<data/> is not base64' };
  let armored = false;
  if (bytes.subarray(0, ARMOR_BEGIN.length).toString('latin1') === ARMOR_BEGIN) {
    const dearmored = dearmor(bytes.toString('latin1'));
    if (typeof dearmored === 'string') return { ok: false, problem: dearmored };
    bytes = dearmored;
    armored = true;
    problems.push('the key is ASCII-armored inside the base64 (XEP-0373 §4.1 says plain OpenPGP data)');
  }
  const parsed = parseTransferableKey(bytes);
  if (typeof parsed === 'string') return { ok: false, problem: parsed };
  if (parsed.fingerprint !== expectedFingerprint.toUpperCase()) {
    return { ok: false, problem: `the key in this node has fingerprint ${parsed.fingerprint}, not the node's ${quoted(expectedFingerprint, 44)}` };
  }
  return { ok: true, key: { ...parsed, armored, problems: [...problems, ...parsed.problems] } };
}

/** True when the key has the User ID XEP-0373 §8.5 asks for: "xmpp:" and the bare JID. */
export function namesAddress(key: OpenPgpPublicKey, bareJid: string): boolean {
  const wanted = `xmpp:${bareJid}`.toLowerCase();
  return key.userIds.some((uid) => uid.toLowerCase() === wanted);
}

/** RFC 4880 §6.2: the Armor Header Line of a public key block. */
const ARMOR_BEGIN = '-----BEGIN PGP PUBLIC KEY BLOCK-----';

/** RFC 4880 §6: the armored block's data, its CRC-24 checked when present; a problem text otherwise. */
function dearmor(text: string): Buffer | string {
  const lines = text.split(/\r?\n/).map((l) => l.trimEnd());
  const end = lines.findIndex((l) => l === '-----END PGP PUBLIC KEY BLOCK-----');
  if (end < 0) return 'the armored key has no END line';
  const blank = lines.findIndex((l, i) => i > 0 && l === '');
  if (blank < 0 || blank > end) return 'the armored key has no blank line after its headers';
  const body = lines.slice(blank + 1, end);
  const crcLine = body.length > 0 && body[body.length - 1]?.startsWith('=') ? body.pop() : undefined;
  const data = decodeBase64(body.join(''), MAX_KEY_ITEM_BYTES);
  if (!data) return 'the armored key’s body is not base64';
  if (crcLine !== undefined) {
    const crc = decodeBase64(crcLine.slice(1), 3);
    if (!crc || crc.length !== 3 || crc.readUIntBE(0, 3) !== crc24(data)) return 'the armored key’s checksum does not match';
  }
  return data;
}

/** RFC 4880 §6.1. */
function crc24(data: Uint8Array): number {
  let crc = 0xb704ce;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

interface Packet {
  tag: number;
  body: Buffer;
}

/** RFC 4880 §4.2 packet headers, old and new format; key material never uses partial lengths. */
function readPacket(data: Buffer, at: number): { packet: Packet; next: number } | string {
  const first = data[at];
  if (first === undefined || (first & 0x80) === 0) return `byte ${at} does not start an OpenPGP packet`;
  let tag: number;
  let length: number;
  let offset = at + 1;
  const need = (n: number) => offset + n <= data.length;
  if (first & 0x40) {
    tag = first & 0x3f;
    const o1 = data[offset];
    if (o1 === undefined) return 'a packet header is cut short';
    if (o1 < 192) {
      length = o1;
      offset += 1;
    } else if (o1 < 224) {
      if (!need(2)) return 'a packet header is cut short';
      length = ((o1 - 192) << 8) + (data[offset + 1] ?? 0) + 192;
      offset += 2;
    } else if (o1 === 255) {
      if (!need(5)) return 'a packet header is cut short';
      length = data.readUInt32BE(offset + 1);
      offset += 5;
    } else {
      return 'a packet uses a partial body length, which key packets never do';
    }
  } else {
    tag = (first >> 2) & 0x0f;
    const lengthType = first & 0x03;
    const size = lengthType === 0 ? 1 : lengthType === 1 ? 2 : lengthType === 2 ? 4 : 0;
    if (size === 0) return 'a packet has an indeterminate length';
    if (!need(size)) return 'a packet header is cut short';
    length = data.readUIntBE(offset, size);
    offset += size;
  }
  if (length > data.length - offset) return `a packet says it is ${length} bytes, but only ${data.length - offset} are left`;
  return { packet: { tag, body: data.subarray(offset, offset + length) }, next: offset + length };
}

const PACKET_PUBLIC_KEY = 6;
const PACKET_USER_ID = 13;

/** RFC 4880 §11.1 (Transferable Public Keys): the primary key first, then its User IDs and the rest. */
function parseTransferableKey(data: Buffer): Omit<OpenPgpPublicKey, 'armored'> | string {
  const problems: string[] = [];
  const first = readPacket(data, 0);
  if (typeof first === 'string') return first;
  if (first.packet.tag !== PACKET_PUBLIC_KEY) return `the data starts with packet type ${first.packet.tag}, not a public key (6)`;
  const key = readPublicKeyPacket(first.packet.body);
  if (typeof key === 'string') return key;

  const userIds: string[] = [];
  let at = first.next;
  for (let count = 1; at < data.length; count++) {
    if (count >= MAX_PACKETS) {
      problems.push(`more than ${MAX_PACKETS} packets; the rest was not read`);
      break;
    }
    const next = readPacket(data, at);
    if (typeof next === 'string') {
      problems.push(`after the public key: ${next}`);
      break;
    }
    if (next.packet.tag === PACKET_PUBLIC_KEY) {
      problems.push('the data holds more than one key; the first is read');
      break;
    }
    if (next.packet.tag === PACKET_USER_ID && userIds.length < MAX_USER_IDS) {
      const uid = cleanText(next.packet.body.toString('utf8'), MAX_USER_ID_CHARS);
      if (uid !== undefined) userIds.push(uid);
    }
    at = next.next;
  }
  return { ...key, userIds, problems };
}

/** RFC 4880 §5.5.2: version 4 public key packet body; §12.2 its fingerprint. */
function readPublicKeyPacket(body: Buffer): Omit<OpenPgpPublicKey, 'armored' | 'userIds' | 'problems'> | string {
  const version = body[0];
  if (version === undefined) return 'the public key packet is empty';
  // XEP-0373 §6.1: version 4 or later only (v2/v3 keys are insecure, RFC 4880 §5.5.2).
  if (version < 4) return `a version ${version} key; XEP-0373 §6.1 accepts only version 4 and later`;
  // v5/v6 keys (RFC 9580) have SHA-256 fingerprints: the list's v4-fingerprint cannot name them.
  if (version > 4) return `a version ${version} key; XEP-0373 lists keys by their v4 fingerprint, which it does not have`;
  if (body.length < 6) return 'the public key packet is cut short';
  const created = new Date(body.readUInt32BE(1) * 1000);
  const algorithmId = body[5] ?? 0;
  const material = body.subarray(6);
  // §12.2 hashes the body's length in two octets: a longer body has no v4 fingerprint (checked before
  // the length is written, which throws past 65,535).
  if (body.length > 0xffff) return 'the public key packet is too long for a v4 fingerprint';
  const header = Buffer.alloc(3);
  header[0] = 0x99;
  header.writeUInt16BE(body.length, 1);
  const fingerprint = createHash('sha1').update(header).update(body).digest('hex').toUpperCase();
  const { algorithm, bits } = describeAlgorithm(algorithmId, material);
  return { fingerprint, keyId: fingerprint.slice(-16), created, algorithm, ...(bits !== undefined ? { bits } : {}) };
}

/** RFC 4880 §9.1 algorithm ids (and RFC 9580's), with the size or curve read from the key material. */
function describeAlgorithm(id: number, material: Buffer): { algorithm: string; bits?: number } {
  const mpiBits = (): number | undefined => (material.length >= 2 ? material.readUInt16BE(0) : undefined);
  const curve = (): string => {
    const length = material[0];
    if (length === undefined || length === 0 || length === 0xff || length + 1 > material.length) return 'unknown curve';
    return CURVES[material.subarray(1, 1 + length).toString('hex')] ?? 'unknown curve';
  };
  switch (id) {
    case 1:
    case 2:
    case 3:
      return { algorithm: 'RSA', bits: mpiBits() };
    case 16:
    case 20:
      return { algorithm: 'Elgamal', bits: mpiBits() };
    case 17:
      return { algorithm: 'DSA', bits: mpiBits() };
    case 18:
      return { algorithm: `ECDH (${curve()})` };
    case 19:
      return { algorithm: `ECDSA (${curve()})` };
    case 22:
      return { algorithm: `EdDSA (${curve()})` };
    case 25:
      return { algorithm: 'X25519' };
    case 26:
      return { algorithm: 'X448' };
    case 27:
      return { algorithm: 'Ed25519' };
    case 28:
      return { algorithm: 'Ed448' };
    default:
      return { algorithm: `algorithm ${id}` };
  }
}

/** RFC 6637 §11 and the Ed25519/Curve25519 OIDs GnuPG uses, as DER-encoded OID bytes in hex. */
const CURVES: Readonly<Record<string, string>> = {
  '2a8648ce3d030107': 'NIST P-256',
  '2b81040022': 'NIST P-384',
  '2b81040023': 'NIST P-521',
  '2b2403030208010107': 'brainpoolP256r1',
  '2b240303020801010b': 'brainpoolP384r1',
  '2b240303020801010d': 'brainpoolP512r1',
  '2b06010401da470f01': 'Ed25519',
  '2b060104019755010501': 'Curve25519',
};
