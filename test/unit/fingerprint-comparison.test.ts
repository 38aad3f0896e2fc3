/**
 * Where a fingerprint that matched none of a contact's keys differs from them (contract/comparison.ts):
 * the one decision the window and the terminal both show, in the groups each key is written in (X.509
 * in fours, OMEMO in lowercase eights as Conversations writes it, OpenPGP in capital fours as gpg does).
 */
import { describe, expect, it } from 'vitest';
import { compareWithKeys, describeComparison, describeGroups, openMismatches } from '../../contract/comparison.js';
import { formatOtherKeyFingerprint, otherKeyStyle, otherKeyStyleOf, shortFingerprint, X509_STYLE } from '../../contract/format.js';

const juliet = 'e70691cace2a787a4e7d83c39de305957060f6a6f5fff4c9fc41bc6073013ca9';
const nearMiss = `${juliet.slice(0, 60)}0000`;
const other = 'bc5d92074510bf69aa5cf7589bf2bc8db3cd3804988aac0e931cc459f7397708';

// Romeo's Profanity device (OMEMO, 64 digits) and Mercutio's gpg key (OpenPGP, 40), as the apps store them.
const omemo = '8992d8bdecd536598b7a762d54a90a4c687cbc8dab5236e5fd8db893fb313e23';
const openpgp = 'DB9D478DF77ED4DDB5281A36643F98A26BA28AC9';
const OMEMO = otherKeyStyle('omemo');
const OPENPGP = otherKeyStyle('openpgp');

describe('an X.509 fingerprint that matched none of the contact’s keys', () => {
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

  it('is said in one sentence for the terminal, naming the closest key by its beginning only', () => {
    expect(describeComparison(compareWithKeys(nearMiss, [juliet]))).toBe('differs from their key e706 91ca ce2a 787a… in group 16 of 16');
    expect(describeComparison(compareWithKeys(other, [juliet]))).toBe('has no group of four in common with any of their keys');
  });
});

describe('an OMEMO fingerprint (64 digits, groups of 8) that matched none of their devices', () => {
  const nearMissOmemo = `${omemo.slice(0, 56)}00000000`;

  it('is laid out in the eight groups Conversations shows, the last one marked', () => {
    const compared = compareWithKeys(nearMissOmemo, [openpgp, omemo], OMEMO);
    expect(compared.groups.map((g) => g.text)).toEqual(formatOtherKeyFingerprint('omemo', nearMissOmemo).split(' '));
    expect(compared.groups).toHaveLength(8);
    expect(compared.closest).toBe(omemo);
    expect(compared.differing).toEqual([8]);
    expect(compared.groups.filter((g) => g.differs).map((g) => g.text)).toEqual(['00000000']);
    expect(describeComparison(compared, OMEMO)).toBe('differs from their key 8992d8bd ecd53659… in group 8 of 8');
  });

  it('is read as their app wrote it (Profanity’s dashes, capitals)', () => {
    const asProfanity = (formatOtherKeyFingerprint('omemo', nearMissOmemo).toUpperCase().split(' ').join('-'));
    expect(compareWithKeys(asProfanity.replace(/-/g, ' '), [omemo], OMEMO).differing).toEqual([8]);
  });

  it('is never a near miss of an OpenPGP key, however their digits begin', () => {
    const compared = compareWithKeys(`${openpgp.toLowerCase()}${'0'.repeat(24)}`, [openpgp], OMEMO);
    expect(compared.closest).toBeUndefined();
    expect(describeComparison(compared, OMEMO)).toBe('has no group of eight in common with any of their keys');
  });
});

describe('an OpenPGP fingerprint (40 digits, capital groups of 4) that matched none of their keys', () => {
  const nearMissPgp = `${openpgp.slice(0, 36)}0000`;

  it('is laid out in the ten groups gpg prints, the last one marked', () => {
    const compared = compareWithKeys(nearMissPgp, [omemo, openpgp], otherKeyStyleOf(nearMissPgp));
    expect(compared.groups.map((g) => g.text)).toEqual(formatOtherKeyFingerprint('openpgp', nearMissPgp).split(' '));
    expect(compared.groups).toHaveLength(10);
    expect(compared.closest).toBe(openpgp);
    expect(compared.differing).toEqual([10]);
    expect(describeComparison(compared, OPENPGP)).toBe('differs from their key DB9D 478D F77E D4DD… in group 10 of 10');
  });
});

describe('how a fingerprint is written', () => {
  it('picks the app’s style from the digits alone (40: OpenPGP, 64: OMEMO)', () => {
    expect(otherKeyStyleOf(openpgp)).toEqual(OPENPGP);
    expect(otherKeyStyleOf(omemo)).toEqual(OMEMO);
  });

  it('shortens in the style it is shown in, X.509 as before', () => {
    expect(shortFingerprint(juliet)).toBe('e706 91ca ce2a 787a…');
    expect(shortFingerprint(juliet, X509_STYLE)).toBe('e706 91ca ce2a 787a…');
    expect(shortFingerprint(omemo, OMEMO)).toBe('8992d8bd ecd53659…');
    expect(shortFingerprint(openpgp, OPENPGP)).toBe('DB9D 478D F77E D4DD…');
    expect(formatOtherKeyFingerprint('openpgp', '')).toBe('');
  });
});

describe('which comparisons that matched nothing still sound the alarm (openMismatches, for X.509 and other apps’ keys)', () => {
  const at = (minute: number) => `2026-12-04T10:${String(minute).padStart(2, '0')}:00.000Z`;
  const mismatches = [
    { offered: other, at: at(6), via: 'typed' as const },
    { offered: nearMiss, at: at(0), via: 'typed' as const },
  ];

  it('all of them while nothing matched', () => {
    expect(openMismatches(mismatches, [{}])).toEqual(mismatches);
  });

  it('only those after the last match, whether a key is still verified or the verification was taken back since', () => {
    expect(openMismatches(mismatches, [{ verifiedAt: at(5) }])).toEqual([mismatches[0]]);
    expect(openMismatches(mismatches, [{}], at(5))).toEqual([mismatches[0]]);
    expect(openMismatches(mismatches, [{ verifiedAt: at(1) }], at(7))).toEqual([]);
  });
});
