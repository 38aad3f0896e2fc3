/**
 * Succession statement: "the key with certificate OLD is followed by the one with certificate NEW",
 * signed by the OLD key, for one account. It travels inside the new key's item
 * (main/xmpp/key-statements.ts) so that a contact who verified the old key can see the new one as its
 * continuation instead of an unexplained change. Format and reasons: docs/key-lifecycle.md.
 *
 * Signed fields, in this order (signed-statement.ts encodes them):
 *   urn:keyring-xmpp:succession:0, jid, old fingerprint, new fingerprint, date
 * The JID is there so that a statement cannot be replayed for another account holding the same key;
 * the date is the signer's claim of when it was made (shown, never relied on: a signer can backdate).
 *
 * A renewal (fresh certificate for the same key) is a succession too: the certificate, hence the
 * fingerprint people compare, changes; the signer is the same key.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { KeyringError } from '../errors.js';
import { certificateFingerprint, isFingerprint } from './fingerprint.js';
import * as signed from './signed-statement.js';
import type { Refusal, StatementProblem, StatementRequest } from './signed-statement.js';
import { SUCCESSION_STATEMENT } from './statement-kinds.js';
import { checkPublishedCertificate } from './validate.js';

const lowerFingerprint = z.string().regex(/^[0-9a-f]{64}$/);
const NAME = 'The succession statement';

/**
 * A statement as it travels (XML, see key-statements.ts) and as it is kept (JSON), and the exact bytes
 * the old key signs.
 */
export const { schema: SuccessionStatementSchema, signedBytes: successionSignedBytes } = signed.statementKind(SUCCESSION_STATEMENT, {
  old: lowerFingerprint,
  new: lowerFingerprint,
});
export type SuccessionStatement = z.infer<typeof SuccessionStatementSchema>;

export interface SuccessionRequest extends StatementRequest {
  /** The certificate being replaced, and its private key (never logged; it signs and stays here). */
  oldCertificateDer: Uint8Array;
  oldPrivateKey: KeyObject;
  /** The certificate that follows it (a new key's, or the same key's renewed one). */
  newCertificateDer: Uint8Array;
}

/** Signs a succession statement with the old key. Throws KeyringError('invalid-argument') on misuse. */
export async function createSuccession(request: SuccessionRequest): Promise<SuccessionStatement> {
  const { oldCertificateDer, oldPrivateKey, newCertificateDer } = request;
  const { jid, date } = signed.statementBasis({ ...request, certificateDer: oldCertificateDer, privateKey: oldPrivateKey }, 'A succession');
  const oldFingerprint = certificateFingerprint(oldCertificateDer);
  const newFingerprint = certificateFingerprint(newCertificateDer);
  if (oldFingerprint === newFingerprint) {
    throw new KeyringError('invalid-argument', 'A certificate cannot succeed itself.', 'newCertificate');
  }
  const fields = { jid, old: oldFingerprint, new: newFingerprint, date };
  return signed.signFields(fields, successionSignedBytes(fields), oldPrivateKey);
}

export type SuccessionProblem = StatementProblem | 'wrong-new-key' | 'wrong-old-key' | 'old-key-unusable' | 'old-key-weak';

export type SuccessionCheck = { valid: true; old: string; new: string; date: string } | Refusal<SuccessionProblem>;

export interface SuccessionContext {
  /** Who published the item that carries the statement (a resource, if any, is ignored). */
  publisherJid: string;
  /** The fingerprint of the certificate in that item (the item id, checked by validate.ts). */
  newFingerprint: string;
  /** The old key's certificate as the reader knew it from before; never one taken from the item. */
  oldCertificateDer: Uint8Array;
  now?: Date;
}

/**
 * Checks a statement found in a contact's item. Hostile input: never throws; every failure is a
 * problem code (stable, for code) and a sentence (for a person).
 */
export function verifySuccession(statement: unknown, context: SuccessionContext): SuccessionCheck {
  return signed.checkedSafely(() => check(statement, context), NAME);
}

function check(input: unknown, { publisherJid, newFingerprint, oldCertificateDer, now }: SuccessionContext): SuccessionCheck {
  const read = signed.readStatement(SuccessionStatementSchema, input, publisherJid, NAME);
  if (!('statement' in read)) return read;
  const { statement } = read;
  if (typeof newFingerprint !== 'string' || !isFingerprint(newFingerprint) || statement.new !== newFingerprint.toLowerCase()) {
    return signed.refusal('wrong-new-key', `${NAME} names another key than the one it came with.`);
  }
  if (statement.old === statement.new) return signed.refusal('malformed', `${NAME} names the same key twice.`);

  const old = checkPublishedCertificate({ der: oldCertificateDer, publisherJid, itemId: statement.old, ...(now ? { now } : {}) });
  if (old.status === 'fingerprint-mismatch') {
    return signed.refusal('wrong-old-key', `${NAME} names another earlier key than the one known.`);
  }
  if (old.status === 'malformed' || old.status === 'jid-mismatch') {
    return signed.refusal('old-key-unusable', 'The earlier key’s certificate cannot be used to check the statement.');
  }
  if (old.status === 'weak') return signed.refusal('old-key-weak', 'The earlier key is too weak for its signature to count.');

  const refused = signed.checkDateAndSignature(statement, successionSignedBytes(statement), () => new X509Certificate(oldCertificateDer).publicKey, now, NAME);
  return refused ?? { valid: true, old: statement.old, new: statement.new, date: statement.date };
}
