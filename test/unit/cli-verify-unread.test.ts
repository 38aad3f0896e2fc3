/**
 * `keyring contacts verify` compares with the contact's keys as their server has them now: when its
 * read of them fails (their server unreachable, refusing, answering an error), it verifies nothing and
 * says why (exit 1), rather than compare with the vault's older copy, where a key withdrawn since would
 * still look current. The command runs on a stand-in API: main's own refusal (contact-verification.test.ts)
 * is not what is tested here.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { ContactKeysView, KeyringApi, Result, VerifyAnswer } from '../../contract/index.js';
import { contactsCommands } from '../../main/cli/commands/contacts.js';
import { CliError, cliContext, type CliContext, type CliIo } from '../../main/cli/context.js';
import type { KeyringCore } from '../../main/core.js';

const JULIET = 'juliet@capulet.lit';
/** The key the vault knows of her from an earlier read (she may have withdrawn it since). */
const KNOWN = 'a1'.repeat(32);

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

function keysView(fetch: ContactKeysView['fetch'], detail?: string): ContactKeysView {
  return {
    jid: JULIET,
    fetch,
    ...(detail === undefined ? {} : { detail }),
    keys: [
      {
        fingerprint: KNOWN,
        status: 'valid',
        reason: 'Valid.',
        trust: 'unverified',
        decision: 'trusted',
        firstSeen: '2025-01-01T00:00:00.000Z',
        lastSeen: '2025-01-01T00:00:00.000Z',
      },
    ],
    invalid: [],
    changes: [],
    policy: 'tofu',
    policySource: 'account',
    mismatches: [],
  };
}

/** Runs `keyring contacts verify JULIET KNOWN` with the keys read as `read`; what it printed, and whether it asked main to verify. */
async function verifyWith(read: ContactKeysView): Promise<{ error: unknown; printed: string[]; verifyAsked: boolean }> {
  let verifyAsked = false;
  const api = {
    contacts: {
      fetchKeys: () => Promise.resolve(ok(read)),
      // A main that compares with whatever it stored: it would say verified.
      verify: () => {
        verifyAsked = true;
        return Promise.resolve(ok<VerifyAnswer>({ outcome: 'verified', fingerprint: KNOWN, view: { ...read, fetch: 'ok' } }));
      },
    },
  } as unknown as KeyringApi;
  const printed: string[] = [];
  const program = new Command('keyring');
  const io: CliIo = { out: (text) => printed.push(text), err: () => undefined, env: {}, interrupted: new Promise<never>(() => undefined) };
  // The real context, signed in to the stand-in API instead of a server.
  const cli: CliContext = { ...cliContext(program, io), online: (work) => work(api, undefined as unknown as KeyringCore) };
  contactsCommands(program, cli);
  const error = await program.parseAsync(['contacts', 'verify', JULIET, KNOWN], { from: 'user' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, printed, verifyAsked };
}

describe('keyring contacts verify, when their keys cannot be read now', () => {
  const cases = [
    { fetch: 'unreachable', code: 'server-unreachable', why: 'their server could not be reached' },
    { fetch: 'refused', code: 'forbidden', why: 'they do not let you read them' },
    { fetch: 'failed', code: 'protocol-error', why: 'their server answered with an error' },
  ] as const;

  for (const c of cases) {
    it(`a read that came back ${c.fetch}: nothing is verified, and it says why (exit 1)`, async () => {
      const { error, printed, verifyAsked } = await verifyWith(keysView(c.fetch, 'remote-server-timeout'));
      expect(verifyAsked).toBe(false);
      expect(printed).toEqual([]);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(1);
      expect((error as CliError).error.code).toBe(c.code);
      expect((error as CliError).message).toBe(
        `Could not read ${JULIET}'s current keys: ${c.why} (remote-server-timeout). Nothing was verified. ` +
          'A key is compared only with the keys their server has now: compare again once their keys can be read.',
      );
    });
  }

  it('a read that worked (keys, or no key node at all) goes on to the comparison', async () => {
    const { error, printed, verifyAsked } = await verifyWith(keysView('ok'));
    expect(error).toBeUndefined();
    expect(verifyAsked).toBe(true);
    expect(printed).toEqual([expect.stringMatching(/^Verified juliet@capulet\.lit's key /) as unknown]);
    expect((await verifyWith(keysView('none'))).verifyAsked).toBe(true);
  });
});
