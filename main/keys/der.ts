/**
 * A small, strict DER reader (X.690 §10) for certificates that reach us from the network.
 *
 * Nodes are offset views into the caller's bytes (tag, header, content start and end): nothing is
 * copied until a value is read, and children are listed only when asked (then kept on the node, so the
 * readers of one certificate share them). parseDer checks the whole
 * tree once, so a node handed out is well-formed and reading its children cannot fail later:
 *
 * - definite lengths only, each in its shortest form (no long form below 128, no leading zero octet),
 *   each element inside its parent, and no byte after the outermost element;
 * - at most MAX_DEPTH levels (a certificate nests about eight deep; recursion is what a hostile
 *   input would try to exhaust, so the walk is iterative anyway);
 * - tag numbers below 31 only: no structure of X.509 (RFC 5280) or PKIX uses the high-tag form, so
 *   refusing it leaves no multi-octet tag decoding for an attacker to exercise;
 * - universal types primitive or constructed as X.690 §10.2 wants (strings are never constructed in
 *   DER), and universal tag 0 (end-of-contents, BER only) refused;
 * - wherever they are, BOOLEANs 0x00/0xFF, INTEGERs in shortest form, empty NULLs, BIT STRINGs with
 *   zero padding, OIDs in shortest form (checkPrimitive).
 *
 * Not checked, though DER has them: the order of a SET OF's elements (X.690 §11.6), and DEFAULT values
 * left out (§11.5; common-certificate.ts refuses an encoded `critical` FALSE itself). Both sit inside
 * the signed part, whose bytes the signature covers as they are, and neither changes what is read.
 *
 * The value readers below (INTEGER, BOOLEAN, OID, strings, times) check their own DER rules again,
 * and the ones the walk leaves to them (OID arc size, string contents, time forms). Every
 * failure is a MalformedCertificateError saying what and where, never a TypeError or RangeError.
 *
 * Why not a library: forge's fromDer (strict) still takes BER (long-form and indefinite lengths) and
 * builds a tree of binary strings that the walkers then copy and decode: ~29 KiB allocated per
 * certificate check. asn1js 3.1 (what @peculiar/asn1-schema and pkijs parse with) takes BER as well
 * and builds a far heavier tree: re-measured here on openssl's 845-byte RSA-2048 certificate
 * (Node 20, 2000 parses, median of 7 rounds) at 160–200 µs and ~158 KB per parse, against forge's
 * 3–10 µs and ~12 KB, and parseDer's 0.8 µs and ~0.3 KB (1.7 µs and ~4.6 KB listing every node).
 * Neither refuses what DER refuses, which is the point here; so this reader, small enough to check
 * line by line against X.690.
 */

/** A certificate's structure is not what RFC 5280 says; the message says where. */
export class MalformedCertificateError extends Error {
  override name = 'MalformedCertificateError';
}

export const MAX_DEPTH = 32;

/** X.690 §8.1.2.2 tag classes. */
export const TagClass = { UNIVERSAL: 0, APPLICATION: 1, CONTEXT: 2, PRIVATE: 3 } as const;

/** The universal tag numbers read here (X.680 §8.4). */
export const Tag = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  ENUMERATED: 10,
  UTF8_STRING: 12,
  SEQUENCE: 16,
  SET: 17,
  PRINTABLE_STRING: 19,
  IA5_STRING: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  BMP_STRING: 30,
} as const;

/** Universal types that are constructed by definition (EXTERNAL, EMBEDDED PDV, SEQUENCE, SET, CHARACTER STRING), as bits. */
const CONSTRUCTED_UNIVERSAL = (1 << 8) | (1 << 11) | (1 << 16) | (1 << 17) | (1 << 29);

/** One element: where it lies in `bytes`. */
export class DerNode {
  constructor(
    readonly bytes: Uint8Array,
    /** The identifier octet (X.690 §8.1.2): class, constructed bit and tag number in one small integer. */
    readonly identifier: number,
    /** Offset of the identifier octet. */
    readonly start: number,
    readonly contentStart: number,
    readonly end: number,
  ) {}

  get tagClass(): number {
    return this.identifier >> 6;
  }

  get constructed(): boolean {
    return (this.identifier & 0x20) !== 0;
  }

  get tag(): number {
    return this.identifier & 0x1f;
  }

