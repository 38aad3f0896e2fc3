/**
 * What the succession and revocation statements share (docs/key-lifecycle.md): the bytes that are
 * signed, the signature scheme, the date format.
 *
 * Signed bytes. Each field is its UTF-8 bytes preceded by their length as a 4-byte big-endian
 * integer, fields in a fixed order, the first always the statement's namespace:
 *
 *   len(ns) ‖ ns ‖ len(jid) ‖ jid ‖ len(f1) ‖ f1 ‖ …
 *
 * Why this and not XEP-0189 §4's plain concatenation: concatenation is ambiguous ("a@b.c" + "2025…"
 * can be split elsewhere), and a length prefix makes every byte string the encoding of exactly one
 * list of fields. Why not canonical JSON or XML: those need a canonicalization step (key order,
 * escapes, whitespace, Unicode forms) that two implementations get subtly different; this needs none,
 * and it signs the text exactly as it travels in the XML element. The namespace first separates the
 * two kinds of statement, so a signature made for one can never be read as the other.
 *
 * Signature: RSASSA-PSS (RFC 8017 §8.1) with SHA-256, MGF1 with SHA-256, a 32-byte salt: the scheme
 * RFC 8017 recommends for new applications. The key is the account's RSA key (its certificate has
 * keyUsage digitalSignature). Signing runs on libuv's thread pool, like the certificate's.
 */
import { createHash, createPublicKey, constants, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { KeyringError } from '../errors.js';
import { CLOCK_DISAGREEMENT_TOLERANCE_MS } from './clock-tolerance.js';
import { commonRsaKeyInfo } from './common-certificate.js';
import { MalformedCertificateError } from './der.js';
import { bareJidKey, isBareJid, parseCertificateDer } from './xmpp-addr.js';

/** The one algorithm name the statements carry and accept. */
export const STATEMENT_ALGORITHM = 'rsa-pss-sha256';
const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

/** A signature from an RSA key of 2048 to 8192 bits. */
export const MIN_SIGNATURE_BYTES = 256;
export const MAX_SIGNATURE_BYTES = 1024;

/** The signed bytes: each field length-prefixed (4 bytes, big-endian), in the given order. */
export function canonicalStatementBytes(fields: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

/** Signs with the private key, which stays in this process: never log it. */
export function signStatement(bytes: Buffer, privateKey: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    sign('sha256', bytes, { key: privateKey, ...PSS }, (error, signature) => (error ? reject(error) : resolve(signature)));
  });
}

/** Whether `signature` is the public key's PSS signature of `bytes`. Never throws. */
export function verifyStatementSignature(bytes: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  try {
    return verify('sha256', bytes, { key: publicKey, ...PSS }, signature);
  } catch {
    return false;
  }
}

/** XEP-0082 §3.2 DateTime, in UTC, to the second: one spelling per instant, so one signed text. */
const STATEMENT_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function statementDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** True for a real instant written as statementDate writes it (so "2025-02-30T…" is refused). */
export function isStatementDate(text: unknown): text is string {
  if (typeof text !== 'string' || !STATEMENT_DATE.test(text)) return false;
  const ms = Date.parse(text);
  return !Number.isNaN(ms) && statementDate(new Date(ms)) === text;
}

/** How far ahead of our clock a statement's date may be before it is refused (clocks disagree). */
export const FUTURE_DATE_TOLERANCE_MS = CLOCK_DISAGREEMENT_TOLERANCE_MS;

/**
 * SHA-256 (hex) of the certificate's SubjectPublicKeyInfo: the same for every certificate of one key,
 * so a renewal can be recognised and a compromised key's revocation covers all its certificates.
 * Undefined when the bytes are not a certificate (neither of the common shape, read as DER, nor one
 * OpenSSL reads).
 */
export function publicKeyDigest(certificateDer: Uint8Array): string | undefined {
  // The common RSA shape is read from the bytes (~0.02 ms); OpenSSL's decoder and encoder cost ~0.3 ms
  // together, paid on every new key of a contact who has others (key-continuity.ts) and every revocation.
  const common = readCommonKeyInfo(certificateDer);
  if (common !== undefined) return createHash('sha256').update(common).digest('hex');
  try {
    const spki = new X509Certificate(certificateDer).publicKey.export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(spki).digest('hex');
  } catch {
    return undefined;
  }
}

function readCommonKeyInfo(certificateDer: Uint8Array): Uint8Array | undefined {
  try {
    return commonRsaKeyInfo(parseCertificateDer(certificateDer));
  } catch (error) {
    if (error instanceof MalformedCertificateError) return undefined;
    throw error;
  }
}

/** The private key must be the one the certificate carries, or the statement would never verify. */
export function requireOwnKey(certificateDer: Uint8Array, privateKey: KeyObject): void {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new KeyringError('invalid-argument', 'Only an RSA private key can sign this statement.', 'privateKey');
  }
  let certificateKey: Buffer;
  try {
    certificateKey = new X509Certificate(certificateDer).publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    throw new KeyringError('invalid-argument', 'The certificate cannot be read.', 'certificate');
  }
  const ownKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!ownKey.equals(certificateKey)) {
    throw new KeyringError('invalid-argument', 'The private key does not belong to this certificate.', 'privateKey');
  }
}

/** Base64 text, as signatures and certificates travel in a statement. */
export const base64Text = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

/** For whom a statement is made: its first field. */
export const statementJid = z.string().refine(isBareJid, 'not a bare JID');

