/**
 * What a contact's signed statements do to the stored records of their keys, after a complete key set
 * was merged (main/vault/contact-key-lifecycle.ts): each path of the reader's decision.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRevocation, verifyRevocation, withRevocations, type RevocationReason, type VerifiedRevocation } from '../../../main/keys/revocation.js';
import { createSuccession, type SuccessionStatement } from '../../../main/keys/succession.js';
import { checkPublishedCertificate } from '../../../main/keys/validate.js';
import { applyKeyStatements, type ContactStatements } from '../../../main/vault/contact-key-lifecycle.js';
import { mergeFullKeySet } from '../../../main/vault/contact-keys.js';
import type { ContactKeyRecord } from '../../../main/vault/schema.js';
import { contactRecord, JULIET, makeKey, makeRotation, T0, type OwnKey } from './support.js';

let oldKey: OwnKey;
let newKey: OwnKey;
let succession: SuccessionStatement;
let forged: SuccessionStatement;

beforeAll(async () => {
  ({ oldKey, newKey, succession, forged } = await makeRotation());
}, 30_000);

const NOW = new Date();
const record = contactRecord;
const seen = (key: OwnKey) => ({ fingerprint: key.fingerprint, certificate: key.der.toString('base64') });
const context = {
  publisherJid: JULIET,
  now: NOW,
  statusOf: (r: ContactKeyRecord, revocations: readonly VerifiedRevocation[]) => {
    const der = Buffer.from(r.certificate ?? '', 'base64');
    return withRevocations(checkPublishedCertificate({ der, publisherJid: JULIET, itemId: r.fingerprint }), der, revocations).status;
  },
};

/** The old key known as `trust`; the contact now publishes only the new key (with `statements`). */
function rotate(trust: ContactKeyRecord['trust'], statements: Partial<ContactStatements>, extra: Partial<ContactKeyRecord> = {}) {
  const before = [record(oldKey, trust, trust === 'verified' ? { verifiedAt: T0, ...extra } : extra)];
  const merged = mergeFullKeySet(before, [seen(newKey)], NOW);
  const result = applyKeyStatements(before, merged, { successions: new Map(), revocations: [], ...statements }, context);
  return { ...result, added: result.keys.find((k) => k.fingerprint === newKey.fingerprint) };
}

async function revocationOf(key: OwnKey, reason: RevocationReason) {
  const statement = await createRevocation({ bareJid: JULIET, certificateDer: key.der, privateKey: key.privateKey, reason });
  const check = verifyRevocation(statement, { publisherJid: JULIET });
  if (!check.valid) throw new Error(check.reason);
  const { valid: _valid, ...revocation } = check;
  return { revocation, certificate: statement.certificate };
}

describe('a new key with a succession statement', () => {
  it('that the verified old key signed stays verified, with no change warning', () => {
    const { added, changes } = rotate('verified', { successions: new Map([[newKey.fingerprint, succession]]) });
    expect(added).toMatchObject({ trust: 'verified', verifiedAt: T0, continues: { fingerprint: oldKey.fingerprint, basis: 'succession', verified: true } });
    expect(added?.replaces).toBeUndefined();
    expect(changes).toContainEqual({ kind: 'continued', fingerprint: newKey.fingerprint, continues: oldKey.fingerprint });
    expect(changes.some((c) => c.kind === 'changed')).toBe(false);
  });

  it('that continues a key seen but not verified is not verified, and raises no change warning', () => {
    const { added, changes } = rotate('unverified', { successions: new Map([[newKey.fingerprint, succession]]) });
    expect(added).toMatchObject({ trust: 'unverified', continues: { fingerprint: oldKey.fingerprint, verified: false } });
    expect(added?.replaces).toBeUndefined();
    expect(changes.find((c) => c.fingerprint === newKey.fingerprint)?.kind).toBe('continued');
  });

  it('signed by another key is the ordinary change warning, with why the claim failed', () => {
    const { added, changes } = rotate('verified', { successions: new Map([[newKey.fingerprint, forged]]) });
    expect(added).toMatchObject({ trust: 'changed', replaces: [oldKey.fingerprint] });
    expect(added?.continues).toBeUndefined();
    expect(added?.continuityProblem).toMatch(/signature/i);
    expect(changes).toContainEqual({ kind: 'changed', fingerprint: newKey.fingerprint, replaces: [oldKey.fingerprint] });
  });

  it('missing is the ordinary change warning, with no reason to show', () => {
    const { added } = rotate('verified', {});
    expect(added).toMatchObject({ trust: 'changed' });
    expect(added?.continuityProblem).toBeUndefined();
  });

  it('from a key its owner revoked as compromised counts for nothing', async () => {
    const { added } = rotate('verified', { successions: new Map([[newKey.fingerprint, succession]]), revocations: [await revocationOf(oldKey, 'compromised')] });
    expect(added).toMatchObject({ trust: 'changed' });
    expect(added?.continuityProblem).toMatch(/compromised/);
  });

  it('from a key its owner revoked as superseded still counts', async () => {
    const { added, keys } = rotate('verified', { successions: new Map([[newKey.fingerprint, succession]]), revocations: [await revocationOf(oldKey, 'superseded')] });
    expect(added).toMatchObject({ trust: 'verified' });
    expect(keys.find((k) => k.fingerprint === oldKey.fingerprint)?.revocation).toMatchObject({ reason: 'superseded' });
  });

  it('is looked at only when the key is first seen: a later fetch leaves the user’s decision alone', () => {
    const before = [record(oldKey, 'retracted', { verifiedAt: T0, retractedAt: T0 }), record(newKey, 'changed', { replaces: [oldKey.fingerprint] })];
    const merged = mergeFullKeySet(before, [seen(newKey)], NOW);
    const { keys } = applyKeyStatements(before, merged, { successions: new Map([[newKey.fingerprint, succession]]), revocations: [] }, context);
    expect(keys.find((k) => k.fingerprint === newKey.fingerprint)?.trust).toBe('changed');
  });
});

