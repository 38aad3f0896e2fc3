/**
 * The account --jid names is read as the sign-in form reads its address (contract/domain.ts bareJidText):
 * a dot ending the domain is no part of it (RFC 7622 §3.2), so "juliet@capulet.lit." opens juliet's own
 * keys, not an empty account of its own; an address whose part after @ is no server name is a usage
 * error before the vault opens.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/program.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keyring-cli-jid-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The CLI in this process, offline, as `jid`. */
async function run(jid: string, args: readonly string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--jid', jid, '--data-dir', dataDir, '--json', ...args], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: { KEYRING_PASSPHRASE: 'a long vault passphrase' },
    interrupted: new Promise(() => undefined),
  });
  return { code, out, err };
}

describe('the account --jid names', () => {
  it('juliet@capulet.lit. is juliet@capulet.lit: her key made without the dot is listed with it', async () => {
    const made = await run('juliet@capulet.lit', ['keys', 'generate', '--bits', '2048', '--days', '30']);
    expect(made.code).toBe(0);
    const { fingerprint } = JSON.parse(made.out.join('\n')) as { fingerprint: string };

    const listed = await run('juliet@capulet.lit.', ['keys', 'list']);
    expect(listed).toMatchObject({ code: 0, err: [] });
    expect(JSON.parse(listed.out.join('\n'))).toMatchObject([{ fingerprint }]);
  }, 30_000);

  it.each([
    ['juliet@capulet,lit', /^--jid: “capulet,lit” is not a server name/],
    ['juliet@capulet.lit..', /^--jid: “capulet.lit..” is not a server name/],
    ['juliet@capulet.lit/balcony', /^--jid: Enter the address without the “\/…” part/],
  ])('%s is refused as a usage error, before the vault opens', async (jid, message) => {
    const { code, err } = await run(jid, ['keys', 'list']);
    expect(code).toBe(2);
    // --json is given: the refusal is one JSON document on stderr.
    expect(err).toHaveLength(1);
    const refusal = JSON.parse(err[0] ?? '') as { error: { code: string; message: string }; exitCode: number };
    expect(refusal).toMatchObject({ error: { code: 'invalid-argument' }, exitCode: 2 });
    expect(refusal.error.message).toMatch(message);
    expect(await readdir(dataDir)).toEqual([]);
  });
});
