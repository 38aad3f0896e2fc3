/**
 * Activity's lines for a contact's key changes (renderer/src/lib/key-activity.ts). A key that stood in
 * for another and comes back after being withdrawn is still that change until compared or accepted
 * (main/vault/contact-keys.ts): Activity says so as loudly as the first time, not "a withdrawn key was
 * published again", which reads as nothing to do.
 */
import { describe, expect, it } from 'vitest';
import type { ContactKeysView, ContactKeyView } from '../../../contract/index.js';
import { keyActivity, verificationTakenBack } from '../../../renderer/src/lib/key-activity.js';

const key = (fingerprint: string, decision: ContactKeyView['decision'], trust: ContactKeyView['trust']): ContactKeyView => ({
  fingerprint,
  status: 'valid',
  reason: '',
  trust,
  decision,
  firstSeen: '2026-12-01T10:00:00.000Z',
  lastSeen: '2026-12-03T10:00:00.000Z',
  bits: 2048,
});

function view(keys: ContactKeyView[], changes: ContactKeysView['changes']): ContactKeysView {
  return { jid: 'romeo@montague.lit', fetch: 'ok', keys, invalid: [], changes, policy: 'tofu', policySource: 'account', mismatches: [] };
}

describe('Activity for keys published again', () => {
  const laundered = 'a'.repeat(64);
  const plain = 'b'.repeat(64);

  it('is loud for a key that is still a change, quiet for one that is not', () => {
    const entries = keyActivity(
      view([key(laundered, 'changed', 'changed'), key(plain, 'trusted', 'unverified')], [
        { kind: 'reappeared', fingerprint: laundered },
        { kind: 'reappeared', fingerprint: plain },
      ]),
      5,
    );
    expect(entries).toEqual([
      { kind: 'changed', text: 'A key that replaced one you had is published again, still not compared: compare it', fingerprint: laundered },
      { kind: 'received', text: 'A withdrawn key was published again', fingerprint: plain },
    ]);
  });

  it('folds many into one line per kind, the loud one kept apart', () => {
    const many = Array.from({ length: 7 }, (_, i) => i.toString(16).repeat(64));
    const entries = keyActivity(view(many.map((f) => key(f, 'changed', 'changed')), many.map((fingerprint) => ({ kind: 'reappeared' as const, fingerprint }))), 5);
    expect(entries).toEqual([{ kind: 'changed', text: '7 keys that replaced ones you had are published again, still not compared: compare them' }]);
  });

  it('still words a new key with its size, and a change to compare', () => {
    const entries = keyActivity(view([key(plain, 'trusted', 'unverified'), key(laundered, 'changed', 'changed')], [
      { kind: 'new', fingerprint: plain },
      { kind: 'changed', fingerprint: laundered, replaces: [plain] },
    ]), 5);
    expect(entries.map((e) => e.text)).toEqual(['NEW key replacing one you had: compare it', 'New RSA 2048 key']);
  });
});

describe('Activity for a new key beside one the user verified', () => {
  const verified = 'e'.repeat(64);
  const added = 'f'.repeat(64);

  it('says it is trusted on first use only, not compared, when the policy trusts it', () => {
    const entries = keyActivity(view([key(verified, 'verified', 'verified'), key(added, 'trusted', 'unverified')], [{ kind: 'new', fingerprint: added }]), 5);
    expect(entries).toEqual([{ kind: 'received', text: 'New RSA 2048 key beside one you verified: trusted on first use, not compared', fingerprint: added }]);
  });

  it('says what it waits for when the policy does not trust it yet', () => {
    const entries = keyActivity(view([key(verified, 'verified', 'verified'), key(added, 'untrusted', 'unverified')], [{ kind: 'new', fingerprint: added }]), 5);
    expect(entries).toEqual([{ kind: 'received', text: 'New RSA 2048 key: not trusted until you compare it', fingerprint: added }]);
  });

  it('is plain news for a contact with no verified key', () => {
    const entries = keyActivity(view([key(added, 'trusted', 'unverified')], [{ kind: 'new', fingerprint: added }]), 5);
    expect(entries).toEqual([{ kind: 'received', text: 'New RSA 2048 key', fingerprint: added }]);
  });
});

describe('Activity for a verification the user took back', () => {
  it('is a plain line of their own doing, not an alarm', () => {
    expect(verificationTakenBack('a verification', false)).toEqual({ kind: 'taken-back', text: 'You took back a verification' });
    expect(verificationTakenBack('the verification of OMEMO device 4711', false)).toEqual({ kind: 'taken-back', text: 'You took back the verification of OMEMO device 4711' });
  });

  it('is loud when the key is left a change never accepted, which warns again', () => {
    expect(verificationTakenBack('a verification', true)).toEqual({ kind: 'changed', text: 'You took back a verification: the key is a change you never accepted, compare it' });
  });
});

describe('Activity for a key that continues another', () => {
  const renewed = 'c'.repeat(64);

  it('is a change, loud, when the key it continues was a change never compared', () => {
    const entries = keyActivity(view([{ ...key(renewed, 'changed', 'changed'), continues: { fingerprint: 'd'.repeat(64), verified: false, basis: 'succession' } }], [{ kind: 'continued', fingerprint: renewed }]), 5);
    expect(entries).toEqual([{ kind: 'changed', text: 'New key that continues one you never compared: still a change, compare it', fingerprint: renewed }]);
  });

  it('is quiet news when the key it continues was trusted', () => {
    const entries = keyActivity(view([{ ...key(renewed, 'trusted', 'unverified'), continues: { fingerprint: 'd'.repeat(64), verified: false, basis: 'succession' } }], [{ kind: 'continued', fingerprint: renewed }]), 5);
    expect(entries).toEqual([{ kind: 'received', text: 'New key that continues one you had seen (no change)', fingerprint: renewed }]);
  });
});
