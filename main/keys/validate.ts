/**
 * Checks a contact's published certificate: bytes from the network, so hostile until proven otherwise.
 * It never throws; every input, however broken, gets a status and a reason.
 *
 * When several checks fail, one status wins, in this order (most fundamental first):
 *
 *   malformed            not exactly one well-formed DER X.509 certificate of at most 64 KiB, not an RSA
 *                        key, or a self-signature that does not verify. Nothing else can be trusted.
 *   fingerprint-mismatch the item id is not the SHA-256 of these bytes: the item is not what its id
 *                        (the name contacts pin and compare) says it is.
 *   jid-mismatch         the certificate binds another JID (or none) than the publisher's bare JID:
 *                        someone else's key, republished.
 *   weak                 genuine, but too weak to rely on: RSA under 2048 bits, an MD5 or SHA-1
 *                        signature, a public exponent other than 65537 (weakness.ts; the reason says
 *                        which). Shown as a warning, never as valid.
 *   not-yet-valid /      an otherwise genuine certificate outside its validity period; these two
 *   expired              cannot both hold. Its start counts from a day before it (the owner's clock
 *                        may run ahead of ours: clock-tolerance.ts), its end exactly.
 *   valid
 *
 * Whatever could be read (fingerprint, validity, bound JID, key size) is returned with every status
 * except where reading failed, so the UI can still show it.
 */
import { X509Certificate } from 'node:crypto';
import { CLOCK_DISAGREEMENT_TOLERANCE_MS } from './clock-tolerance.js';
import { certificateFingerprint, isFingerprint } from './fingerprint.js';
import { keyTypeName } from './key-type.js';
import { BoundedMap } from '../bounded-map.js';
import { markedName } from '../untrusted-text.js';
import { findWeaknesses } from './weakness.js';
import { openCommonCertificate, type OpenedCertificate } from './common-certificate.js';
import { bareJidKey, parseCertificateDer, readCertificateIdentities, MalformedCertificateError } from './xmpp-addr.js';

/** A certificate with one RSA-4096 key and a few names is under 2 KiB; this leaves plenty of room. */
export const MAX_PUBLISHED_CERTIFICATE_BYTES = 64 * 1024;

export type CertificateStatus = 'valid' | 'weak' | 'expired' | 'not-yet-valid' | 'jid-mismatch' | 'fingerprint-mismatch' | 'malformed';

export interface PublishedCertificate {
  der: Uint8Array;
  /** The JID that published the item (its resource, if any, is ignored). */
  publisherJid: string;
  /** The PEP item id, which XEP-0222 use here sets to the certificate's SHA-256 fingerprint. */
  itemId: string;
  now?: Date;
}

export interface CertificateCheck {
  status: CertificateStatus;
  /** One sentence for the user. */
  reason: string;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint?: string;
  /** ISO 8601. */
  notBefore?: string;
  notAfter?: string;
  /** The JID the certificate binds: the matching one, else the first found. */
  jid?: string;
  bits?: number;
}

export function checkPublishedCertificate(input: PublishedCertificate): CertificateCheck {
  try {
    return atTime(inspect(input), input.now);
  } catch (error) {
    return unreadable(error);
  }
}

/**
 * The same check with OpenSSL opening every certificate, as before common-certificate.ts: the reference
 * that test/unit/keys/common-certificate.test.ts holds the quick path to.
 */
export function checkWithOpenSslOnly(input: PublishedCertificate): CertificateCheck {
  try {
    return atTime(inspect(input, undefined, false), input.now);
  } catch (error) {
    return unreadable(error);
  }
}

/**
 * checkPublishedCertificate with a memory: a contact's certificate is checked once, not each time it is
 * fetched again or shown. What it remembers is the part of a check that cannot change (parsing, the
 * signature, the names), keyed by the certificate's SHA-256, the publisher and the item id; the validity
 * period is compared with the clock at every call, so a certificate still expires on time.
 */
/**
 * At most this much base64 text (bytes: base64 is ASCII) is remembered by checkText: about 10,000 of
 * the app's certificates (~1.6 KB each), more contacts than a roster has; past it the oldest are checked
 * the long way again, as at first.
 */
const TEXT_MEMORY_BYTES = 16 * 1024 * 1024;

export class CertificateChecker {
  readonly #inspections: BoundedMap<string, Inspection>;
  /**
   * By publisher and item id, the base64 text a certificate was last checked as (checkText, or check
   * with `text`), and its inspection: a contact's stored record carries its certificate as that text,
   * and is checked when merged and again when shown. A different text under the same name is checked in
   * full. Only certificates a record may store are kept (never one malformed or under another id), and
   * by weight: the text is usually the stored record's own string, but a hostile contact publishing
   * large items under fresh ids must not make it grow with them (TEXT_MEMORY_BYTES).
   */
  readonly #byText = new BoundedMap<string, { text: string; inspection: Inspection }>(TEXT_MEMORY_BYTES, (entry) => entry.text.length);