  /** The children once listed: the readers of one certificate (quick path, names, weakness) share them. */
  children: DerNode[] | undefined = undefined;

  get contentLength(): number {
    return this.end - this.contentStart;
  }

  /** The contents, as a view (no copy). */
  content(): Uint8Array {
    return this.bytes.subarray(this.contentStart, this.end);
  }

  /** The whole element, header included, as a view. */
  element(): Uint8Array {
    return this.bytes.subarray(this.start, this.end);
  }

  /** Whether this is the universal type `tag`, primitive or constructed. */
  isUniversal(tag: number): boolean {
    return (this.identifier & 0xdf) === tag;
  }

  isContext(tag: number): boolean {
    return (this.identifier & 0xdf) === (0x80 | tag);
  }
}

/**
 * The one DER element that `bytes` holds, its whole tree checked (see the header comment). `what`
 * names it in errors. Throws MalformedCertificateError.
 */
export function parseDer(bytes: Uint8Array, what: string): DerNode {
  const root = readHeader(bytes, 0, bytes.length, what);
  if (root.end !== bytes.length) throw malformed(what, 'bytes follow the outermost element', root.end);
  // Iterative walk: each stack entry is a constructed element's end; `at` moves through the tree in order.
  const ends: number[] = [];
  let at = 0;
  let limit = bytes.length;
  for (;;) {
    while (ends.length > 0 && at === limit) {
      ends.pop();
      limit = ends.length > 0 ? (ends[ends.length - 1] ?? 0) : bytes.length;
    }
    if (at === bytes.length) break;
    // The walk allocates no node: the header lands in `scanned`.
    scanHeader(bytes, at, limit, what);
    const { constructed, contentStart, end } = scanned;
    if (constructed) {
      if (ends.length >= MAX_DEPTH) throw malformed(what, `nests deeper than ${MAX_DEPTH} levels`, at);
      ends.push(end);
      limit = end;
      at = contentStart;
    } else {
      if (scanned.tagClass === TagClass.UNIVERSAL) checkPrimitive(bytes, scanned.tag, at, contentStart, end, what);
      at = end;
    }
  }
  return root;
}

/**
 * The DER rules of the simple universal types, checked wherever they are in the tree (they cost a
 * byte or two each): a value forge or OpenSSL would re-encode differently is not DER.
 */
function checkPrimitive(bytes: Uint8Array, tag: number, start: number, from: number, end: number, what: string): void {
  const length = end - from;
  const first = bytes[from] ?? 0;
  const second = bytes[from + 1] ?? 0;
  switch (tag) {
    case Tag.BOOLEAN:
      if (length !== 1 || (first !== 0x00 && first !== 0xff)) throw malformed(what, 'is a BOOLEAN other than 0x00 or 0xFF', start);
      return;
    case Tag.INTEGER:
    case Tag.ENUMERATED:
      // X.690 §8.3.1/§8.3.2 (§8.4 for ENUMERATED): one octet at least, and no redundant leading octet.
      if (length === 0) throw malformed(what, `is an empty ${tag === Tag.INTEGER ? 'INTEGER' : 'ENUMERATED'}`, start);
      if (length > 1 && ((first === 0x00 && second < 0x80) || (first === 0xff && second >= 0x80))) {
        throw malformed(what, `is an ${tag === Tag.INTEGER ? 'INTEGER' : 'ENUMERATED'} not in its shortest form`, start);
      }
      return;
    case Tag.NULL:
      if (length !== 0) throw malformed(what, 'is a NULL with contents', start);
      return;
    case Tag.BIT_STRING: {
      // X.690 §11.2: at most 7 unused bits, none in an empty string, and those bits zero.
      const last = bytes[end - 1] ?? 0;
      if (length === 0 || first > 7 || (length === 1 && first !== 0) || (last & ((1 << first) - 1)) !== 0) {
        throw malformed(what, 'is a BIT STRING not in DER form', start);
      }
      return;
    }
    case Tag.OID:
      // X.690 §8.19.2: the last octet ends a subidentifier, and none starts with the padding 0x80.
      if (length === 0 || (bytes[end - 1] ?? 0) >= 0x80) throw malformed(what, 'is a truncated OBJECT IDENTIFIER', start);
      for (let i = from; i < end; i++) {
        if (bytes[i] === 0x80 && (i === from || (bytes[i - 1] ?? 0) < 0x80)) throw malformed(what, 'is an OBJECT IDENTIFIER not in its shortest form', start);
      }
      return;
  }
}

