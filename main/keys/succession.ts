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
import { NS } from '../xmpp/namespaces.js';
import { certificateFingerprint, isFingerprint } from './fingerprint.js';
import {
  canonicalStatementBytes,
  FUTURE_DATE_TOLERANCE_MS,
  isStatementDate,
  MAX_SIGNATURE_BYTES,
  MIN_SIGNATURE_BYTES,
  requireOwnKey,
  signStatement,
  STATEMENT_ALGORITHM,
  statementDate,
  verifyStatementSignature,
} from './signed-statement.js';
import { checkPublishedCertificate } from './validate.js';
import { bareJidKey, isBareJid } from './xmpp-addr.js';

const lowerFingerprint = z.string().regex(/^[0-9a-f]{64}$/);
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

/** A statement as it travels (XML, see key-statements.ts) and as it is kept (JSON). */
export const SuccessionStatementSchema = z
  .object({
    jid: z.string().refine(isBareJid, 'not a bare JID'),
    old: lowerFingerprint,
    new: lowerFingerprint,
    date: z.string().refine(isStatementDate, 'not a UTC date to the second'),
    algorithm: z.string().max(64),
    /** base64 of the signature. */
    signature: base64.max(Math.ceil(MAX_SIGNATURE_BYTES / 3) * 4),
  })
  .strict();
export type SuccessionStatement = z.infer<typeof SuccessionStatementSchema>;

/** The exact bytes the old key signs. */
export function successionSignedBytes(statement: Pick<SuccessionStatement, 'jid' | 'old' | 'new' | 'date'>): Buffer {
  return canonicalStatementBytes([NS.succession, statement.jid, statement.old, statement.new, statement.date]);
}

export interface SuccessionRequest {
  /** The account's bare JID; written in its comparable form (bareJidKey: NFC, lower case). */
  bareJid: string;
  /** The certificate being replaced, and its private key (never logged; it signs and stays here). */
  oldCertificateDer: Uint8Array;
  oldPrivateKey: KeyObject;
  /** The certificate that follows it (a new key's, or the same key's renewed one). */
  newCertificateDer: Uint8Array;
  /** Default: now. */
  date?: Date;
}

/** Signs a succession statement with the old key. Throws KeyringError('invalid-argument') on misuse. */
export async function createSuccession(request: SuccessionRequest): Promise<SuccessionStatement> {
  const { bareJid, oldCertificateDer, oldPrivateKey, newCertificateDer } = request;
  if (!isBareJid(bareJid)) throw new KeyringError('invalid-argument', 'A succession needs the account’s bare JID.', 'jid');
  requireOwnKey(oldCertificateDer, oldPrivateKey);
  const oldFingerprint = certificateFingerprint(oldCertificateDer);
  const newFingerprint = certificateFingerprint(newCertificateDer);
  if (oldFingerprint === newFingerprint) {
    throw new KeyringError('invalid-argument', 'A certificate cannot succeed itself.', 'newCertificate');
  }
  const date = request.date ?? new Date();
  if (Number.isNaN(date.getTime())) throw new KeyringError('invalid-argument', 'The date is not a date.', 'date');
  const fields = { jid: bareJidKey(bareJid), old: oldFingerprint, new: newFingerprint, date: statementDate(date) };
  const signature = await signStatement(successionSignedBytes(fields), oldPrivateKey);
  return { ...fields, algorithm: STATEMENT_ALGORITHM, signature: signature.toString('base64') };
}

export type SuccessionProblem =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'wrong-account'
  | 'wrong-new-key'
  | 'wrong-old-key'
  | 'old-key-unusable'
  | 'old-key-weak'
  | 'dated-in-future'
  | 'bad-signature';

export type SuccessionCheck =
  | { valid: true; old: string; new: string; date: string }
  | { valid: false; problem: SuccessionProblem; reason: string };

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
  try {
    return check(statement, context);
  } catch {
    return invalid('malformed', 'The succession statement cannot be read.');
  }
}

function check(input: unknown, { publisherJid, newFingerprint, oldCertificateDer, now }: SuccessionContext): SuccessionCheck {
  const parsed = SuccessionStatementSchema.safeParse(input);
  if (!parsed.success) return invalid('malformed', 'The succession statement is not well-formed.');
  const statement = parsed.data;
  if (statement.algorithm !== STATEMENT_ALGORITHM) {
    return invalid('unsupported-algorithm', 'The succession statement uses a signature this app does not accept.');
  }
  if (typeof publisherJid !== 'string' || bareJidKey(statement.jid) !== bareJidKey(publisherJid)) {
    return invalid('wrong-account', 'The succession statement was made for another account.');
  }
  if (typeof newFingerprint !== 'string' || !isFingerprint(newFingerprint) || statement.new !== newFingerprint.toLowerCase()) {
    return invalid('wrong-new-key', 'The succession statement names another key than the one it came with.');
  }
  if (statement.old === statement.new) return invalid('malformed', 'The succession statement names the same key twice.');

  const old = checkPublishedCertificate({ der: oldCertificateDer, publisherJid, itemId: statement.old, ...(now ? { now } : {}) });
  if (old.status === 'fingerprint-mismatch') {
    return invalid('wrong-old-key', 'The succession statement names another earlier key than the one known.');
  }
  if (old.status === 'malformed' || old.status === 'jid-mismatch') {
    return invalid('old-key-unusable', 'The earlier key’s certificate cannot be used to check the statement.');
  }
  if (old.status === 'weak') return invalid('old-key-weak', 'The earlier key is too weak for its signature to count.');

  const at = now instanceof Date && !Number.isNaN(now.getTime()) ? now.getTime() : Date.now();
  if (Date.parse(statement.date) > at + FUTURE_DATE_TOLERANCE_MS) {
    return invalid('dated-in-future', 'The succession statement is dated in the future.');
  }
  const signature = Buffer.from(statement.signature, 'base64');
  if (signature.length < MIN_SIGNATURE_BYTES || signature.length > MAX_SIGNATURE_BYTES) {
    return invalid('bad-signature', 'The succession statement’s signature does not verify.');
  }
  const publicKey = new X509Certificate(oldCertificateDer).publicKey;
  if (!verifyStatementSignature(successionSignedBytes(statement), signature, publicKey)) {
    return invalid('bad-signature', 'The succession statement’s signature does not verify.');
  }
  return { valid: true, old: statement.old, new: statement.new, date: statement.date };
}

function invalid(problem: SuccessionProblem, reason: string): SuccessionCheck {
  return { valid: false, problem, reason };
}
