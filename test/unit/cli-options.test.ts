/**
 * Numbers on the command line are checked before anything runs: a usage error (exit 2) naming the
 * option, never a cast that turns "7d" into NaN or "" into 0 and sends it on, and never after the vault
 * was opened or a connection tried.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/program.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keyring-cli-options-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The CLI in this process as juliet, against a port where nothing listens. */
async function run(args: readonly string[], server = '127.0.0.1:1'): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const code = await runCli(['--jid', 'juliet@capulet.lit', '--server', server, '--data-dir', dataDir, ...args], {
    out: () => undefined,
    err: (text) => err.push(text),
    env: { KEYRING_PASSWORD: 'a password', KEYRING_PASSPHRASE: 'a long vault passphrase' },
    interrupted: new Promise(() => undefined),
  });
  return { code, err };
}

describe('numbers on the command line', () => {
  it.each([
    ['days that are not a number', ['keys', 'generate', '--days', '7d'], /--days: a whole number from 1 to 36500/],
    ['no days at all', ['keys', 'generate', '--days', '0'], /--days: a whole number from 1 to 36500/],
    ['a fraction of a day', ['keys', 'generate', '--days', '1.5'], /--days: a whole number from 1 to 36500/],
    ['a negative watch', ['watch', '--for', '-5'], /--for: a whole number from 1 to 86400/],
    ['a watch that is not a number', ['watch', '--for', 'soon'], /--for: a whole number from 1 to 86400/],
    ['a crop of two numbers', ['profile', 'set', '--avatar', 'a.png', '--crop', '10,20', '--access', 'open'], /--crop: x,y,size in whole pixels/],
    ['a negative crop', ['profile', 'set', '--avatar', 'a.png', '--crop', '-1,0,64', '--access', 'open'], /--crop: x,y,size in whole pixels/],
    ['a crop of no size', ['profile', 'set', '--avatar', 'a.png', '--crop', '0,0,0', '--access', 'open'], /--crop: x,y,size in whole pixels/],
    ['a crop without a picture', ['profile', 'set', '--field', 'nick=J', '--crop', '0,0,64', '--access', 'open'], /--crop goes with --avatar FILE/],
  ])('refuses %s as a usage error, before opening the vault', async (_what, args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(message);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it.each(['127.0.0.1:99999', '127.0.0.1:abc', '127.0.0.1:'])('refuses the server %s before opening the vault', async (server) => {
    const { code, err } = await run(['account', 'check'], server);
    expect(code).toBe(2);
    expect(err).toEqual(['keyring: --server takes HOST or HOST:PORT, with a port from 1 to 65535.']);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('takes an IPv6 address in brackets and tries to connect there', async () => {
    const { err } = await run(['account', 'check'], '[::1]:1');
    expect(err.join('\n')).not.toMatch(/Enter a server name|--server takes/);
    // Refused as a connection (nothing listens there), naming the address as it was given.
    expect(err.join('\n')).toContain('[::1]:1');
  });

  // Not only [::1], which xmpp.js alone took the brackets off: every other IPv6 address went to DNS as a
  // name and was "not found". This one is 127.0.0.1 written as IPv6, where nothing listens at port 1.
  it('connects to any IPv6 address in brackets: [::ffff:127.0.0.1]:1 refuses the connection, it is not "not found"', async () => {
    const { code, err } = await run(['account', 'check'], '[::ffff:127.0.0.1]:1');
    expect(code).not.toBe(0);
    expect(err.join('\n')).toContain('Cannot reach [::ffff:127.0.0.1]:1: the connection was refused');
    expect(err.join('\n')).not.toMatch(/not found|ENOTFOUND/);
  });

  it('refuses an IPv6 address without brackets in words that say so', async () => {
    const { code, err } = await run(['account', 'check'], '::1');
    expect(code).toBe(2);
    expect(err).toEqual(['keyring: --server: put an IPv6 address in brackets, like [::1] or [::1]:5222.']);
    expect(await readdir(dataDir)).toEqual([]);
  });
});
