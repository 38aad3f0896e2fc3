/**
 * main/keys/der.ts reads certificates from the network. Hostile DER of every kind X.690 §10 forbids
 * must be refused with a MalformedCertificateError saying where, never a TypeError or RangeError; and
 * on thousands of damaged real certificates the reader must give what forge's reading gave
 * (test/unit/keys/forge-reference.ts), except the documented cases where it is stricter or right.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { openCommonCertificate, type OpenedCertificate } from '../../../main/keys/common-certificate.js';
import {
  childrenOf,
  type DerNode,
  MalformedCertificateError,
  MAX_DEPTH,
  parseDer,
  readBoolean,
  readDirectoryString,
  readInteger,
  readOid,
  readTime,
  readUtf8String,
} from '../../../main/keys/der.js';
import { generateRsaKeyPair } from '../../../main/keys/generate.js';
import { findWeaknesses } from '../../../main/keys/weakness.js';
import { parseCertificateDer, readCertificateIdentities, type CertificateIdentities } from '../../../main/keys/xmpp-addr.js';
import { prng } from '../../support/prng.js';
import { commonNameDer, signedCertificate, splitCertificate, tlv, withTbsField } from './der-surgery.js';
import {
  forgeOpenCommonCertificate,
  forgeParseCertificateDer,
  forgeReadCertificateIdentities,
  forgeWeakSignatureHash,
} from './forge-reference.js';
import { forgeCertificate as forgeMade } from './forge-made.js';
import { opensslCertificate, Scratch } from './openssl.js';

const JULIET = 'juliet@capulet.lit';
const SEED = 0x64657221;
const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** The error `read` throws; fails the test when it throws none or another kind. */
function refusal(read: () => unknown): MalformedCertificateError {
  try {
    read();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(MalformedCertificateError);
    return error as MalformedCertificateError;
  }
  throw new Error('expected a MalformedCertificateError, got an answer');
}

/** `count` SEQUENCEs nested one in another, around an empty one, in definite lengths. */
function nested(count: number): Buffer {
  let element: Buffer = Buffer.from([0x30, 0x00]);
  for (let i = 1; i < count; i++) element = tlv(0x30, element);
  return element;
}

/** `levels` SEQUENCEs nested in definite lengths, each in its shortest form, built without recursion. */
function depthBomb(levels: number): Buffer {
  // Contents length of each level, innermost (empty) first.
  const lengths = [0];
  const headerSize = (length: number): number => (length < 0x80 ? 2 : 2 + Math.ceil(Math.log2(length + 1) / 8));
  for (let i = 1; i < levels; i++) {
    const inner = lengths[i - 1] ?? 0;
    lengths.push(headerSize(inner) + inner);
  }
  const outermost = lengths[levels - 1] ?? 0;
  const bomb = Buffer.alloc(headerSize(outermost) + outermost);
  let at = 0;
  for (let i = levels - 1; i >= 0; i--) {
    const length = lengths[i] ?? 0;
    const size = headerSize(length);
    bomb[at] = 0x30;
    if (size === 2) bomb[at + 1] = length;
    else {
      bomb[at + 1] = 0x80 | (size - 2);
      bomb.writeUIntBE(length, at + 2, size - 2);
    }
    at += size;
  }
  return bomb;
}

