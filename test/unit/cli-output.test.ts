/**
 * Terminal injection through the CLI: every string the network can choose (JIDs, item ids, reasons,
 * error texts, profile fields, what the server reads back) is put in every field the CLI prints. The
 * output must hold no control, bidi or invisible character and no line the hostile text started
 * (a forged "  trust: verified"). The end-to-end version, with a hostile contact on a real server and
 * the CLI as a child process, is in test/integration/cli-hostile.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  describeContactKeys,
  describeContacts,
  describeNodeConfig,
  describeOtherKeys,
  describeOwnKey,
  describeProfile,
  describeSupport,
  jsonText,
} from '../../main/cli/output.js';
import { runCli } from '../../main/cli/program.js';
import type { ContactKeysView, ContactProfileView, OtherKeyView, OwnKeyView, Profile } from '../../contract/index.js';

/** Newline + a forged line, ESC and one-byte CSI sequences, a bidi override and isolate, zero-width, LS. */
const HOSTILE = 'x\n  trust: verified\r\n\u001b[2J\u009b31m\u202eevil\u2066\u200bz\u2028  trust: verified\u0085y';
// eslint-disable-next-line no-control-regex -- what must never reach a terminal
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

function expectNoInjection(text: string): void {
  expect(text).not.toMatch(UNSAFE);
  // The only lines that may start with "trust:" are the CLI's own, which never say "verified" here.
  expect(text.split('\n').filter((line) => /^\s*trust: verified/.test(line))).toEqual([]);
}

const hostileProfile: Profile = {
  fullName: HOSTILE,
  nickname: HOSTILE,
  emails: [HOSTILE],
  phones: [HOSTILE],
  urls: [HOSTILE],
  note: HOSTILE,
  organisation: HOSTILE,
  address: { street: HOSTILE, locality: HOSTILE, region: HOSTILE, code: HOSTILE, country: HOSTILE },
};

const TOFU = { policy: 'tofu' as const, policySource: 'account' as const, mismatches: [] };

