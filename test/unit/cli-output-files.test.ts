/**
 * `keys backup --out` and `keys export --out`: a folder that is not there is refused in words before
 * anything is made (never a backup code printed for a backup never written, never a raw ENOENT), and a
 * file that is there already (an earlier backup, whose code may be written down) is kept unless --force.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/program.js';

let dataDir: string;
let files: string;
beforeEach(async () => {
  [dataDir, files] = await Promise.all([mkdtemp(join(tmpdir(), 'keyring-cli-files-')), mkdtemp(join(tmpdir(), 'keyring-cli-files-out-'))]);
});
afterEach(async () => {
  await Promise.all([dataDir, files].map((d) => rm(d, { recursive: true, force: true })));
});

/** The CLI in this process, offline, as juliet. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--jid', 'juliet@capulet.lit', '--data-dir', dataDir, ...args], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: { KEYRING_PASSPHRASE: 'a long vault passphrase' },
    interrupted: new Promise(() => undefined),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function newKey(): Promise<string> {
  const made = await run('keys', 'generate', '--bits', '2048', '--days', '30');
  expect(made.code).toBe(0);
  return made.out.trim();
}

describe('keys backup --out', () => {
  it('into a folder that is not there: refused before a code is shown', async () => {
    await newKey();
    const missing = join(files, 'no-such-folder', 'b.bin');
    const backup = await run('keys', 'backup', '--out', missing);
    expect(backup.code).toBe(1);
    expect(backup.out).not.toContain('Backup code');
    expect(backup.err).toBe(`keyring: Cannot write ${missing} (ENOENT).`);
  });

  it('over a file that is there: refused unless --force, and nothing left beside it', async () => {
    await newKey();
    const earlier = join(files, 'backup.bin');
    await writeFile(earlier, 'an earlier backup');
    const refused = await run('keys', 'backup', '--out', earlier);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    expect(refused.err).toBe(`keyring: --out: ${earlier} is there already; add --force to replace it.`);
    expect(await readFile(earlier, 'utf8')).toBe('an earlier backup');

    const forced = await run('keys', 'backup', '--out', earlier, '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('Backup code: ');
    expect(forced.out).toContain(`Wrote ${earlier}.`);
    expect(await readFile(earlier, 'utf8')).not.toBe('an earlier backup');
    expect(await readdir(files)).toEqual(['backup.bin']);
  });

  it('a new file is written, and a page that is there stops it before the code', async () => {
    await newKey();
    const page = join(files, 'page.html');
    await writeFile(page, 'an earlier page');
    const refused = await run('keys', 'backup', '--out', join(files, 'b.bin'), '--page', page);
    expect(refused).toMatchObject({ code: 2, out: '' });
    expect(await readdir(files)).toEqual(['page.html']);
    const written = await run('keys', 'backup', '--out', join(files, 'b.bin'));
    expect(written.code).toBe(0);
    expect(await readdir(files)).toEqual(['b.bin', 'page.html']);
  });
});

describe('keys export --out', () => {
  it('into a folder that is not there: words, not a raw ENOENT', async () => {
    const fingerprint = await newKey();
    const missing = join(files, 'no-such-folder', 'x.pem');
    expect(await run('keys', 'export', fingerprint, '--out', missing)).toMatchObject({ code: 1, err: `keyring: Cannot write ${missing} (ENOENT).` });
  });

  it('over a file that is there: refused unless --force', async () => {
    const fingerprint = await newKey();
    const there = join(files, 'x.pem');
    await writeFile(there, 'keep');
    expect(await run('keys', 'export', fingerprint, '--out', there)).toMatchObject({ code: 2, err: `keyring: --out: ${there} is there already; add --force to replace it.` });
    expect(await readFile(there, 'utf8')).toBe('keep');
    expect((await run('keys', 'export', fingerprint, '--out', there, '--force')).code).toBe(0);
    expect(await readFile(there, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});

describe('keys restore --in and --code-file with a wrong path', () => {
  it('a device, a folder or a file larger than a backup is refused in words, before it is read or a code is asked', async () => {
    const zero = await run('keys', 'restore', '--in', '/dev/zero');
    expect(zero.code).toBe(1);
    expect(zero.err).toBe('keyring: /dev/zero is not a file: give the backup file made by `keyring keys backup --out`.');

    expect((await run('keys', 'restore', '--in', files)).err).toBe(`keyring: ${files} is not a file: give the backup file made by \`keyring keys backup --out\`.`);

    const large = join(files, 'disk.img');
    await writeFile(large, Buffer.alloc(8 * 1024 * 1024 + 1));
    expect((await run('keys', 'restore', '--in', large)).err).toBe(
      `keyring: ${large} is larger (8388609 bytes) than the backup file made by \`keyring keys backup --out\` can be (8 MiB).`,
    );

    const backupFile = join(files, 'b.bin');
    await writeFile(backupFile, 'not read this far');
    const code = await run('keys', 'restore', '--in', backupFile, '--code-file', '/dev/zero');
    expect(code.code).toBe(1);
    expect(code.err).toBe('keyring: /dev/zero is not a file: give the file with your backup code.');
  }, 10_000);
});