/** The children of a constructed element (its tree was checked by parseDer); the same array each time, not to be changed. */
export function childrenOf(node: DerNode, what: string): DerNode[] {
  if (!node.constructed) throw malformed(what, 'is not constructed', node.start);
  if (node.children !== undefined) return node.children;
  // Counted first: an array grown by push starts with room for 17, and most elements have 2 or 3.
  let count = 0;
  for (let at = node.contentStart; at < node.end; count++) {
    scanHeader(node.bytes, at, node.end, what);
    at = scanned.end;
  }
  const out = new Array<DerNode>(count);
  for (let at = node.contentStart, i = 0; i < count; i++) {
    const child = readHeader(node.bytes, at, node.end, what);
    out[i] = child;
    at = child.end;
  }
  node.children = out;
  return out;
}

/** The children of a SEQUENCE (or SET, for `set`), else MalformedCertificateError. */
export function sequenceOf(node: DerNode | undefined, what: string, set = false): DerNode[] {
  if (node === undefined || !node.isUniversal(set ? Tag.SET : Tag.SEQUENCE)) {
    throw new MalformedCertificateError(`The ${what} is not a ${set ? 'SET' : 'SEQUENCE'}.`);
  }
  return childrenOf(node, what);
}

/** The contents of a primitive element of this universal type. */
export function primitiveOf(node: DerNode | undefined, tag: number, what: string): Uint8Array {
  return expectPrimitive(node, tag, what).content();
}

/** The node, when it is a primitive element of this universal type. */
function expectPrimitive(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (node === undefined || !node.isUniversal(tag)) throw new MalformedCertificateError(`The ${what} is missing or of the wrong type.`);
  if (node.constructed) throw malformed(what, 'is not primitive', node.start);
  return node;
}

/** An INTEGER's two's-complement contents, checked minimal (X.690 §8.3.2). */
export function readInteger(node: DerNode | undefined, what: string): Uint8Array {
  const value = primitiveOf(node, Tag.INTEGER, what);
  const [first, second] = value;
  if (first === undefined) throw new MalformedCertificateError(`The ${what} is an empty INTEGER.`);
  if (second !== undefined && ((first === 0x00 && second < 0x80) || (first === 0xff && second >= 0x80))) {
    throw new MalformedCertificateError(`The ${what} is an INTEGER not in its shortest form.`);
  }
  return value;
}

/** A BOOLEAN: DER allows 0x00 and 0xFF only (X.690 §11.1). */
export function readBoolean(node: DerNode | undefined, what: string): boolean {
  const { bytes, contentStart, contentLength } = expectPrimitive(node, Tag.BOOLEAN, what);
  const value = bytes[contentStart];
  if (contentLength !== 1 || (value !== 0x00 && value !== 0xff)) throw new MalformedCertificateError(`The ${what} is not a DER BOOLEAN.`);
  return value === 0xff;
}

export function readNull(node: DerNode | undefined, what: string): void {
  if (expectPrimitive(node, Tag.NULL, what).contentLength !== 0) throw new MalformedCertificateError(`The ${what} is a NULL with contents.`);
}

/** A BIT STRING's bits as bytes when it has no unused bits (keys and signatures), else MalformedCertificateError. */
export function readOctetAlignedBits(node: DerNode | undefined, what: string): Uint8Array {
  const value = primitiveOf(node, Tag.BIT_STRING, what);
  if (value.length === 0 || value[0] !== 0) throw new MalformedCertificateError(`The ${what} is not a whole number of bytes.`);
  return value.subarray(1);
}

/**
 * An OBJECT IDENTIFIER in dotted form (X.690 §8.19): every subidentifier in its shortest form (no
 * leading 0x80), the last one ended, and each arc at most 2^53 − 1 so it stays an exact number.
 */
