/**
 * What a contact's signed statements do to the records of their keys (docs/key-lifecycle.md), applied
 * after a complete key set was merged (contact-keys.ts mergeFullKeySet): pure, so every path is tested
 * at once (test/unit/lifecycle/contact-key-lifecycle.test.ts).
 *
 * - A revocation that verified marks the key it names revoked, for good. A revocation of a key this
 *   app never saw is kept too (as a withdrawn key, known only from its revocation), so that key is
 *   shown revoked if it is ever published to us later. Revoked records outlive plain withdrawn ones,
 *   and those the user relied on are the last to go (contact-keys.ts pruneWithdrawn).
 * - A key seen for the first time that continues a known one (key-continuity.ts decideSuccessorTrust:
 *   a succession statement the known key's stored certificate verifies, or the same public key) starts
 *   with that key's trust: "continues a key you verified", or no change warning. A claim that does not
 *   hold leaves the ordinary outcome, with the reason kept for the warning's Details. Two or more new
 *   keys of one answer that each continue the same key by a succession: none of them continues it, each
 *   is a change, as if it replaced that key without a statement (rivalSuccessors says why).
 */
import type { KeyStatus, VerifiedRevocation } from '../keys/revocation.js';
import type { SuccessionStatement } from '../keys/succession.js';
import type { KeyChange } from './contact-keys.js';
import { pruneWithdrawn } from './contact-keys.js';
import { decideSuccessorTrust, type SuccessorDecision } from './key-continuity.js';
import type { ContactKeyRecord } from './schema.js';

export interface ContactStatements {
  /** Succession statements, by the fingerprint of the key whose item carried them. */
  successions: ReadonlyMap<string, SuccessionStatement>;
  /** Revocations this contact published that verifyRevocation accepted, with the certificate each carries (base64 DER). */
  revocations: readonly { revocation: VerifiedRevocation; certificate: string }[];
}

export interface LifecycleContext {
  publisherJid: string;
  now: Date;
  /** The key's certificate check, revocations applied (validate.ts, then revocation.ts withRevocations). */
  statusOf: (record: ContactKeyRecord, revocations: readonly VerifiedRevocation[]) => KeyStatus;
}

export function applyKeyStatements(
  before: readonly ContactKeyRecord[],
  merged: { keys: readonly ContactKeyRecord[]; changes: readonly KeyChange[] },
  statements: ContactStatements,
  context: LifecycleContext,
): { keys: ContactKeyRecord[]; changes: KeyChange[] } {
  const revoked = withRevocationRecords(merged.keys, merged.changes, statements.revocations, context.now);
  const revocations = [...storedRevocations(revoked.keys), ...statements.revocations.map((r) => r.revocation)];
  const known = new Set(before.map((k) => k.fingerprint));
  const changes = [...revoked.changes];
  // Only a key seen for the first time: trust already decided is the user's (or an earlier fetch's).
  const decisions = new Map<string, SuccessorDecision>();
  for (const record of revoked.keys) {
    if (known.has(record.fingerprint) || record.trust === 'retracted' || record.certificate === undefined) continue;
    const succession = statements.successions.get(record.fingerprint);
    decisions.set(
      record.fingerprint,
      decideSuccessorTrust({
        publisherJid: context.publisherJid,
        known: revoked.keys,
        newKey: { fingerprint: record.fingerprint, certificateDer: Buffer.from(record.certificate, 'base64'), status: context.statusOf(record, revocations) },
        ...(succession ? { succession } : {}),
        revocations,
        now: context.now,
      }),
    );
  }
  const rivals = rivalSuccessors(decisions);
  const keys = revoked.keys.map((record) => {
    const decision = decisions.get(record.fingerprint);
    if (decision === undefined) return record;
    if (rivals.has(record.fingerprint) && decision.kind === 'continues') return rivalSuccessor(record, decision.from, changes);
    if (decision.kind === 'no-continuity') {
      // Only a claim that was made and failed is worth a reason; no claim at all is the ordinary case.
      return statements.successions.has(record.fingerprint) && decision.cause !== 'no-claim' ? { ...record, continuityProblem: decision.reason.slice(0, 300) } : record;
    }
    const from = revoked.keys.find((k) => k.fingerprint === decision.from);
    const { replaces: _replaced, ...rest } = record;
    const next: ContactKeyRecord = {
      ...(decision.trust === 'changed' ? record : rest),
      trust: decision.trust,
      continues: { fingerprint: decision.from, basis: decision.basis, verified: decision.continuesVerified },
    };
    if (decision.trust === 'verified') next.verifiedAt = from?.verifiedAt ?? context.now.toISOString();
    // Worth telling when it changes what the person sees: a verified key carried over, or a change
    // warning that no longer applies. A plain new key continuing a merely seen one stays 'new'.
    const index = changes.findIndex((c) => c.fingerprint === record.fingerprint && (c.kind === 'new' || c.kind === 'changed'));
    const ordinary = changes[index];
    if (decision.continuesVerified || ordinary?.kind === 'changed') {
      const change: KeyChange = { kind: 'continued', fingerprint: record.fingerprint, continues: decision.from };
      if (index === -1) changes.push(change);
      else changes.splice(index, 1, change);
    }
    return next;
  });
  // Keys known only from their revocations were added above: the caps hold again.
  return { keys: pruneWithdrawn(keys), changes };
}