/** The fields that follow a statement's own: when, and how it is signed (in this order, as it travels). */
export const statementSignedFields = {
  date: z.string().refine(isStatementDate, 'not a UTC date to the second'),
  algorithm: z.string().max(64),
  /** base64 of the signature. */
  signature: base64Text.max(Math.ceil(MAX_SIGNATURE_BYTES / 3) * 4),
};

/**
 * What making any statement starts with: the account in its comparable form (bareJidKey), the key
 * checked to be the certificate's, the date to the second. Throws KeyringError('invalid-argument') on
 * misuse; `kind` names the statement in the message ("a revocation").
 */
export function statementBasis(
  request: StatementRequest & { certificateDer: Uint8Array; privateKey: KeyObject },
  kind: string,
): { jid: string; date: string } {
  if (!isBareJid(request.bareJid)) throw new KeyringError('invalid-argument', `${kind} needs the account’s bare JID.`, 'jid');
  requireOwnKey(request.certificateDer, request.privateKey);
  const date = request.date ?? new Date();
  if (Number.isNaN(date.getTime())) throw new KeyringError('invalid-argument', 'The date is not a date.', 'date');
  return { jid: bareJidKey(request.bareJid), date: statementDate(date) };
}

/** The statement as it travels: its fields, the algorithm, and the signature over `signedBytes`. */
export async function signFields<F extends object>(fields: F, signedBytes: Buffer, privateKey: KeyObject): Promise<F & { algorithm: string; signature: string }> {
  const signature = await signStatement(signedBytes, privateKey);
  return { ...fields, algorithm: STATEMENT_ALGORITHM, signature: signature.toString('base64') };
}

/** What making any statement takes besides its own fields. */
export interface StatementRequest {
  /** The account's bare JID; written in its comparable form (bareJidKey: NFC, lower case). */
  bareJid: string;
  /** Default: now. */
  date?: Date;
}

/** The problems every statement can have; each kind adds its own. */
export type StatementProblem = 'malformed' | 'unsupported-algorithm' | 'wrong-account' | 'dated-in-future' | 'bad-signature';
/** A statement that does not hold: a stable code for code, a sentence for a person. */
export type Refusal<P extends string> = { valid: false; problem: P; reason: string };

export function refusal<P extends string>(problem: P, reason: string): Refusal<P> {
  return { valid: false, problem, reason };
}

/**
 * Checks hostile input with `check`, which never has to guard against odd shapes: anything it throws
 * makes the statement 'malformed'. `name` is the statement in a sentence ("The revocation").
 */
export function checkedSafely<C>(check: () => C, name: string): C | Refusal<'malformed'> {
  try {
    return check();
  } catch {
    return refusal('malformed', `${name} cannot be read.`);
  }
}

/** The first checks of any statement: its shape, its algorithm, and that it was made for the publisher's account. */
export function readStatement<S extends z.ZodType<{ jid: string; algorithm: string }>>(
  schema: S,
  input: unknown,
  publisherJid: unknown,
  name: string,
): { statement: z.output<S> } | Refusal<StatementProblem> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) return refusal('malformed', `${name} is not well-formed.`);
  const statement = parsed.data;
  if (statement.algorithm !== STATEMENT_ALGORITHM) {
    return refusal('unsupported-algorithm', `${name} uses a signature this app does not accept.`);
  }
  if (typeof publisherJid !== 'string' || bareJidKey(statement.jid) !== bareJidKey(publisherJid)) {
    return refusal('wrong-account', `${name} was made for another account.`);
  }
  return { statement };
}

/** The last checks of any statement: not dated ahead of `now` (beyond the tolerance), and signed by `publicKey`. */
export function checkDateAndSignature(
  statement: { date: string; signature: string },
  signedBytes: Buffer,
  publicKey: () => KeyObject,
  now: Date | undefined,
  name: string,
): Refusal<'dated-in-future' | 'bad-signature'> | undefined {
  const at = now instanceof Date && !Number.isNaN(now.getTime()) ? now.getTime() : Date.now();
  if (Date.parse(statement.date) > at + FUTURE_DATE_TOLERANCE_MS) {
    return refusal('dated-in-future', `${name} is dated in the future.`);
  }
  return checkSignature(statement, signedBytes, publicKey, name);
}

/** That `publicKey` signed the statement, whatever its date. */
export function checkSignature(statement: { signature: string }, signedBytes: Buffer, publicKey: () => KeyObject, name: string): Refusal<'bad-signature'> | undefined {
  const signature = Buffer.from(statement.signature, 'base64');
  if (signature.length < MIN_SIGNATURE_BYTES || signature.length > MAX_SIGNATURE_BYTES || !verifyStatementSignature(signedBytes, signature, publicKey())) {
    return refusal('bad-signature', `${name}’s signature does not verify.`);
  }
  return undefined;
}

/**
 * One kind of statement: its schema (the account, its own fields, when and how it is signed, then any
 * `extra` that travels along unsigned) and the bytes a signature covers (the kind, the account, its own
 * fields in the order given, the date).
 */
export function statementKind<Own extends Record<string, z.ZodType<string>>, Extra extends Record<string, z.ZodType> = Record<never, never>>(
  kind: string,
  own: Own,
  extra?: Extra,
) {
  const schema = z.object({ jid: statementJid, ...own, ...statementSignedFields, ...(extra ?? ({} as Extra)) }).strict();
  const order = Object.keys(own) as (keyof Own & string)[];
  const signedBytes = (statement: Record<'jid' | 'date' | (keyof Own & string), string>): Buffer =>
    canonicalStatementBytes([kind, statement.jid, ...order.map((field) => statement[field]), statement.date]);
  return { schema, signedBytes };
}