export function readOid(node: DerNode | undefined, what: string): string {
  const value = primitiveOf(node, Tag.OID, what);
  if (value.length === 0 || (value[value.length - 1] ?? 0) >= 0x80) throw new MalformedCertificateError(`The ${what} is a truncated OBJECT IDENTIFIER.`);
  let text = '';
  let arc = 0;
  let first = true;
  for (let i = 0; i < value.length; i++) {
    const octet = value[i] ?? 0;
    if (arc === 0 && octet === 0x80) throw new MalformedCertificateError(`The ${what} has an OBJECT IDENTIFIER arc not in its shortest form.`);
    // Checked before the multiplication: arc * 128 + 127 must stay below 2^53.
    if (arc > (Number.MAX_SAFE_INTEGER - 127) / 128) throw new MalformedCertificateError(`The ${what} has an OBJECT IDENTIFIER arc too large.`);
    arc = arc * 128 + (octet & 0x7f);
    if (octet >= 0x80) continue;
    if (first) {
      // X.690 §8.19.4: the first subidentifier holds the first two arcs.
      text = arc < 40 ? `0.${arc}` : arc < 80 ? `1.${arc - 40}` : `2.${arc - 80}`;
      first = false;
    } else {
      text += `.${arc}`;
    }
    arc = 0;
  }
  return text;
}

