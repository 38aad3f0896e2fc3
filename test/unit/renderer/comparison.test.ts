import { describe, expect, it } from 'vitest';
import { compareWithKeys, describeGroups, keyBadge, typingHint, typingHintText } from '../../../renderer/src/lib/comparison.js';

const juliet = 'e70691cace2a787a4e7d83c39de305957060f6a6f5fff4c9fc41bc6073013ca9';
const nearMiss = `${juliet.slice(0, 60)}0000`;
const other = 'bc5d92074510bf69aa5cf7589bf2bc8db3cd3804988aac0e931cc459f7397708';

describe('a fingerprint that matched none of the contact’s keys', () => {
  it('is shown whole, with the groups that differ from the closest key marked', () => {
    const compared = compareWithKeys(nearMiss, [other, juliet]);
    expect(compared.groups.map((g) => g.text).join('')).toBe(nearMiss);
    expect(compared.groups).toHaveLength(16);
    expect(compared.closest).toBe(juliet);
    expect(compared.differing).toEqual([16]);
    expect(compared.groups.filter((g) => g.differs).map((g) => g.text)).toEqual(['0000']);
  });

  it('marks every differing group, wherever it is', () => {
    const typo = `${juliet.slice(0, 4)}ffff${juliet.slice(8, 52)}000000000000`;
    expect(compareWithKeys(typo, [juliet]).differing).toEqual([2, 14, 15, 16]);
  });

  it('is not pointed at any key when it shares no group with one (nothing marked)', () => {
    const compared = compareWithKeys(other, [juliet]);
    expect(compared.closest).toBeUndefined();
    expect(compared.differing).toEqual([]);
    expect(compared.groups.some((g) => g.differs)).toBe(false);
    expect(compareWithKeys(other, []).closest).toBeUndefined();
  });

  it('reads the same however it was typed (case, spaces, colons)', () => {
    const typed = nearMiss.toUpperCase().match(/.{2}/g)?.join(':') ?? '';
    expect(compareWithKeys(typed, [juliet]).differing).toEqual([16]);
  });

  it('names the differing groups in words, runs joined', () => {
    expect(describeGroups([16])).toBe('group 16');
    expect(describeGroups([14, 15, 16])).toBe('groups 14–16');
    expect(describeGroups([16, 2, 14, 15])).toBe('groups 2 and 14–16');
    expect(describeGroups([1, 3, 5, 6])).toBe('groups 1, 3 and 5–6');
  });
});

describe('the hint while typing a fingerprint', () => {
  it('says nothing about junk: the format error is the only message', () => {
    expect(typingHint('asdf qwer !!!', juliet)).toBeUndefined();
    expect(typingHint('hello there', juliet)).toBeUndefined();
    expect(typingHint('e706 91cz', juliet)).toBeUndefined();
    expect(typingHint('   ', juliet)).toBeUndefined();
    expect(typingHint(`xmpp:juliet@capulet.lit?x509-sha256=${juliet}`, juliet)).toBeUndefined();
  });

  it('"(yet)" only while hex digits typed so far agree with the key', () => {
    expect(typingHint('E706 91CA ce', juliet)).toEqual({ kind: 'so-far', digits: 10 });
    expect(typingHintText({ kind: 'so-far', digits: 10 }).text).toMatch(/\(yet\)/);
    expect(typingHint('e706 91cb', juliet)).toEqual({ kind: 'differs-at', digit: 8 });
    expect(typingHintText({ kind: 'differs-at', digit: 8 }).text).not.toMatch(/yet/);
  });

  it('matches only on all 64 digits; more is said to be too many', () => {
    expect(typingHint(juliet.toUpperCase().match(/.{4}/g)?.join(' ') ?? '', juliet)).toEqual({ kind: 'match' });
    expect(typingHintText({ kind: 'match' })).toEqual({ text: 'They match.', tone: 'ok' });
    expect(typingHint(nearMiss, juliet)).toEqual({ kind: 'differs' });
    expect(typingHint(`${juliet}0`, juliet)).toEqual({ kind: 'too-long' });
    for (const hint of [{ kind: 'differs' }, { kind: 'too-long' }, { kind: 'differs-at', digit: 3 }, { kind: 'so-far', digits: 3 }] as const) {
      expect(typingHintText(hint).tone).toBe('warn');
    }
  });
});

describe('a key’s badge', () => {
  it('reads as usual when no comparison failed', () => {
    expect(keyBadge('trusted', false)).toEqual({ text: 'Trusted, not verified', tone: 'neutral' });
    expect(keyBadge('verified', false)).toEqual({ text: 'Verified', tone: 'ok' });
  });

  it('never reassures beside an open mismatch', () => {
    expect(keyBadge('trusted', true)).toEqual({ text: 'Not verified — a comparison failed', tone: 'warn' });
    for (const decision of ['trusted', 'untrusted', 'verified', 'changed', 'revoked'] as const) {
      const badge = keyBadge(decision, true);
      expect(badge.tone, decision).not.toMatch(/^(ok|neutral)$/);
      expect(badge.text, decision).not.toMatch(/^Trusted|^Verified$/);
    }
  });
});