describe('terminal injection through the CLI', () => {
  it('a hostile contact’s keys, item ids and reasons cannot forge a line or move the cursor', () => {
    const view: ContactKeysView = {
      jid: HOSTILE,
      fetch: 'ok',
      detail: HOSTILE,
      keys: [
        {
          fingerprint: 'ab'.repeat(32),
          status: 'valid',
          reason: HOSTILE,
          trust: 'unverified',
          decision: 'trusted',
          firstSeen: HOSTILE,
          lastSeen: HOSTILE,
          notBefore: HOSTILE,
          notAfter: HOSTILE,
          bits: 2048,
        },
      ],
      invalid: [{ itemId: HOSTILE, reason: HOSTILE }],
      changes: [],
      policy: 'tofu',
      policySource: 'account',
      mismatches: [{ offered: 'cd'.repeat(32), at: HOSTILE, via: 'typed' }],
    };
    expectNoInjection(describeContactKeys(view));
    expectNoInjection(describeContactKeys({ ...view, keys: [] }));
  });

  it('keys left out because a contact publishes too many are one line, not one each', () => {
    const tooMany = Array.from({ length: 236 }, (_, i) => ({ itemId: i.toString(16).padStart(64, '0'), reason: 'Left out', tooMany: true as const }));
    const text = describeContactKeys({ jid: 'juliet@capulet.lit', fetch: 'ok', keys: [], invalid: [{ itemId: 'x', reason: 'broken' }, ...tooMany], changes: [], ...TOFU });
    expect(text.split('\n').slice(1)).toEqual(['invalid item x: broken', '236 more keys left out: the app keeps at most 64 current keys per contact.']);
  });

  it('a hostile profile (every field, XEP-0154 field names, avatar metadata, source details) stays in its lines', () => {
    const view: ContactProfileView = {
      jid: HOSTILE,
      origin: 'fetch',
      updated: [HOSTILE],
      vcard: hostileProfile,
      nickname: HOSTILE,
      avatar: { info: { id: HOSTILE, type: HOSTILE, bytes: 1, width: 1, height: 1 }, dataProblem: HOSTILE },
      xep0154: { fields: [{ name: HOSTILE, values: [HOSTILE] }], profile: hostileProfile },
      sources: [{ node: HOSTILE, status: 'failed', detail: HOSTILE }],
    };
    expectNoInjection(describeProfile(view));
  });

  it('what the server answers (disco features, node configuration read back) and roster entries are cleaned too', () => {
    expectNoInjection(describeSupport({
        queried: HOSTILE,
        pep: true,
        publishOptions: true,
        accessModels: [HOSTILE],
        pubsubFeatures: [HOSTILE],
        software: { name: HOSTILE, version: HOSTILE },
        notifications: { remoteContacts: 'unknown', whitelistMembers: 'unknown', retractions: 'unknown' },
      }));
    for (const accessModel of ['roster', 'whitelist', HOSTILE]) {
      expectNoInjection(
        describeNodeConfig({
          node: HOSTILE,
          accessModel,
          persistItems: true,
          sendLastPublishedItem: HOSTILE,
          maxItems: HOSTILE,
          rosterGroupsAllowed: [HOSTILE],
          whitelist: [HOSTILE],
          members: [HOSTILE],
          emptyGroups: [HOSTILE],
          deviations: [
            { code: 'last-item-sent', value: HOSTILE },
            { code: 'too-few-items', value: HOSTILE, asked: 32 },
            { code: 'affiliations-unknown', detail: HOSTILE },
            { code: 'outsiders', members: [{ jid: HOSTILE, affiliation: HOSTILE }] },
          ],
        }),
      );
    }
    expectNoInjection(describeContacts([{ jid: HOSTILE, name: HOSTILE, groups: [HOSTILE], subscription: 'both', pending: false, online: true }]));
  });

  it('JSON output carries the same data with the unsafe characters escaped', () => {
    const text = jsonText({ jid: HOSTILE }, 2);
    expect(text).not.toMatch(UNSAFE);
    expect(JSON.parse(text)).toEqual({ jid: HOSTILE });
  });

  it('an error message that quotes hostile text is one clean line on stderr', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['--jid', 'juliet@capulet.lit', 'profile', 'set', '--access', 'open', '--avatar', `/nonexistent/${HOSTILE}`], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: {},
      interrupted: new Promise(() => undefined),
    });
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^keyring: Cannot read \/nonexistent\/x trust: verified .*\(ENOENT\)\.$/);
    expectNoInjection(err.join('\n'));
    expect(err[0]).not.toContain('\n');
  });
});

describe('keys list: a renewal named from both sides', () => {
  const base: OwnKeyView = {
    fingerprint: '65'.repeat(32),
    current: false,
    bits: 2048,
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    expiry: { level: 'none', daysLeft: 200 },
    createdAt: '2026-01-01T00:00:00.000Z',
    publications: [],
  };
  const successor: OwnKeyView = { ...base, fingerprint: '53'.repeat(32), continues: base.fingerprint, current: true, createdAt: '2026-02-01T00:00:00.000Z' };

  it('the successor says whose it is, and the older one which key renewed it (a failed publish left it unpublished)', () => {
    const list = [successor, base];
    expect(describeOwnKey(successor, list)).toContain('  successor of 6565 6565 6565 6565…');
    expect(describeOwnKey(base, list)).toContain('  renewed: its successor is 5353 5353 5353 5353… (current)');
    expect(describeOwnKey(base, list)).not.toContain('successor of');
  });

  it('a certificate revoked under another certificate of its key says which', () => {
    const covered: OwnKeyView = { ...base, revoked: { reason: 'compromised', date: '2026-03-01T00:00:00.000Z', underCertificate: successor.fingerprint } };
    expect(describeOwnKey(covered)).toContain('(REVOKED)');
    expect(describeOwnKey(covered)).toContain('under its other certificate 5353 5353 5353 5353… (the same key)');
  });

  it('a key whose revocation was held back says contacts are not told, and how it goes out; once out, it does not', () => {
    const revoked: OwnKeyView = { ...base, revoked: { reason: 'compromised', date: '2026-03-01T00:00:00.000Z' } };
    const held = describeOwnKey({ ...revoked, revocationUnpublished: true });
    expect(held).toContain('  warning: its revocation is not published yet, so contacts are not told: their apps still show this key as yours.');
    expect(held).toContain('put back (`keyring doctor --repair`), the revocation goes out at the next sign-in');
    expect(describeOwnKey(revoked)).not.toContain('not published yet');
  });
});

