/**
 * Revocation statement: "the key with this certificate is revoked, for this reason", signed by that
 * key itself, for one account. Published as an item of its own on the key node
 * (main/xmpp/key-statements.ts), because a publish reaches contacts where a retract may not (ejabberd
 * before 24.12 sends no retract notifications, /work/shared/SERVER-NOTES.md). Format and reasons:
 * docs/key-lifecycle.md.
 *
 * Signed fields, in this order (signed-statement.ts encodes them):
 *   urn:keyring-xmpp:revocation:0, jid, fingerprint, reason, date
 * The statement carries the revoked certificate, so anyone can check it, including a contact who
 * never saw the key; the fingerprint ties the two together.
 *
 * Statements for every reason are prepared when a key is made (prepareRevocations) and kept in the
 * backup: a key whose private half is lost can still be revoked. Their date is then the day they were
 * made, not the day they were published.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { KeyringError } from '../errors.js';
import { NS } from '../xmpp/namespaces.js';
import { certificateFingerprint } from './fingerprint.js';
import {
  canonicalStatementBytes,
  FUTURE_DATE_TOLERANCE_MS,
  isStatementDate,
  MAX_SIGNATURE_BYTES,
  MIN_SIGNATURE_BYTES,
  publicKeyDigest,
  requireOwnKey,
  signStatement,
  STATEMENT_ALGORITHM,
  statementDate,
  verifyStatementSignature,
} from './signed-statement.js';
import { checkPublishedCertificate, MAX_PUBLISHED_CERTIFICATE_BYTES, type CertificateCheck } from './validate.js';
import { bareJidKey, isBareJid } from './xmpp-addr.js';

/**
 * After RFC 5280 §5.3.1's CRL reasons, the ones a person can tell apart:
 * - superseded: replaced by another key (normally with a succession statement);
 * - compromised: someone else may hold the private key; nothing it signed can be relied on;
 * - retired: no longer used, no successor;
 * - unspecified: no reason given; treated like compromised where it matters (successions).
 */
