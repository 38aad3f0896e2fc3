/**
 * With --json, a failure is one JSON document on stderr ({ error: { code, message, field?, nextStep? },
 * exitCode }) that a script can parse and tell apart by its code; without it, the one line for people.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/program.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keyring-cli-json-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The CLI in this process as juliet, against a port where nothing listens. */
async function run(args: readonly string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--jid', 'juliet@capulet.lit', '--server', '127.0.0.1:1', '--data-dir', dataDir, ...args], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: { KEYRING_PASSWORD: 'a password', KEYRING_PASSPHRASE: 'a long vault passphrase' },
    interrupted: new Promise(() => undefined),
  });
  return { code, out, err };
}

describe('failures with --json', () => {
  it('a server nobody answers at: one JSON document with its code and exit code, nothing on stdout', async () => {
    const { code, out, err } = await run(['--json', 'account', 'check']);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    const parsed = JSON.parse(err[0] ?? '') as { error: { code: string; message: string }; exitCode: number };
    expect(parsed).toMatchObject({ error: { code: 'server-unreachable' }, exitCode: 1 });
    expect(parsed.error.message).not.toMatch(/^keyring:/);
    expect(parsed.error.message.length).toBeGreaterThan(10);
  });

  it('a usage error: the code invalid-argument and exit code 2, the option named', async () => {
    const { code, err } = await run(['--json', 'keys', 'generate', '--days', '7d']);
    expect(code).toBe(2);
    const parsed = JSON.parse(err[0] ?? '') as { error: { code: string; message: string }; exitCode: number };
    expect(parsed).toMatchObject({ error: { code: 'invalid-argument' }, exitCode: 2 });
    expect(JSON.stringify(parsed.error)).toMatch(/--days/);
  });

  it('without --json, the same failure is the one line for people', async () => {
    const { code, err } = await run(['account', 'check']);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^keyring: /);
    expect(() => JSON.parse(err[0] ?? '') as unknown).toThrow();
  });
});

describe('usage errors with --json', () => {
  it('a group without its command: invalid-argument, exit 2, no help text', async () => {
    const { code, out, err } = await run(['--json', 'keys']);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(JSON.parse(err[0] ?? '')).toMatchObject({ error: { code: 'invalid-argument' }, exitCode: 2 });
  });

  it('an unknown option: its name in the message', async () => {
    const { code, err } = await run(['--json', 'keys', 'list', '--colour']);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    const parsed = JSON.parse(err[0] ?? '') as { error: { message: string } };
    expect(parsed.error.message).toMatch(/--colour/);
  });
});