describe('parseDer refuses what DER refuses, saying where', () => {
  it.each([
    ['a long-form length below 128 (BER)', '30 81 03 020101', /long-form length below 128 \(byte 0\)/],
    ['an indefinite length', '30 80 020101 0000', /indefinite length/],
    ['a length with a leading zero octet', `30 82 0085 04 81 82 ${'00'.repeat(130)}`, /leading zero/],
    ['the reserved length octet 0xFF', '30 ff', /too large/],
    ['a length of five octets', '30 85 0000000001 00', /too large/],
    ['a truncated element', '30 05 0201', /past its end/],
    ['a truncated header', '30', /truncated/],
    ['a length past its parent', '30 06 30 03 020201 02', /past its end \(byte 4\)/],
    ['bytes after the outermost element', '30 00 00', /bytes follow/],
    ['a high tag number (universal)', '1f 20 00', /high tag number/],
    ['a high tag number (context, inside a SEQUENCE)', '30 03 bf 20 00', /high tag number, .* \(byte 2\)/],
    ['an end-of-contents marker', '30 02 0000', /end-of-contents/],
    ['a constructed INTEGER', '30 05 22 03 020101', /universal type 2 constructed/],
    ['a constructed OCTET STRING (BER only)', '24 03 040100', /universal type 4 constructed/],
    ['a primitive SEQUENCE', '10 00', /universal type 16 primitive/],
    ['a primitive SET', '30 02 11 00', /universal type 17 primitive/],
  ])('%s', (_what, input, message) => {
    expect(refusal(() => parseDer(hex(input), 'test')).message).toMatch(message);
  });

  it(`takes ${MAX_DEPTH} levels of nesting and refuses one more, and a depth bomb, without recursion`, () => {
    expect(parseDer(nested(MAX_DEPTH), 'test').constructed).toBe(true);
    expect(refusal(() => parseDer(nested(MAX_DEPTH + 1), 'test')).message).toMatch(/deeper than 32/);
    // 100,000 levels in definite, shortest-form lengths: a recursive reader would overflow its stack.
    const bomb = depthBomb(100_000);
    expect(bomb.length).toBeGreaterThan(400_000);
    expect(refusal(() => parseDer(bomb, 'test')).message).toMatch(/nests deeper than 32 levels \(byte \d+\)/);
  });

  it('reads a valid tree as views of the same bytes, children on demand', () => {
    const bytes = hex('30 0a 02 01 05 a0 05 0c 03 616263');
    const root = parseDer(bytes, 'test');
    const [integer, tagged] = childrenOf(root, 'test') as [DerNode, DerNode];
    expect([...readInteger(integer, 'n')]).toEqual([5]);
    expect(integer.content().buffer).toBe(bytes.buffer);
    expect(tagged.isContext(0) && tagged.constructed).toBe(true);
    expect(readUtf8String(childrenOf(tagged, 'test')[0], 's')).toBe('abc');
  });
});

describe('the value readers check their own DER rules', () => {
  const node = (input: string): DerNode => parseDer(hex(input), 'test');

  it('INTEGER: shortest form only (X.690 §8.3.2)', () => {
    expect([...readInteger(node('02 02 0080'), 'n')]).toEqual([0, 0x80]);
    expect([...readInteger(node('02 01 ff'), 'n')]).toEqual([0xff]);
    for (const input of ['02 02 0001', '02 02 ff80', '02 00']) refusal(() => readInteger(node(input), 'n'));
  });

  it('BOOLEAN: 0x00 and 0xFF only', () => {
    expect(readBoolean(node('01 01 ff'), 'b')).toBe(true);
    expect(readBoolean(node('01 01 00'), 'b')).toBe(false);
    for (const input of ['01 01 01', '01 02 ffff', '01 00']) refusal(() => readBoolean(node(input), 'b'));
  });

  it('OBJECT IDENTIFIER: arcs in shortest form, ended, at most 2^53 − 1', () => {
    expect(readOid(node('06 09 2a864886f70d01010b'), 'oid')).toBe('1.2.840.113549.1.1.11');
    expect(readOid(node('06 03 550403'), 'oid')).toBe('2.5.4.3');
    expect(readOid(node('06 02 8837'), 'oid')).toBe('2.999'); // a first subidentifier over 80
    expect(readOid(node('06 09 2a 8fffffffffffff 7f'), 'oid')).toBe(`1.2.${2 ** 53 - 1}`);
    expect(refusal(() => readOid(node('06 09 2a 90808080808080 00'), 'oid')).message).toMatch(/too large/);
    expect(refusal(() => readOid(node(`06 0b 2a ${'ff'.repeat(9)} 7f`), 'oid')).message).toMatch(/too large/);
    expect(refusal(() => readOid(node('06 03 2a 8001'), 'oid')).message).toMatch(/shortest form/);
    expect(refusal(() => readOid(node('06 02 2a 86'), 'oid')).message).toMatch(/truncated/);
    refusal(() => readOid(node('06 00'), 'oid'));
    refusal(() => readOid(node('02 01 01'), 'oid'));
  });

  it('UTF8String: valid UTF-8 only', () => {
    expect(readUtf8String(node('0c 03 6ac3a9'), 's')).toBe('jé');
    for (const input of ['0c 02 c328', '0c 01 ff', '0c 03 eda080' /* a surrogate */, '0c 02 c0af' /* overlong '/' */]) {
      expect(refusal(() => readUtf8String(node(input), 's')).message).toMatch(/not valid UTF-8/);
    }
  });

  it('PrintableString and IA5String: one 7-bit character per byte; BMPString: UCS-2 big-endian', () => {
    expect(readDirectoryString(node(`13 12 ${Buffer.from(JULIET).toString('hex')}`), 'cn')).toBe(JULIET); // '@' as makers write it
    expect(readDirectoryString(node('16 03 612e62'), 'cn')).toBe('a.b');
    expect(readDirectoryString(node('1e 06 004a 00e9 4e2d'), 'cn')).toBe('Jé中');
    for (const input of ['13 02 c3a9', '16 01 80', '1e 03 004a00', '1e 02 d800', '14 01 41' /* TeletexString */]) {
      refusal(() => readDirectoryString(node(input), 'cn'));
    }
  });

  it('UTCTime and GeneralizedTime in RFC 5280 §4.1.2.5’s forms only', () => {
    const time = (tag: number, text: string): DerNode => parseDer(tlv(tag, Buffer.from(text)), 'test');
    expect(readTime(time(0x17, '491231235959Z'), 't')).toBe(Date.parse('2049-12-31T23:59:59Z'));
    expect(readTime(time(0x17, '500101000000Z'), 't')).toBe(Date.parse('1950-01-01T00:00:00Z'));
    expect(readTime(time(0x18, '20500102120000Z'), 't')).toBe(Date.parse('2050-01-02T12:00:00Z'));
    expect(readTime(time(0x18, '00450315000000Z'), 't')).toBe(Date.parse('0045-03-15T00:00:00Z')); // not 1945
    for (const [tag, text] of [
      [0x17, '4912312359Z'], // no seconds
      [0x17, '491231235959+0100'],
      [0x17, '491231235959'],
      [0x18, '20500102120000.5Z'],
      [0x17, '491331235959Z'], // month 13
      [0x17, '490230120000Z'], // 30 February
      [0x17, '490101120060Z'], // second 60
      [0x17, '49010112000aZ'],
      [0x04, '491231235959Z'],
    ] as const) {
      refusal(() => readTime(time(tag, text), 't'));
    }
  });
});