/**
 * New keys of one answer whose successions from the same key all hold. A key vouches for one successor
 * only (key-continuity.ts), and a second one seen in an earlier answer is refused there; two first seen
 * together cannot be told apart by anything the reader has. Deciding them one after another would let
 * the first in the answer win, and the items' order is the publisher's (or their server's) to choose:
 * whoever holds the old key, which is what a second successor suggests, would put theirs first. So none
 * of them continues it. Only claims that hold count: a statement that does not verify (which anyone
 * can publish) takes nothing from the real successor.
 */
function rivalSuccessors(decisions: ReadonlyMap<string, SuccessorDecision>): Set<string> {
  const byPredecessor = new Map<string, string[]>();
  for (const [fingerprint, decision] of decisions) {
    if (decision.kind !== 'continues' || decision.basis !== 'succession') continue;
    byPredecessor.set(decision.from, [...(byPredecessor.get(decision.from) ?? []), fingerprint]);
  }
  return new Set([...byPredecessor.values()].filter((claimants) => claimants.length > 1).flat());
}

/**
 * One of several keys that each say they succeed `predecessor`: the loud change warning, as a key that
 * replaced it without any statement would be (compare before trusting it), with the reason why its
 * statement did not count. `changes` says so in place of the merge's 'new'.
 */
function rivalSuccessor(record: ContactKeyRecord, predecessor: string, changes: KeyChange[]): ContactKeyRecord {
  const replaces = [...new Set([...(record.replaces ?? []), predecessor])];
  const index = changes.findIndex((c) => c.fingerprint === record.fingerprint && (c.kind === 'new' || c.kind === 'changed'));
  const change: KeyChange = { kind: 'changed', fingerprint: record.fingerprint, replaces };
  if (index === -1) changes.push(change);
  else changes.splice(index, 1, change);
  return {
    ...record,
    trust: 'changed',
    replaces,
    continuityProblem: 'Another key published with it says it continues the same key; a key vouches for one successor only, so none of them inherits its trust.',
  };
}

/** The revocations already recorded on the stored keys (a later fetch may no longer carry their items). */
export function storedRevocations(keys: readonly ContactKeyRecord[]): VerifiedRevocation[] {
  return keys.flatMap((k) => (k.revocation ? [{ fingerprint: k.fingerprint, ...k.revocation }] : []));
}

function withRevocationRecords(
  keys: readonly ContactKeyRecord[],
  changes: readonly KeyChange[],
  revocations: ContactStatements['revocations'],
  now: Date,
): { keys: ContactKeyRecord[]; changes: KeyChange[] } {
  const at = now.toISOString();
  const result = keys.map((k) => ({ ...k }));
  const found: KeyChange[] = [...changes];
  for (const { revocation, certificate } of revocations) {
    const { fingerprint, reason, date, publicKeyDigest } = revocation;
    const record = result.find((k) => k.fingerprint === fingerprint);
    if (record) {
      if (record.revocation) continue;
      record.revocation = { reason, date, publicKeyDigest };
      found.push({ kind: 'revoked', fingerprint });
      continue;
    }
    // Never seen: kept as withdrawn, the first to go when revoked records are too many (pruneWithdrawn).
    result.push({
      fingerprint,
      certificate,
      firstSeen: at,
      lastSeen: at,
      trust: 'retracted',
      retractedAt: at,
      revocation: { reason, date, publicKeyDigest },
      revokedUnseen: true,
    });
    found.push({ kind: 'revoked', fingerprint });
  }
  return { keys: result, changes: found };
}
