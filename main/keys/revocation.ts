/**
 * Revocation statement: "the key with this certificate is revoked, for this reason", signed by that
 * key itself, for one account. Published as an item of its own on the key node
 * (main/xmpp/key-statements.ts), because a publish reaches contacts where a retract may not (ejabberd
 * before 24.12 sends no retract notifications, docs/servers.md). Format and reasons:
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
import { REVOCATION_REASONS, type RevocationReasonName } from '../../contract/domain.js';
import { KeyringError } from '../errors.js';
import { certificateFingerprint } from './fingerprint.js';
import * as signed from './signed-statement.js';
import type { Refusal, StatementProblem, StatementRequest } from './signed-statement.js';
import { REVOCATION_STATEMENT } from './statement-kinds.js';
import { checkPublishedCertificate, MAX_PUBLISHED_CERTIFICATE_BYTES, type CertificateCheck } from './validate.js';

const NAME = 'The revocation';

/**
 * After RFC 5280 §5.3.1's CRL reasons, the ones a person can tell apart:
 * - superseded: replaced by another key (normally with a succession statement);
 * - compromised: someone else may hold the private key; nothing it signed can be relied on;
 * - retired: no longer used, no successor;
 * - unspecified: no reason given; treated like compromised where it matters (successions).
 */
export { REVOCATION_REASONS };
export type RevocationReason = RevocationReasonName;

/** Reasons after which nothing the key signed (a succession) is honoured. */
export function voidsSignatures(reason: RevocationReason): boolean {
  return reason === 'compromised' || reason === 'unspecified';
}

/** A revocation as it travels and is kept, carrying the revoked certificate; and the exact bytes the revoked key signs. */
export const { schema: RevocationStatementSchema, signedBytes: revocationSignedBytes } = signed.statementKind(
  REVOCATION_STATEMENT,
  { fingerprint: z.string().regex(/^[0-9a-f]{64}$/), reason: z.enum(REVOCATION_REASONS) },
  /** base64 DER of the revoked certificate. */
  { certificate: signed.base64Text.max(Math.ceil(MAX_PUBLISHED_CERTIFICATE_BYTES / 3) * 4) },
);
export type RevocationStatement = z.infer<typeof RevocationStatementSchema>;

export interface RevocationRequest extends StatementRequest {
  certificateDer: Uint8Array;
  /** The revoked key's own private key: never logged; it signs and stays here. */
  privateKey: KeyObject;
  reason: RevocationReason;
}

/** Signs a revocation with the key itself. Throws KeyringError('invalid-argument') on misuse. */
export async function createRevocation(request: RevocationRequest): Promise<RevocationStatement> {
  const { certificateDer, privateKey, reason } = request;
  if (!REVOCATION_REASONS.includes(reason)) throw new KeyringError('invalid-argument', 'Unknown revocation reason.', 'reason');
  const { jid, date } = signed.statementBasis(request, 'A revocation');
  const fields = { jid, fingerprint: certificateFingerprint(certificateDer), reason, date };
  const statement = await signed.signFields(fields, revocationSignedBytes(fields), privateKey);
  return { ...statement, certificate: Buffer.from(certificateDer).toString('base64') };
}

/** One statement per reason, made when the key is made, for the backup. */
export async function prepareRevocations(request: Omit<RevocationRequest, 'reason'>): Promise<RevocationStatement[]> {
  const date = request.date ?? new Date();
  return Promise.all(REVOCATION_REASONS.map((reason) => createRevocation({ ...request, reason, date })));
}

export type RevocationProblem = StatementProblem | 'certificate-mismatch' | 'certificate-unusable';

export interface VerifiedRevocation {
  fingerprint: string;
  reason: RevocationReason;
  date: string;
  /** SHA-256 of the revoked key's SubjectPublicKeyInfo (signed-statement.ts publicKeyDigest). */
  publicKeyDigest: string;
}

export type RevocationCheck = ({ valid: true } & VerifiedRevocation) | Refusal<RevocationProblem>;

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
  return signed.checkedSafely(() => check(statement, context), NAME);
}

function check(input: unknown, { publisherJid, now }: RevocationContext): RevocationCheck {
  const read = signed.readStatement(RevocationStatementSchema, input, publisherJid, NAME);
  if (!('statement' in read)) return read;
  const { statement } = read;
  const der = Buffer.from(statement.certificate, 'base64');
  const certificate: CertificateCheck = checkPublishedCertificate({
    der,
    publisherJid,
    itemId: statement.fingerprint,
    ...(now ? { now } : {}),
  });
  if (certificate.status === 'fingerprint-mismatch') {
    return signed.refusal('certificate-mismatch', `${NAME} names another key than the certificate it carries.`);
  }
  // A weak key may still revoke itself: a forged revocation of a key never shown as valid harms no one.
  if (certificate.status === 'malformed' || certificate.status === 'jid-mismatch') {
    return signed.refusal('certificate-unusable', 'The revoked certificate cannot be used to check the revocation.');
  }
  // Whatever its date: only the key's holder can sign it, so a date ahead of this clock (the revoker's
  // clock ran ahead) proves nothing against it, and refusing it would leave a compromised key current
  // here, even published again by another device of the account, until this clock caught up.
  const refused = signed.checkSignature(statement, revocationSignedBytes(statement), () => new X509Certificate(der).publicKey, NAME);
  if (refused) return refused;
  const digest = signed.publicKeyDigest(der);
  if (digest === undefined) return signed.refusal('bad-signature', `${NAME}’s signature does not verify.`);
  return { valid: true, fingerprint: statement.fingerprint, reason: statement.reason, date: statement.date, publicKeyDigest: digest };
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
  const digest = signed.publicKeyDigest(certificateDer);
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