describe('the certificate readers on hostile DER', () => {
  it('throw only MalformedCertificateError for 20,000 random and mutated inputs', async () => {
    const { privateKey } = await generateRsaKeyPair(2048);
    const good = await createSelfSignedCertificate({ bareJid: JULIET, privateKey });
    const r = prng(SEED);
    for (let i = 0; i < 20_000; i++) {
      const bytes = i % 4 === 0 ? r.bytes(r.int(300)) : Buffer.from(good);
      if (i % 4 !== 0) for (let k = 0, n = 1 + r.int(4); k < n; k++) bytes[r.int(bytes.length)] = r.int(256);
      if (i % 8 === 0 && bytes.length > 0) bytes[0] = 0x30;
      for (const read of [() => readCertificateIdentities(bytes), () => openCommonCertificate(bytes, parseCertificateDer(bytes))]) {
        try {
          read();
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(MalformedCertificateError);
        }
      }
    }
  }, 60_000);
});

/** What one reader makes of a certificate: the parse, the names, the quick path's answer, the weak hash. */
interface Reading {
  parsed: boolean;
  identities?: CertificateIdentities | string;
  opened?: { notBeforeMs: number; notAfterMs: number; selfSigned: boolean; n: string } | 'none';
  weakHash?: string;
}

function summary(opened: OpenedCertificate | undefined): Reading['opened'] {
  if (opened === undefined) return 'none';
  const { notBeforeMs, notAfterMs, selfSigned, key } = opened;
  return { notBeforeMs, notAfterMs, selfSigned, n: String(key.export({ format: 'jwk' }).n) };
}

const caught = (error: unknown): string => {
  if (!(error instanceof MalformedCertificateError)) throw error;
  return `malformed: ${error.message}`;
};

function readWithForge(der: Buffer): Reading {
  let parsed;
  try {
    parsed = forgeParseCertificateDer(der);
  } catch {
    return { parsed: false };
  }
  let identities: Reading['identities'];
  try {
    identities = forgeReadCertificateIdentities(parsed);
  } catch (error) {
    identities = caught(error);
  }
  return { parsed: true, identities, opened: summary(forgeOpenCommonCertificate(der, parsed)), weakHash: forgeWeakSignatureHash(parsed) };
}

function readWithDer(der: Buffer): Reading & { refusal?: string } {
  let parsed;
  try {
    parsed = parseCertificateDer(der);
  } catch (error) {
    return { parsed: false, refusal: caught(error) };
  }
  let identities: Reading['identities'];
  try {
    identities = readCertificateIdentities(parsed);
  } catch (error) {
    identities = caught(error);
  }
  const weak = findWeaknesses({ bits: 4096, publicExponent: 65537n, der, parsed }).join();
  return { parsed: true, identities, opened: summary(openCommonCertificate(der, parsed)), weakHash: /made with (\S+),/.exec(weak)?.[1] };
}

