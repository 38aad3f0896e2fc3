import { describe, expect, it } from 'vitest';
import { formatOtherKeyFingerprint } from '../../../contract/format.js';
import { keyBadge, otherKeyTypingHint, typingHint, typingHintText } from '../../../renderer/src/lib/comparison.js';

const juliet = 'e70691cace2a787a4e7d83c39de305957060f6a6f5fff4c9fc41bc6073013ca9';
const nearMiss = `${juliet.slice(0, 60)}0000`;
// Romeo's Profanity device (OMEMO, 64 digits) and Mercutio's gpg key (OpenPGP, 40), as the apps store them.
const omemo = '8992d8bdecd536598b7a762d54a90a4c687cbc8dab5236e5fd8db893fb313e23';
const openpgp = 'DB9D478DF77ED4DDB5281A36643F98A26BA28AC9';

describe('the hint while typing a fingerprint', () => {
  it('says nothing about junk: the format error is the only message', () => {
    expect(typingHint('asdf qwer !!!', juliet)).toBeUndefined();
    expect(typingHint('hello there', juliet)).toBeUndefined();
    expect(typingHint('e706 91cz', juliet)).toBeUndefined();
    expect(typingHint('   ', juliet)).toBeUndefined();
    expect(typingHint(`xmpp:juliet@capulet.lit?x509-sha256=${juliet}`, juliet)).toBeUndefined();
  });

  it('"(yet)" only while hex digits typed so far agree with the key', () => {
    expect(typingHint('E706 91CA ce', juliet)).toEqual({ kind: 'so-far', digits: 10, of: 64 });
    expect(typingHintText({ kind: 'so-far', digits: 10, of: 64 }).text).toBe('The first 10 of 64 digits agree; compare the rest too.');
    expect(typingHint('e706 91cb', juliet)).toEqual({ kind: 'differs-at', digit: 8 });
    expect(typingHintText({ kind: 'differs-at', digit: 8 }).text).not.toMatch(/yet/);
  });

  it('matches only on all 64 digits; more is said to be too many', () => {
    expect(typingHint(juliet.toUpperCase().match(/.{4}/g)?.join(' ') ?? '', juliet)).toEqual({ kind: 'match' });
    expect(typingHintText({ kind: 'match' })).toEqual({ text: 'They match.', tone: 'ok' });
    expect(typingHint(nearMiss, juliet)).toEqual({ kind: 'differs' });
    expect(typingHint(`${juliet}0`, juliet)).toEqual({ kind: 'too-long', of: 64 });
    expect(typingHintText({ kind: 'too-long', of: 64 }).text).toBe('That is more than 64 digits.');
    for (const hint of [{ kind: 'differs' }, { kind: 'too-long', of: 64 }, { kind: 'differs-at', digit: 3 }, { kind: 'so-far', digits: 3, of: 64 }] as const) {
      expect(typingHintText(hint).tone).toBe('warn');
    }
  });
});

describe('the hint while typing another app’s fingerprint (its own length: OMEMO 64, OpenPGP 40)', () => {
  const nearMissOmemo = `${omemo.slice(0, 56)}00000000`;
  const nearMissPgp = `${openpgp.slice(0, 36)}0000`;

  it('says nothing about junk or a verification link: the format error is the only message', () => {
    for (const junk of ['hello there', '8992d8bd-zz', 'xmpp:romeo@montague.lit?x509-sha256=' + omemo, '   ', '0x', '---']) {
      expect(otherKeyTypingHint(junk, omemo), junk).toBeUndefined();
      expect(otherKeyTypingHint(junk, openpgp), junk).toBeUndefined();
    }
  });

  it('all the digits of a near miss are "do not match", never "(yet)"', () => {
    expect(otherKeyTypingHint(formatOtherKeyFingerprint('omemo', nearMissOmemo), omemo)).toEqual({ kind: 'differs' });
    expect(otherKeyTypingHint(formatOtherKeyFingerprint('openpgp', nearMissPgp), openpgp)).toEqual({ kind: 'differs' });
    expect(typingHintText({ kind: 'differs' }).text).toBe('They do not match this key.');
  });

  it('"(yet)" only while the digits so far agree, counted against the key’s own length', () => {
    expect(otherKeyTypingHint('8992d8bd ecd5', omemo)).toEqual({ kind: 'so-far', digits: 12, of: 64 });
    expect(otherKeyTypingHint('DB9D 478D F7', openpgp)).toEqual({ kind: 'so-far', digits: 10, of: 40 });
    expect(typingHintText({ kind: 'so-far', digits: 10, of: 40 }).text).toBe('The first 10 of 40 digits agree; compare the rest too.');
    expect(otherKeyTypingHint('DB9D 478E', openpgp)).toEqual({ kind: 'differs-at', digit: 8 });
  });

  it('matches as main reads it: Profanity’s dashes, gpg’s 0x and capitals, Gajim’s "05" in front', () => {
    expect(otherKeyTypingHint(formatOtherKeyFingerprint('omemo', omemo).toUpperCase().split(' ').join('-'), omemo)).toEqual({ kind: 'match' });
    expect(otherKeyTypingHint(`0x${openpgp.toLowerCase()}`, openpgp)).toEqual({ kind: 'match' });
    expect(otherKeyTypingHint(`05${omemo}`, omemo)).toEqual({ kind: 'match' });
    expect(otherKeyTypingHint('05 8992d8bd', omemo)).toEqual({ kind: 'so-far', digits: 8, of: 64 });
    expect(otherKeyTypingHint(`05${nearMissOmemo}`, omemo)).toEqual({ kind: 'differs' });
  });

  it('more digits than the key has are said to be too many, in the key’s own count', () => {
    expect(otherKeyTypingHint(`${openpgp}00`, openpgp)).toEqual({ kind: 'too-long', of: 40 });
    expect(typingHintText({ kind: 'too-long', of: 40 }).text).toBe('That is more than 40 digits.');
    // A 64-digit OMEMO fingerprint typed against an OpenPGP key: too many for this key (main compares it with the others).
    expect(otherKeyTypingHint(omemo, openpgp)).toEqual({ kind: 'too-long', of: 40 });
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
