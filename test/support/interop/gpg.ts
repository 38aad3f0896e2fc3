/**
 * GnuPG (Debian's `gpg`) in a throwaway GNUPGHOME: makes the OpenPGP key an XMPP client announces
 * (XEP-0373 §8.5 wants the User ID "xmpp:" + the address) and exports it the way Profanity's manual
 * (profanity-ox-setup(1)) says, and reports the fingerprint and creation time as gpg prints them.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GpgKey {
  /** As `gpg --with-colons` prints it: 40 uppercase hex digits. */
  fingerprint: string;
  created: Date;
  /** Binary export (profanity-ox-setup(1)): what XEP-0373 §4.1 wants inside the base64. */
  binaryFile: string;
  /** The same key ASCII-armored (`--armor`), as many people export keys. */
  armoredFile: string;
}

/** Makes an ed25519 key (GnuPG's "future-default") for `xmpp:<jid>` in `env.GNUPGHOME`, valid one day. */
export async function makeXmppKey(env: Record<string, string>, jid: string, outDir: string): Promise<GpgKey> {
  const gpg = (...args: string[]) => run('gpg', ['--batch', '--no-tty', ...args], { env, timeout: 30_000 });
  const uid = `xmpp:${jid}`;
  // A throwaway key with no passphrase: it exists only for this test run.
  await gpg('--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', uid, 'future-default', 'default', '1d');
  const { stdout } = await gpg('--with-colons', '--fingerprint', uid);
  const lines = stdout.split('\n').map((l) => l.split(':'));
  const pub = lines.find((f) => f[0] === 'pub');
  const fpr = lines[lines.findIndex((f) => f[0] === 'pub') + 1];
  if (!pub || fpr?.[0] !== 'fpr') throw new Error(`gpg printed no key for ${uid}:\n${stdout}`);
  const fingerprint = fpr[9] ?? '';
  const created = new Date(Number(pub[5]) * 1000);
  const binaryFile = join(outDir, 'pep-key.gpg');
  const armoredFile = join(outDir, 'pep-key.asc');
  const exportArgs = ['--export-options', 'export-minimal', '--export-filter', `keep-uid=uid =~ ${uid}`, '--export-filter', 'drop-subkey=usage =~ a'];
  const binary = await run('gpg', ['--batch', '--no-tty', ...exportArgs, '--export', fingerprint], { env, encoding: 'buffer', timeout: 30_000 });
  await writeFile(binaryFile, binary.stdout);
  const armored = await gpg(...exportArgs, '--armor', '--export', fingerprint);
  await writeFile(armoredFile, armored.stdout);
  return { fingerprint, created, binaryFile, armoredFile };
}