describe('a key vouches for one successor only, also when two arrive in one answer', () => {
  let thief: OwnKey;
  let thiefs: SuccessionStatement;
  beforeAll(async () => {
    // Whoever holds the old private key signs a succession for a key of their own.
    thief = await makeKey();
    thiefs = await createSuccession({ bareJid: JULIET, oldCertificateDer: oldKey.der, oldPrivateKey: oldKey.privateKey, newCertificateDer: thief.der });
  }, 30_000);

  /** The verified old key known; the answer lists `published` (in that order) with both successions. */
  const answer = (published: OwnKey[], successions: Map<string, SuccessionStatement>) => {
    const before = [record(oldKey, 'verified', { verifiedAt: T0 })];
    const merged = mergeFullKeySet(before, published.map(seen), NOW);
    const result = applyKeyStatements(before, merged, { successions, revocations: [] }, context);
    return { ...result, of: (key: OwnKey) => result.keys.find((k) => k.fingerprint === key.fingerprint) };
  };

  it('two good successions of the verified key, first seen together: neither is verified, each is a change, in either order', () => {
    const successions = new Map([[newKey.fingerprint, succession], [thief.fingerprint, thiefs]]);
    // The items' order is the publisher's: it decides nothing.
    for (const order of [[newKey, thief], [thief, newKey]]) {
      const { of, changes } = answer(order, successions);
      for (const key of [newKey, thief]) {
        expect(of(key)).toMatchObject({ trust: 'changed', replaces: [oldKey.fingerprint] });
        expect(of(key)?.continues).toBeUndefined();
        expect(of(key)?.verifiedAt).toBeUndefined();
        expect(of(key)?.continuityProblem).toMatch(/one successor only/);
        expect(changes).toContainEqual({ kind: 'changed', fingerprint: key.fingerprint, replaces: [oldKey.fingerprint] });
      }
      expect(changes.some((c) => c.kind === 'continued')).toBe(false);
    }
  });

  it('while the old key is still published beside them: each is a change all the same', () => {
    const { of, changes } = answer([oldKey, newKey, thief], new Map([[newKey.fingerprint, succession], [thief.fingerprint, thiefs]]));
    expect(of(oldKey)?.trust).toBe('verified');
    for (const key of [newKey, thief]) {
      expect(of(key)).toMatchObject({ trust: 'changed', replaces: [oldKey.fingerprint] });
      expect(changes).toContainEqual({ kind: 'changed', fingerprint: key.fingerprint, replaces: [oldKey.fingerprint] });
    }
  });

  it('a second claim that does not verify (anyone can publish one) takes nothing from the real successor', () => {
    const { of } = answer([newKey, thief], new Map([[newKey.fingerprint, succession], [thief.fingerprint, { ...thiefs, signature: forged.signature }]]));
    expect(of(newKey)).toMatchObject({ trust: 'verified', continues: { fingerprint: oldKey.fingerprint, basis: 'succession', verified: true } });
    expect(of(thief)?.trust).toBe('changed');
    expect(of(thief)?.continues).toBeUndefined();
  });
});

describe('a revocation that verified', () => {
  it('marks the key it names revoked, once', async () => {
    const before = [record(oldKey, 'verified', { verifiedAt: T0 })];
    const revocations = [await revocationOf(oldKey, 'retired')];
    const first = applyKeyStatements(before, mergeFullKeySet(before, [seen(oldKey)], NOW), { successions: new Map(), revocations }, context);
    expect(first.keys[0]?.revocation).toMatchObject({ reason: 'retired' });
    expect(first.changes).toContainEqual({ kind: 'revoked', fingerprint: oldKey.fingerprint });
    const again = applyKeyStatements(first.keys, mergeFullKeySet(first.keys, [], NOW), { successions: new Map(), revocations }, context);
    expect(again.changes.filter((c) => c.kind === 'revoked')).toEqual([]);
    expect(again.keys[0]).toMatchObject({ trust: 'retracted', revocation: { reason: 'retired' } });
  });

  it('of a key never seen is kept, as withdrawn, and a key published after it is new, not a change', async () => {
    const revocations = [await revocationOf(oldKey, 'compromised')];
    const { keys } = applyKeyStatements([], mergeFullKeySet([], [], NOW), { successions: new Map(), revocations }, context);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ fingerprint: oldKey.fingerprint, trust: 'retracted', revokedUnseen: true, revocation: { reason: 'compromised' } });
    const later = mergeFullKeySet(keys, [seen(newKey)], NOW);
    expect(later.changes).toEqual([{ kind: 'new', fingerprint: newKey.fingerprint }]);
    // Published to us after all: it is shown, and it is revoked.
    const replayed = applyKeyStatements(keys, mergeFullKeySet(keys, [seen(oldKey)], NOW), { successions: new Map(), revocations: [] }, context);
    const shown = replayed.keys.find((k) => k.fingerprint === oldKey.fingerprint);
    expect(shown?.trust).not.toBe('retracted');
    expect(shown?.revocation).toMatchObject({ reason: 'compromised' });
  });
});