/** Whether the node is this OID, comparing its DER contents (`contents`, no tag or length) without decoding. */
export function isOid(node: DerNode | undefined, contents: Uint8Array): boolean {
  if (node === undefined || !node.isUniversal(Tag.OID) || node.constructed || node.contentLength !== contents.length) return false;
  for (let i = 0; i < contents.length; i++) if (node.bytes[node.contentStart + i] !== contents[i]) return false;
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A UTF8String, which must be valid UTF-8. */
export function readUtf8String(node: DerNode | undefined, what: string): string {
  const value = primitiveOf(node, Tag.UTF8_STRING, what);
  try {
    return utf8.decode(value);
  } catch {
    throw new MalformedCertificateError(`The ${what} is not valid UTF-8.`);
  }
}

/**
 * The string of a DirectoryString-like value (RFC 5280 §4.1.2.4): UTF8String, PrintableString,
 * IA5String or BMPString; any other type is MalformedCertificateError.
 *
 * PrintableString and IA5String are 7-bit: one character per byte, bytes ≥ 0x80 refused. A
 * PrintableString is not held to its own small alphabet (X.680 §41.4): '@' is outside it, yet
 * certificate makers (forge among them) put e-mail-like names there and OpenSSL reads them, so a JID
 * written that way still reads as before. A BMPString is UCS-2 (X.680 §41.16): two bytes big-endian
 * per character, no surrogates.
 */
export function readDirectoryString(node: DerNode | undefined, what: string): string {
  if (node === undefined || node.tagClass !== TagClass.UNIVERSAL) throw new MalformedCertificateError(`The ${what} is not a string.`);
  switch (node.tag) {
    case Tag.UTF8_STRING:
      return readUtf8String(node, what);
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
      return readAscii(primitiveOf(node, node.tag, what), what);
    case Tag.BMP_STRING:
      return readBmp(primitiveOf(node, node.tag, what), what);
    default:
      throw new MalformedCertificateError(`The ${what} uses a string type a JID cannot be read from.`);
  }
}

function readAscii(value: Uint8Array, what: string): string {
  let text = '';
  for (const octet of value) {
    if (octet >= 0x80) throw new MalformedCertificateError(`The ${what} has a byte outside its 7-bit string type.`);
    text += String.fromCharCode(octet);
  }
  return text;
}

function readBmp(value: Uint8Array, what: string): string {
  if (value.length % 2 !== 0) throw new MalformedCertificateError(`The ${what} is a BMPString of an odd length.`);
  let text = '';
  for (let i = 0; i < value.length; i += 2) {
    const unit = ((value[i] ?? 0) << 8) | (value[i + 1] ?? 0);
    if (unit >= 0xd800 && unit <= 0xdfff) throw new MalformedCertificateError(`The ${what} is a BMPString with a surrogate.`);
    text += String.fromCharCode(unit);
  }
  return text;
}

/**
 * A UTCTime or GeneralizedTime in RFC 5280 §4.1.2.5's forms (YYMMDDHHMMSSZ, YYYYMMDDHHMMSSZ: UTC,
 * seconds, no fraction), as milliseconds since 1970. A UTCTime year of 50 or more is 19YY, else 20YY.
 * A date that does not exist (month 13, 31 April, second 60) is MalformedCertificateError.
 */
export function readTime(node: DerNode | undefined, what: string): number {
  if (node === undefined) throw new MalformedCertificateError(`The ${what} is missing.`);
  const utc = node.isUniversal(Tag.UTC_TIME);
  const { bytes, contentStart: from, contentLength } = expectPrimitive(node, utc ? Tag.UTC_TIME : Tag.GENERALIZED_TIME, what);
  const yearDigits = utc ? 2 : 4;
  if (contentLength !== yearDigits + 11 || bytes[from + contentLength - 1] !== 0x5a) throw new MalformedCertificateError(`The ${what} is not a time in RFC 5280’s form.`);
  const digits = (at: number, count: number): number => {
    let n = 0;
    for (let i = from + at; i < from + at + count; i++) {
      const d = (bytes[i] ?? 0) - 0x30;
      if (d < 0 || d > 9) throw new MalformedCertificateError(`The ${what} is not a time in RFC 5280’s form.`);
      n = n * 10 + d;
    }
    return n;
  };
  const yearField = digits(0, yearDigits);
  const year = utc ? (yearField >= 50 ? 1900 + yearField : 2000 + yearField) : yearField;
  const month = digits(yearDigits, 2);
  const day = digits(yearDigits + 2, 2);
  const hours = digits(yearDigits + 4, 2);
  const minutes = digits(yearDigits + 6, 2);
  const seconds = digits(yearDigits + 8, 2);
  const date = new Date(Date.UTC(2000, month - 1, day, hours, minutes, seconds));
  date.setUTCFullYear(year, month - 1, day); // Date.UTC would read years 0–99 as 1900–1999
  const exists =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day &&
    date.getUTCHours() === hours && date.getUTCMinutes() === minutes && date.getUTCSeconds() === seconds;
  if (!exists) throw new MalformedCertificateError(`The ${what} is a date that does not exist.`);
  return date.getTime();
}

/** The header at `at`, its element ending by `limit`, as a node. */
function readHeader(bytes: Uint8Array, at: number, limit: number, what: string): DerNode {
  scanHeader(bytes, at, limit, what);
  return new DerNode(bytes, bytes[at] ?? 0, at, scanned.contentStart, scanned.end);
}

/** Where scanHeader leaves the header it read: one record, reused, so checking a tree allocates nothing per element. */
const scanned = { tagClass: 0, constructed: false, tag: 0, contentStart: 0, end: 0 };

/** Reads and checks the header at `at`, its element ending by `limit`, into `scanned`. */
function scanHeader(bytes: Uint8Array, at: number, limit: number, what: string): void {
  const identifier = bytes[at];
  const first = bytes[at + 1];
  if (identifier === undefined || first === undefined || at + 2 > limit) throw malformed(what, 'is truncated', at);
  const tag = identifier & 0x1f;
  if (tag === 0x1f) throw malformed(what, 'uses a high tag number, which no certificate structure has', at);
  const tagClass = identifier >> 6;
  const constructed = (identifier & 0x20) !== 0;
  if (tagClass === TagClass.UNIVERSAL) {
    if (tag === 0) throw malformed(what, 'has an end-of-contents marker (BER only)', at);
    if (constructed !== ((CONSTRUCTED_UNIVERSAL >> tag) & 1) > 0) throw malformed(what, `has a universal type ${tag} ${constructed ? 'constructed' : 'primitive'}`, at);
  }
  let contentStart = at + 2;
  let length = first;
  if (first === 0x80) throw malformed(what, 'has an indefinite length (BER only)', at);
  if (first > 0x80) {
    const count = first & 0x7f;
    // Four length octets already reach 4 GiB; the reserved 0xFF form lands here too.
    if (count > 4) throw malformed(what, 'has a length too large', at);
    if (contentStart + count > limit) throw malformed(what, 'is truncated', at);
    if (bytes[contentStart] === 0) throw malformed(what, 'has a length with a leading zero octet', at);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[contentStart + i] ?? 0);
    if (length < 0x80) throw malformed(what, 'has a long-form length below 128', at);
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw malformed(what, 'has a length past its end', at);
  scanned.tagClass = tagClass;
  scanned.constructed = constructed;
  scanned.tag = tag;
  scanned.contentStart = contentStart;
  scanned.end = end;
}

function malformed(what: string, problem: string, at: number): MalformedCertificateError {
  return new MalformedCertificateError(`The ${what} is not valid DER: an element ${problem} (byte ${at}).`);
}