describe('the DER reader against forge’s reading (differential)', () => {
  interface Source {
    name: string;
    der: Buffer;
    privateKey: KeyObject;
  }
  let sources: Source[];

  beforeAll(async () => {
    const ours = await generateRsaKeyPair(2048);
    const scratch = await Scratch.create();
    try {
      const theirs = await opensslCertificate(scratch, 'theirs', {
        subject: `/CN=${JULIET}/O=Capulet`,
        extensions: [`subjectAltName=otherName:1.3.6.1.5.5.7.8.5;UTF8:${JULIET},DNS:capulet.lit`, 'keyUsage=critical,digitalSignature'],
      });
      const pss = await opensslCertificate(scratch, 'pss', { subject: `/CN=${JULIET}`, signatureOptions: ['rsa_padding_mode:pss'] });
      sources = [
        { name: 'the app’s', der: await createSelfSignedCertificate({ bareJid: JULIET, privateKey: ours.privateKey }), privateKey: ours.privateKey },
        { name: 'openssl’s', der: theirs.der, privateKey: createPrivateKey(theirs.keyPem) },
        { name: 'forge’s (PrintableString names)', ...forgeCertificate() },
        { name: 'openssl’s RSASSA-PSS', der: pss.der, privateKey: createPrivateKey(pss.keyPem) },
      ];
    } finally {
      await scratch.remove();
    }
  }, 60_000);

  /**
   * Compares both readers on `der`. Where forge's strict parse refused, the DER reader must refuse
   * too, but for forge's misreading of tag 30 (hasOddTag30). Where it accepted, the DER reader may refuse only for a DER rule (BER lengths, constructed
   * strings, high tags…), and otherwise reads the same names, the same quick-path answer and the
   * same weak hash, or refuses a value forge let through (documented: OIDs not in shortest form or
   * with huge arcs, bytes ≥ 0x80 in a 7-bit string, a Name or RDN not a SEQUENCE/SET).
   */
  function compare(der: Buffer, counts: Map<string, number>): void {
    const before = readWithForge(der);
    const after = readWithDer(der);
    const count = (what: string): void => void counts.set(what, (counts.get(what) ?? 0) + 1);
    if (!before.parsed) {
      if (after.parsed && hasOddTag30(parseCertificateDer(der))) return count('forge misreads an odd-length tag 30 of another class');
      expect(after.parsed, 'forge refused it, the DER reader did not').toBe(false);
      return count('both refuse the parse');
    }
    // An independent DER oracle: forge writes shortest definite lengths and shortest INTEGERs, so its
    // re-encoding of what it read gives back the input exactly when those were DER.
    const reencoded = Buffer.from(forge.asn1.toDer(forgeParseCertificateDer(der)).getBytes(), 'binary');
    if (!after.parsed) {
      // DER lengths, yet refused: only for rules forge's writer does not apply (X.690 §10.2 and §8.1.2,
      // the values of BOOLEAN, NULL, BIT STRING, OBJECT IDENTIFIER and ENUMERATED, which it copies as
      // read, and an empty INTEGER, which it cannot shorten).
      if (reencoded.equals(der)) {
        expect(after.refusal).toMatch(/universal type \d+ (constructed|primitive)|high tag|end-of-contents|BOOLEAN|NULL|BIT STRING|OBJECT IDENTIFIER|ENUMERATED|empty INTEGER/);
      }
      else expect(after.refusal).toMatch(/not valid DER/);
      return count('BER/strict DER refused, forge parsed');
    }
    expect(reencoded.equals(der), 'the DER reader took what is not DER').toBe(true);
    count('both parse');
    if (typeof after.identities === 'string' && typeof before.identities !== 'string') {
      expect(after.identities).toMatch(/OBJECT IDENTIFIER|7-bit|not a SET|not a SEQUENCE/);
      count('names: DER reader stricter');
    } else {
      expect(typeof after.identities === 'string', 'both read the names, or both refuse').toBe(typeof before.identities === 'string');
      if (typeof after.identities !== 'string') expect(after.identities).toEqual(before.identities);
    }
    if (after.opened !== 'none' || before.opened === 'none') expect(after.opened).toEqual(before.opened);
    else count('quick path: DER reader leaves it to OpenSSL');
    if (after.weakHash !== before.weakHash) {
      expect(after.weakHash, 'a weak hash forge did not see').toBeUndefined();
      count('weak hash: unreadable OID');
    }
  }

  it('agrees on the untouched certificates', () => {
    for (const { der } of sources) {
      const after = readWithDer(der);
      expect(after).toEqual(readWithForge(der));
      expect(after.opened === 'none' || after.opened?.selfSigned).toBeTruthy();
    }
  });

  it('agrees on 3000 byte-level mutations of real certificates (not signed again)', () => {
    const r = prng(SEED + 1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const damaged = Buffer.from(sources[i % sources.length]?.der ?? Buffer.alloc(0));
      for (let k = 0, n = 1 + r.int(3); k < n; k++) {
        const at = r.int(damaged.length);
        damaged[at] = r.int(2) === 0 ? (damaged[at] ?? 0) ^ (1 << r.int(8)) : r.int(256);
      }
      compare(i % 10 === 0 ? damaged.subarray(0, r.int(damaged.length)) : damaged, counts);
    }
    expect(counts.get('both parse')).toBeGreaterThan(300);
  }, 60_000);

  it('agrees where forge writes back what DER forbids: an empty INTEGER, an ENUMERATED not in its shortest form', () => {
    // forge's writer shortens an INTEGER by one octet and leaves ENUMERATED alone, so its re-encoding
    // is no DER oracle for these two (a random damage found them: the serial's tag flipped to 0x0A).
    const counts = new Map<string, number>();
    for (const source of sources) {
      const { tbs, signatureAlgorithm } = splitCertificate(source.der);
      for (const serial of [hex('02 00'), hex('0a 02 00 05'), hex('0a 02 ff 85'), hex('0a 00')]) {
        compare(signedCertificate(withTbsField(tbs, 1, serial), signatureAlgorithm, source.privateKey), counts);
      }
    }
    expect(counts.get('BER/strict DER refused, forge parsed')).toBe(4 * sources.length);
  });

  it('agrees on 1200 certificates damaged in their signed part and signed again', () => {
    const r = prng(SEED + 2);
    const counts = new Map<string, number>();
    for (let i = 0; i < 1200; i++) {
      const source = sources[i % sources.length] as Source;
      const { tbs, signatureAlgorithm } = splitCertificate(source.der);
      const damaged = Buffer.from(tbs);
      for (let k = 0, n = 1 + r.int(3); k < n; k++) {
        const at = r.int(damaged.length);
        damaged[at] = r.int(2) === 0 ? (damaged[at] ?? 0) ^ (1 << r.int(8)) : r.int(256);
      }
      compare(signedCertificate(damaged, signatureAlgorithm, source.privateKey), counts);
    }
    // The damage reaches the names and the quick path, not only the parse.
    expect(counts.get('both parse')).toBeGreaterThan(200);
    expect(counts.get('BER/strict DER refused, forge parsed') ?? 0).toBeGreaterThan(0);
  }, 60_000);

  it('reads a BMPString commonName right, where forge’s reading garbled it', () => {
    const source = sources[0] as Source;
    const { tbs, signatureAlgorithm } = splitCertificate(source.der);
    const name = 'jülïet@capulet.lit';
    const bmp = Buffer.from(name, 'utf16le').swap16();
    // Field 5 is the subject; the extensions (with the xmppAddr) stay.
    const der = signedCertificate(withTbsField(tbs, 5, commonNameDer(0x1e, bmp)), signatureAlgorithm, source.privateKey);
    expect(readCertificateIdentities(der).commonNames).toEqual([name]);
    expect(forgeReadCertificateIdentities(der).commonNames).not.toEqual([name]);
  });
});

/**
 * Whether the tree holds a primitive element of tag number 30 and odd length in any class. forge
 * reads tag 30 as a BMPString whatever its class (node-forge 1.4.3 lib/asn1.js _fromDer), two bytes a
 * character, so it refuses e.g. an odd-length [30] IMPLICIT value that is valid DER.
 */
function hasOddTag30(node: DerNode): boolean {
  if (!node.constructed) return node.tag === 30 && node.contentLength % 2 === 1;
  return childrenOf(node, 'test').some(hasOddTag30);
}

/** A certificate built and signed entirely by forge: PrintableString names, forge's own DER. */
const forgeCertificate = (): { der: Buffer; privateKey: KeyObject } =>
  forgeMade([{ name: 'subjectAltName', altNames: [{ type: 2, value: 'capulet.lit' }] }], JULIET);