  constructor(maxEntries = 20_000) {
    this.#inspections = new BoundedMap(maxEntries);
  }

  /** `text`: the certificate as the base64 text it is stored as, for checkText to find without decoding. */
  check(input: PublishedCertificate, text?: string): CertificateCheck {
    const inspection = this.#inspection(input);
    if (text !== undefined && storable(inspection)) this.#byText.set(textKey(input.publisherJid, input.itemId), { text, inspection });
    return atTime(inspection, input.now);
  }

  /**
   * check() for a certificate given as base64 text (a contact's key record). The same text checked
   * before under the same publisher and item id is answered from memory, without decoding it or
   * hashing it again; any other is decoded and checked as check() does.
   */
  checkText(text: string, publisherJid: string, itemId: string, now?: Date): CertificateCheck {
    const key = textKey(publisherJid, itemId);
    const known = this.#byText.get(key);
    if (known !== undefined && known.text === text) return atTime(known.inspection, now);
    const input: PublishedCertificate = { der: Buffer.from(text, 'base64'), publisherJid, itemId, ...(now ? { now } : {}) };
    return this.check(input, text);
  }

  #inspection(input: PublishedCertificate): Inspection {
    let fingerprint: string;
    try {
      fingerprint = certificateFingerprint(input.der);
    } catch {
      // Not even bytes: nothing worth remembering.
      return { final: checkPublishedCertificate(input) };
    }
    const key = `${fingerprint}\n${String(input.publisherJid)}\n${String(input.itemId)}`;
    let inspection = this.#inspections.get(key);
    if (inspection === undefined) {
      try {
        inspection = inspect(input, fingerprint);
      } catch (error) {
        inspection = { final: unreadable(error) };
      }
      this.#inspections.set(key, inspection);
    }
    return inspection;
  }
}

/**
 * What checkText may remember: a certificate a contact's key record can store (ContactKeys keeps no
 * malformed one, nor one under another item id than its fingerprint).
 */
function storable(inspection: Inspection): boolean {
  return !('final' in inspection) || (inspection.final.status !== 'malformed' && inspection.final.status !== 'fingerprint-mismatch');
}

function textKey(publisherJid: string, itemId: string): string {
  return `${String(publisherJid)}\n${String(itemId)}`;
}

function unreadable(error: unknown): CertificateCheck {
  // Anything unforeseen (a parser bug, an exotic structure) is still an answer, never an exception.
  const detail = error instanceof MalformedCertificateError ? ` ${error.message}` : '';
  return { status: 'malformed', reason: `The certificate cannot be read.${detail}` };
}

/**
 * What a check finds before looking at the clock: either its final answer, or a genuine certificate for
 * the publisher whose status ('valid', 'expired', 'not-yet-valid') depends on the time.
 */
type Inspection =
  | { final: CertificateCheck }
  | { genuine: Partial<CertificateCheck>; notBeforeMs: number; notAfterMs: number };

function atTime(inspection: Inspection, now: Date | undefined): CertificateCheck {
  // A copy each time: callers may keep or change what they get.
  if ('final' in inspection) return { ...inspection.final };
  const { genuine: known, notBeforeMs, notAfterMs } = inspection;
  // RFC 5280 §4.1.2.5: the period includes both notBefore and notAfter. Its start is the owner's
  // clock, which may run ahead of ours (clock-tolerance.ts); its end is not stretched: a key is never
  // shown valid after the date its owner gave it.
  const at = now instanceof Date && !Number.isNaN(now.getTime()) ? now.getTime() : Date.now();
  if (at + CLOCK_DISAGREEMENT_TOLERANCE_MS < notBeforeMs) return { status: 'not-yet-valid', reason: `The certificate is valid only from ${known.notBefore}.`, ...known };
  if (at > notAfterMs) return { status: 'expired', reason: `The certificate expired on ${known.notAfter}.`, ...known };
  return { status: 'valid', reason: 'The certificate is well-formed, self-signed, for this account, and current.', ...known };
}

const malformed = (reason: string, known: Partial<CertificateCheck> = {}): CertificateCheck => ({
  status: 'malformed',
  reason,
  ...known,
});

/** `fingerprint`: the SHA-256 of `der` when the caller has computed it already. */
function inspect({ der, publisherJid, itemId }: PublishedCertificate, fingerprint?: string, quick = true): Inspection {
  const result = inspectBytes(der, publisherJid, itemId, fingerprint, quick);
  return 'status' in result ? { final: result } : result;
}

/**
 * Each costly step (the strict DER parse, OpenSSL's, the key's details, the SHA-256) runs once. The
 * common certificate is opened from that parse (common-certificate.ts); any other goes OpenSSL's way.
 */