describe('keys list: the expiry warning', () => {
  const key = (expiry: OwnKeyView['expiry'], published: boolean): OwnKeyView => ({
    fingerprint: 'ab'.repeat(32),
    label: 'Laptop',
    current: true,
    bits: 2048,
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    expiry,
    createdAt: '2026-01-01T00:00:00.000Z',
    publications: published ? [{ node: 'urn:xmpp:tmp:pubkey', accessModel: 'presence', publishedAt: '2026-01-01T00:00:00.000Z' }] : [],
  });

  it('warns 30, 7 and 1 days ahead and once expired, pointing a published key to renewal', () => {
    expect(describeOwnKey(key({ level: 'within-7-days', daysLeft: 5 }, true))).toContain(
      'warning: expires in 5 days; renew it with `keyring keys renew FINGERPRINT`',
    );
    expect(describeOwnKey(key({ level: 'within-1-day', daysLeft: 1 }, false))).toContain('warning: expires in 1 day');
    expect(describeOwnKey(key({ level: 'expired', daysAgo: 2 }, true))).toContain('warning: expired 2 days ago');
    expect(describeOwnKey(key({ level: 'none', daysLeft: 200 }, true))).not.toContain('warning');
  });

  it('says days on the calendar where the person is, as the screens do', () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'America/Los_Angeles';
      // 00:00 UTC on 1 Jan 2027 is still 31 Dec 2026 in Los Angeles.
      expect(describeOwnKey(key({ level: 'none', daysLeft: 200 }, true))).toContain('valid 2025-12-31 to 2026-12-31');
      process.env.TZ = 'UTC';
      expect(describeOwnKey(key({ level: 'none', daysLeft: 200 }, true))).toContain('valid 2026-01-01 to 2027-01-01');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('says a key that has not started yet is not valid until its day, and is not current', () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const later = describeOwnKey({ ...key({ level: 'none', daysLeft: 365 }, false), current: false, notYetValid: true, notBefore: '2026-12-11T09:00:00.000Z' });
      expect(later.split('\n')[0]).toMatch(/ "Laptop" {2}\(NOT VALID YET\)$/);
      expect(later).toContain("warning: not valid until 2026-12-11: contacts' apps may refuse it until then, so it is not your current key");
      expect(describeOwnKey(key({ level: 'none', daysLeft: 200 }, true))).not.toContain('NOT VALID');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('names the key and marks the current one', () => {
    expect(describeOwnKey(key({ level: 'none', daysLeft: 200 }, true)).split('\n')[0]).toMatch(/ "Laptop" {2}\(current\)$/);
  });
});

describe('a comparison that matched nothing, at a terminal', () => {
  const juliet = 'e70691cace2a787a4e7d83c39de305957060f6a6f5fff4c9fc41bc6073013ca9';
  // A near miss: the first 60 digits are exactly hers, so its first 16 alone would read as her key.
  const nearMiss = `${juliet.slice(0, 60)}0000`;
  const mismatch = (offered: string) => ({ offered, at: '2026-12-03T10:00:00.000Z', via: 'typed' as const });
  const x509 = (mismatches: ContactKeysView['mismatches']): ContactKeysView => ({
    jid: 'juliet@capulet.lit',
    fetch: 'ok',
    keys: [
      { fingerprint: juliet, status: 'valid', reason: 'Valid', trust: 'unverified', decision: 'trusted', firstSeen: '2026-12-01T00:00:00.000Z', lastSeen: '2026-12-03T00:00:00.000Z', notBefore: '2026-12-01T00:00:00.000Z', notAfter: '2027-12-01T00:00:00.000Z', bits: 2048 },
    ],
    invalid: [],
    changes: [],
    ...TOFU,
    mismatches,
  });
  const mismatchLine = (text: string) => text.split('\n').find((line) => line.startsWith('!! MISMATCH'));

  it('an X.509 near miss is printed whole, and the group that differs is named', () => {
    const line = mismatchLine(describeContactKeys(x509([mismatch(nearMiss)])));
    expect(line).toBe(
      `!! MISMATCH: ${nearMiss.match(/.{4}/g)?.join(' ')} (typed, 2026-12-03T10:00:00.000Z) matched none of their current keys. ` +
        'It differs from their key e706 91ca ce2a 787a… in group 16 of 16.',
    );
  });

  it('a fingerprint sharing nothing with their keys says so, marking nothing', () => {
    const other = 'bc5d92074510bf69aa5cf7589bf2bc8db3cd3804988aac0e931cc459f7397708';
    expect(mismatchLine(describeContactKeys(x509([mismatch(other)])))).toMatch(/ It has no group of four in common with any of their keys\.$/);
  });

  const device = (fingerprint: string, protocol: OtherKeyView['protocol'], deviceId?: number): OtherKeyView => ({
    protocol,
    ...(deviceId === undefined ? {} : { deviceId }),
    fingerprint,
    firstSeen: '2026-12-01T00:00:00.000Z',
    lastSeen: '2026-12-03T00:00:00.000Z',
    state: 'known',
    decision: 'trusted',
    problems: [],
  });
  const omemo = '8992d8bdecd536598b7a762d54a90a4c687cbc8dab5236e5fd8db893fb313e23';
  const openpgp = 'DB9D478DF77ED4DDB5281A36643F98A26BA28AC9';
  const devices = (offered: string) =>
    describeOtherKeys({
      jid: 'romeo@montague.lit',
      sources: [],
      keys: [device(omemo, 'omemo', 1659897886), device(openpgp, 'openpgp')],
      leftOut: 0,
      mismatches: [mismatch(offered)],
    });

  it('no keys read because their server refused the lists is not "publishes none" (truth review)', () => {
    const refused = describeOtherKeys({
      jid: 'romeo@montague.lit',
      sources: (['omemo', 'omemo2', 'openpgp'] as const).map((protocol) => ({ protocol, status: 'refused' as const, detail: 'forbidden' })),
      keys: [],
      leftOut: 0,
      mismatches: [],
    });
    expect(refused).not.toMatch(/publishes no/);
    expect(refused.split('\n').at(-1)).toBe('No OMEMO devices or OpenPGP keys of romeo@montague.lit could be read.');
    const none = describeOtherKeys({ jid: 'romeo@montague.lit', sources: (['omemo', 'omemo2', 'openpgp'] as const).map((protocol) => ({ protocol, status: 'none' as const })), keys: [], leftOut: 0, mismatches: [] });
    expect(none.split('\n').at(-1)).toBe('romeo@montague.lit publishes no OMEMO devices or OpenPGP keys.');
  });

  it('devices and keys listed past the readers’ caps that are not shown are said so, one line, singular or plural', () => {
    const withLeftOut = (leftOut: number) => describeOtherKeys({ jid: 'romeo@montague.lit', sources: [], keys: [device(omemo, 'omemo', 7)], leftOut, mismatches: [] });
    expect(withLeftOut(1).split('\n').at(-1)).toBe(
      '1 more listed device or key is not shown: the app reads at most 64 devices per OMEMO list and 32 OpenPGP keys, those it already knows first.',
    );
    expect(withLeftOut(2936).split('\n').at(-1)).toBe(
      '2,936 more listed devices or keys are not shown: the app reads at most 64 devices per OMEMO list and 32 OpenPGP keys, those it already knows first.',
    );
    expect(withLeftOut(0)).not.toContain('not shown');
  });

  it('an OMEMO near miss is printed whole in Conversations’ groups of 8, naming group 8 of 8', () => {
    const nearOmemo = `${omemo.slice(0, 56)}00000000`;
    expect(mismatchLine(devices(nearOmemo))).toBe(
      '!! MISMATCH: 8992d8bd ecd53659 8b7a762d 54a90a4c 687cbc8d ab5236e5 fd8db893 00000000 (typed, 2026-12-03T10:00:00.000Z) matched none of their current keys. ' +
        'It differs from their key 8992d8bd ecd53659… in group 8 of 8.',
    );
  });

  it('an OpenPGP near miss is printed whole as gpg prints it, naming group 10 of 10', () => {
    const nearPgp = `${openpgp.slice(0, 36)}0000`;
    expect(mismatchLine(devices(nearPgp))).toBe(
      '!! MISMATCH: DB9D 478D F77E D4DD B528 1A36 643F 98A2 6BA2 0000 (typed, 2026-12-03T10:00:00.000Z) matched none of their current keys. ' +
        'It differs from their key DB9D 478D F77E D4DD… in group 10 of 10.',
    );
  });
});

describe('a mismatch answered by a later match', () => {
  it('is no MISMATCH line once a comparison matched after it, even with that verification taken back (as on screen)', () => {
    const mismatch = { offered: 'f'.repeat(64), at: '2026-12-04T10:00:00.000Z', via: 'typed' as const };
    const base = { jid: 'juliet@capulet.lit', fetch: 'ok' as const, keys: [], invalid: [], changes: [], policy: 'tofu' as const, policySource: 'account' as const };
    expect(describeContactKeys({ ...base, mismatches: [mismatch] })).toContain('!! MISMATCH');
    expect(describeContactKeys({ ...base, mismatches: [mismatch], lastMatchAt: '2026-12-04T10:05:00.000Z' })).not.toContain('!! MISMATCH');
    // A mismatch after the match is open again.
    expect(describeContactKeys({ ...base, mismatches: [{ ...mismatch, at: '2026-12-04T10:06:00.000Z' }], lastMatchAt: '2026-12-04T10:05:00.000Z' })).toContain('!! MISMATCH');
  });

  it('the same for an OMEMO device: no MISMATCH line once a comparison matched after it, though no device is verified now', () => {
    const omemo = '8992d8bdecd536598b7a762d54a90a4c687cbc8dab5236e5fd8db893fb313e23';
    const mismatch = { offered: 'f'.repeat(64), at: '2026-12-04T10:00:00.000Z', via: 'typed' as const };
    const device: OtherKeyView = { protocol: 'omemo', deviceId: 1659897886, fingerprint: omemo, firstSeen: '2026-12-01T00:00:00.000Z', lastSeen: '2026-12-04T00:00:00.000Z', state: 'known', decision: 'trusted', problems: [] };
    const base = { jid: 'romeo@montague.lit', sources: [], keys: [device], leftOut: 0 };
    expect(describeOtherKeys({ ...base, mismatches: [mismatch] })).toContain('!! MISMATCH');
    expect(describeOtherKeys({ ...base, mismatches: [mismatch], lastMatchAt: '2026-12-04T10:05:00.000Z' })).not.toContain('!! MISMATCH');
    expect(describeOtherKeys({ ...base, mismatches: [{ ...mismatch, at: '2026-12-04T10:06:00.000Z' }], lastMatchAt: '2026-12-04T10:05:00.000Z' })).toContain('!! MISMATCH');
  });
});