export const REVOCATION_REASONS = ['superseded', 'compromised', 'retired', 'unspecified'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** Reasons after which nothing the key signed (a succession) is honoured. */
export function voidsSignatures(reason: RevocationReason): boolean {
  return reason === 'compromised' || reason === 'unspecified';
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

export const RevocationStatementSchema = z
  .object({
    jid: z.string().refine(isBareJid, 'not a bare JID'),
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    reason: z.enum(REVOCATION_REASONS),
    date: z.string().refine(isStatementDate, 'not a UTC date to the second'),
    algorithm: z.string().max(64),
    /** base64 of the signature. */
    signature: base64.max(Math.ceil(MAX_SIGNATURE_BYTES / 3) * 4),
    /** base64 DER of the revoked certificate. */
    certificate: base64.max(Math.ceil(MAX_PUBLISHED_CERTIFICATE_BYTES / 3) * 4),
  })
  .strict();
export type RevocationStatement = z.infer<typeof RevocationStatementSchema>;

/** The exact bytes the revoked key signs. */
export function revocationSignedBytes(statement: Pick<RevocationStatement, 'jid' | 'fingerprint' | 'reason' | 'date'>): Buffer {
  return canonicalStatementBytes([NS.revocation, statement.jid, statement.fingerprint, statement.reason, statement.date]);
}

export interface RevocationRequest {
  bareJid: string;
  certificateDer: Uint8Array;
  /** The revoked key's own private key: never logged; it signs and stays here. */
  privateKey: KeyObject;
  reason: RevocationReason;
  /** Default: now. */
  date?: Date;
}

/** Signs a revocation with the key itself. Throws KeyringError('invalid-argument') on misuse. */
export async function createRevocation(request: RevocationRequest): Promise<RevocationStatement> {
  const { bareJid, certificateDer, privateKey, reason } = request;
  if (!isBareJid(bareJid)) throw new KeyringError('invalid-argument', 'A revocation needs the account’s bare JID.', 'jid');
  if (!REVOCATION_REASONS.includes(reason)) throw new KeyringError('invalid-argument', 'Unknown revocation reason.', 'reason');
  requireOwnKey(certificateDer, privateKey);
  const date = request.date ?? new Date();
  if (Number.isNaN(date.getTime())) throw new KeyringError('invalid-argument', 'The date is not a date.', 'date');
  const fields = { jid: bareJidKey(bareJid), fingerprint: certificateFingerprint(certificateDer), reason, date: statementDate(date) };
  const signature = await signStatement(revocationSignedBytes(fields), privateKey);
  return {
    ...fields,
    algorithm: STATEMENT_ALGORITHM,
    signature: signature.toString('base64'),
    certificate: Buffer.from(certificateDer).toString('base64'),
  };
}

/** One statement per reason, made when the key is made, for the backup. */
export async function prepareRevocations(request: Omit<RevocationRequest, 'reason'>): Promise<RevocationStatement[]> {
  const date = request.date ?? new Date();
  return Promise.all(REVOCATION_REASONS.map((reason) => createRevocation({ ...request, reason, date })));
}

export type RevocationProblem =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'wrong-account'
  | 'certificate-mismatch'
  | 'certificate-unusable'
  | 'dated-in-future'
  | 'bad-signature';

export interface VerifiedRevocation {
  fingerprint: string;
  reason: RevocationReason;
  date: string;
  /** SHA-256 of the revoked key's SubjectPublicKeyInfo (signed-statement.ts publicKeyDigest). */
  publicKeyDigest: string;
}

export type RevocationCheck =
  | ({ valid: true } & VerifiedRevocation)
  | { valid: false; problem: RevocationProblem; reason: string };

export interface RevocationContext {
  /** Who published the revocation (a resource, if any, is ignored). */
  publisherJid: string;
  now?: Date;
}

/**
 * Checks a revocation against the certificate it carries: that certificate must be the one named,
 * bound to the publisher's JID, and its key must have signed the statement. Never throws.
 */
export function verifyRevocation(statement: unknown, context: RevocationContext): RevocationCheck {
  try {
    return check(statement, context);
  } catch {
    return invalid('malformed', 'The revocation cannot be read.');
  }
}

function check(input: unknown, { publisherJid, now }: RevocationContext): RevocationCheck {
  const parsed = RevocationStatementSchema.safeParse(input);
  if (!parsed.success) return invalid('malformed', 'The revocation is not well-formed.');
  const statement = parsed.data;
  if (statement.algorithm !== STATEMENT_ALGORITHM) {
    return invalid('unsupported-algorithm', 'The revocation uses a signature this app does not accept.');
  }
  if (typeof publisherJid !== 'string' || bareJidKey(statement.jid) !== bareJidKey(publisherJid)) {
    return invalid('wrong-account', 'The revocation was made for another account.');
  }
  const der = Buffer.from(statement.certificate, 'base64');
  const certificate: CertificateCheck = checkPublishedCertificate({
    der,
    publisherJid,
    itemId: statement.fingerprint,
    ...(now ? { now } : {}),
  });
  if (certificate.status === 'fingerprint-mismatch') {
    return invalid('certificate-mismatch', 'The revocation names another key than the certificate it carries.');
  }
  // A weak key may still revoke itself: a forged revocation of a key never shown as valid harms no one.
  if (certificate.status === 'malformed' || certificate.status === 'jid-mismatch') {
    return invalid('certificate-unusable', 'The revoked certificate cannot be used to check the revocation.');
  }
  const at = now instanceof Date && !Number.isNaN(now.getTime()) ? now.getTime() : Date.now();
  if (Date.parse(statement.date) > at + FUTURE_DATE_TOLERANCE_MS) {
    return invalid('dated-in-future', 'The revocation is dated in the future.');
  }
  const signature = Buffer.from(statement.signature, 'base64');
  const digest = publicKeyDigest(der);
  if (
    digest === undefined ||
    signature.length < MIN_SIGNATURE_BYTES ||
    signature.length > MAX_SIGNATURE_BYTES ||
    !verifyStatementSignature(revocationSignedBytes(statement), signature, new X509Certificate(der).publicKey)
  ) {
    return invalid('bad-signature', 'The revocation’s signature does not verify.');
  }
  return { valid: true, fingerprint: statement.fingerprint, reason: statement.reason, date: statement.date, publicKeyDigest: digest };
}

function invalid(problem: RevocationProblem, reason: string): RevocationCheck {
  return { valid: false, problem, reason };
}

export type KeyStatus = CertificateCheck['status'] | 'revoked';
export type KeyCheck = Omit<CertificateCheck, 'status'> & { status: KeyStatus; revocation?: VerifiedRevocation };

/**
 * A contact's key as readers must show it: revoked, never valid, when a verified revocation names its
 * certificate, or names another certificate of the same key for a reason that condemns the key itself
 * (compromised, unspecified). Only pass revocations that verifyRevocation accepted for this contact.
 */
export function withRevocations(check: CertificateCheck, certificateDer: Uint8Array, revocations: readonly VerifiedRevocation[]): KeyCheck {
  if (revocations.length === 0) return check;
  const fingerprint = check.fingerprint ?? safeFingerprint(certificateDer);
  const digest = publicKeyDigest(certificateDer);
  const revocation =
    revocations.find((r) => r.fingerprint === fingerprint) ??
    revocations.find((r) => voidsSignatures(r.reason) && digest !== undefined && r.publicKeyDigest === digest);
  if (revocation === undefined) return check;
  const sameCertificate = revocation.fingerprint === fingerprint;
  return {
    ...check,
    status: 'revoked',
    reason: sameCertificate
      ? `Revoked by its owner (${revocation.reason}), in a statement dated ${revocation.date}.`
      : `Its key was revoked by its owner (${revocation.reason}) under another certificate, in a statement dated ${revocation.date}.`,
    revocation,
  };
}

function safeFingerprint(der: Uint8Array): string | undefined {
  try {
    return certificateFingerprint(der);
  } catch {
    return undefined;
  }
}