function inspectBytes(
  der: Uint8Array,
  publisherJid: string,
  itemId: string,
  knownFingerprint: string | undefined,
  quick = true,
): CertificateCheck | { genuine: Partial<CertificateCheck>; notBeforeMs: number; notAfterMs: number } {
  if (!(der instanceof Uint8Array)) return malformed('The item holds no certificate bytes.');
  if (der.byteLength === 0) return malformed('The certificate is empty.');
  if (der.byteLength > MAX_PUBLISHED_CERTIFICATE_BYTES) return malformed('The certificate is larger than 64 KiB.');
  // A DER Certificate is a SEQUENCE; this also keeps Node from accepting PEM text in its place.
  if (der[0] !== 0x30) return malformed('The data is not a DER-encoded certificate.');

  const bytes = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  let parsed: ReturnType<typeof parseCertificateDer> | undefined;
  let parseError: unknown;
  try {
    parsed = parseCertificateDer(bytes);
  } catch (error) {
    parseError = error;
  }
  const fingerprint = (): string => (knownFingerprint ??= certificateFingerprint(bytes));
  const common = quick && parsed !== undefined ? openCommonCertificate(bytes, parsed) : undefined;
  const opened = common ?? openWithOpenSsl(bytes, fingerprint);
  if ('status' in opened) return opened;
  const { key, notBeforeMs, notAfterMs } = opened;
  const details = key.asymmetricKeyDetails;
  const known: Partial<CertificateCheck> = { ...period(fingerprint(), notBeforeMs, notAfterMs), bits: details?.modulusLength };
  // Self-signed: the signature proves the publisher holds the private key (RFC 5280 §4.1.1.3).
  if (!opened.selfSigned) return malformed('The certificate’s self-signature does not verify.', known);

  let identities;
  try {
    if (parsed === undefined) throw parseError;
    identities = readCertificateIdentities(parsed);
  } catch (error) {
    const detail = error instanceof MalformedCertificateError ? ` ${error.message}` : '';
    return malformed(`The certificate’s names cannot be read.${detail}`, known);
  }

  if (typeof itemId !== 'string' || !isFingerprint(itemId) || itemId.toLowerCase() !== known.fingerprint) {
    return { status: 'fingerprint-mismatch', reason: 'The item id is not this certificate’s SHA-256 fingerprint.', ...known };
  }

  // RFC 6120 §13.7.1.4 / XEP-0178: the xmppAddr binds the JID; only without one does the subject CN count.
  const candidates = identities.xmppAddrs.length > 0 ? identities.xmppAddrs : identities.commonNames;
  const publisher = typeof publisherJid === 'string' ? bareJidKey(publisherJid) : undefined;
  const bound = candidates.find((jid) => bareJidKey(jid) === publisher && !jid.includes('/'));
  if (bound === undefined) {
    const first = candidates[0] === undefined ? undefined : markedName(candidates[0]);
    return {
      status: 'jid-mismatch',
      reason:
        first === undefined
          ? 'The certificate names no JID.'
          : `The certificate is for ${first}, not for the account that published it.`,
      ...known,
      ...(first === undefined ? {} : { jid: first }),
    };
  }
  known.jid = bound;

  // Genuine, but is it strong enough? A permanent property of the certificate, so it comes before the clock.
  const weaknesses = findWeaknesses({ bits: known.bits, publicExponent: details?.publicExponent, der: bytes, parsed });
  if (weaknesses.length > 0) {
    return { status: 'weak', reason: `Too weak to rely on: ${weaknesses.join('; ')}.`, ...known };
  }
  return { genuine: known, notBeforeMs, notAfterMs };
}

/** The validity period as the answer shows it. */
function period(fingerprint: string, notBeforeMs: number, notAfterMs: number): Partial<CertificateCheck> {
  return { fingerprint, notBefore: new Date(notBeforeMs).toISOString(), notAfter: new Date(notAfterMs).toISOString() };
}

/**
 * OpenSSL's way, for every certificate common-certificate.ts does not open: its parse, then its RSA key
 * and the self-signature, or the answer that says which of them failed.
 */
function openWithOpenSsl(bytes: Buffer, fingerprint: () => string): CertificateCheck | OpenedCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(bytes);
  } catch {
    return malformed('The data is not an X.509 certificate.');
  }
  // OpenSSL keeps the bytes it parsed; any difference means trailing data after the certificate.
  if (!x509.raw.equals(bytes)) return malformed('The certificate is followed by extra bytes.');
  const notBeforeMs = Date.parse(x509.validFrom);
  const notAfterMs = Date.parse(x509.validTo);
  if (Number.isNaN(notBeforeMs) || Number.isNaN(notAfterMs)) return malformed('The validity dates cannot be read.', { fingerprint: fingerprint() });
  const known = period(fingerprint(), notBeforeMs, notAfterMs);
  const key = x509.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    return malformed(`Only RSA keys are accepted, not ${keyTypeName(key.asymmetricKeyType)}.`, known);
  }
  return { key, notBeforeMs, notAfterMs, selfSigned: x509.verify(key) };
}
