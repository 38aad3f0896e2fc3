/**
 * Small things the CLI walk found (review-cli finding 12): a refused argument is named as it was typed
 * (--allow, --field note, the fingerprint), never by the request's internal path (access.allow.0:,
 * profile.note:, claim:); an empty --password-env is said in words; `keyring` or `keyring keys` without
 * a command is a usage error (2), its help on stderr, as git does.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError, must } from '../../main/cli/context.js';
import { runCli } from '../../main/cli/program.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keyring-cli-names-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function run(args: readonly string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: { KEYRING_PASSWORD: 'a password', KEYRING_PASSPHRASE: 'a long vault passphrase' },
    interrupted: new Promise(() => undefined),
  });
  return { code, out, err };
}

const refusal = (field: string) => {
  try {
    must({ ok: false, error: { code: 'invalid-argument', message: 'Refused', field } });
  } catch (error) {
    if (error instanceof CliError) return error;
  }
  throw new Error('not refused');
};

describe('a refused argument is named as typed', () => {
  it.each([
    ['access.allow.0', '--allow: Refused'],
    ['access.groups.2', '--group: Refused'],
    ['access.model', '--access: Refused'],
    ['profile.note', '--field note: Refused'],
    ['profile.fullName', '--field name: Refused'],
    ['profile.emails.1', '--field email: Refused'],
    ['profile.address.street', '--field street: Refused'],
    ['claim', 'fingerprint: Refused'],
    ['jid', 'jid: Refused'],
  ])('%s → %s', (field, line) => {
    const error = refusal(field);
    expect(error.message).toBe(line);
    expect(error.exitCode).toBe(2);
  });

  it('an address refused on --allow, run through the command', async () => {
    const refused = await run(['--jid', 'juliet@capulet.lit', '--server', '127.0.0.1:1', '--data-dir', dataDir, 'keys', 'publish', 'ab'.repeat(32), '--access', 'whitelist', '--allow', 'a\u001bb@capulet.lit']);
    expect(refused.code).toBe(2);
    expect(refused.err.join('\n')).toMatch(/^keyring: --allow: That address holds an invisible control character/);
  });
});

describe('the command line itself', () => {
  it('an empty --password-env is said in words, before the vault opens', async () => {
    const refused = await run(['--jid', 'juliet@capulet.lit', '--password-env', '', '--data-dir', dataDir, 'account', 'check']);
    expect(refused).toMatchObject({ code: 2, err: ['keyring: --password-env: name the environment variable that holds the account password, like KEYRING_PASSWORD.'] });
    expect(await readdir(dataDir)).toEqual([]);
  });

  it.each([[[]], [['keys']], [['contacts']]])('keyring %j without a command: exit 2, the help on stderr', async (args) => {
    const { code, out, err } = await run(args);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/^Usage: keyring/);
  });

  it('--help still ends well, on stdout', async () => {
    const { code, out } = await run(['keys', '--help']);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^Usage: keyring keys/);
  });
});
