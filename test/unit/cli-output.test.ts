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
  describeProfile,
  describeSupport,
  jsonText,
} from '../../main/cli/output.js';
import { runCli } from '../../main/cli/program.js';
import type { ContactKeysView, ContactProfileView, Profile } from '../../contract/index.js';

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
          firstSeen: HOSTILE,
          lastSeen: HOSTILE,
          notBefore: HOSTILE,
          notAfter: HOSTILE,
          bits: 2048,
        },
      ],
      invalid: [{ itemId: HOSTILE, reason: HOSTILE }],
      changes: [],
    };
    expectNoInjection(describeContactKeys(view));
    expectNoInjection(describeContactKeys({ ...view, keys: [] }));
  });

  it('keys left out because a contact publishes too many are one line, not one each', () => {
    const tooMany = Array.from({ length: 236 }, (_, i) => ({ itemId: i.toString(16).padStart(64, '0'), reason: 'Left out', tooMany: true as const }));
    const text = describeContactKeys({ jid: 'juliet@capulet.lit', fetch: 'ok', keys: [], invalid: [{ itemId: 'x', reason: 'broken' }, ...tooMany], changes: [] });
    expect(text.split('\n')).toEqual(['invalid item x: broken', '236 more keys left out: the app keeps at most 64 current keys per contact.']);
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
