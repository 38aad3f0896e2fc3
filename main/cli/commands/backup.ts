/**
 * `keyring keys backup` and `keyring keys restore` (docs/key-lifecycle.md, "The backup"). A backup
 * needs the vault passphrase, from $KEYRING_PASSPHRASE as for every command. The backup code is
 * printed once, when made; to restore it is read from --code-file or typed at a prompt (stdin),
 * never taken from the command line, where other users of the machine could read it in the process list.
 */
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import type { RestoreOutcome } from '../../../contract/index.js';
import { BACKUP_MAX_BYTES } from '../../../contract/limits.js';
import { groupFingerprint, notCarriedWords } from '../../../contract/format.js';
import { CliError, must, usage, type CliContext } from '../context.js';
import { safe } from '../output.js';
import { openPrivateFile, type PrivateFile } from '../private-file.js';

export function backupCommands(keys: Command, cli: CliContext): void {
  keys
    .command('backup')
    .description('encrypt your keys and contacts’ trust under a new backup code (printed once) into a file and/or your account')
    .option('--to-account', 'keep the backup on your account’s private node (signs in)')
    .option('--out <file>', 'write the encrypted backup to this file')
    .option('--page <file>', 'also write the printable page with the code and its QR code (HTML)')
    .option('--force', 'replace the files --out and --page name if they are there already')
    .action(async (options: { toAccount?: boolean; out?: string; page?: string; force?: boolean }) => {
      if (!options.toAccount && !options.out) throw usage('Say where the backup goes: --out FILE, --to-account, or both.');
      // The files are made before the backup and its code: a folder that is not there, or a file there
      // already (an earlier backup, whose code may be written down) without --force, is refused before
      // a code is printed for a backup that would never be written.
      const out = options.out === undefined ? undefined : await openPrivateFile(options.out, '--out', options.force === true);
      const page = options.page === undefined ? undefined : await openPrivateFile(options.page, '--page', options.force === true).catch(async (error: unknown) => {
        await out?.discard();
        throw error;
      });
      try {
        await cli[options.toAccount ? 'online' : 'offline'](async (api) => {
          // A backup asks for the vault passphrase again (services/backup.ts). The CLI reads it the one way it
          // reads it to open the vault, from $KEYRING_PASSPHRASE, never from the command line; each run
          // opens the vault anew, so whoever runs this has just given it.
          const passphrase = cli.io.env.KEYRING_PASSPHRASE;
          const made = must(await api.backup.create({ file: out !== undefined, toAccount: options.toAccount === true, ...(passphrase ? { passphrase } : {}) }));
          // The user's alone, even over a file that was readable by others (private-file.ts). A file that
          // cannot be filled still lets the code be printed below: the backup is made, and it is shown once.
          const failed: CliError[] = [];
          const write = (file: PrivateFile | undefined, data: string | Buffer) =>
            file === undefined
              ? Promise.resolve(false)
              : file.write(data).then(
                  () => true,
                  (error: unknown) => {
                    if (!(error instanceof CliError)) throw error;
                    failed.push(error);
                    return false;
                  },
                );
          const wroteOut = made.file !== undefined && (await write(out, Buffer.from(made.file.dataBase64, 'base64')));
          // Only a file written counts as a backup (the reminder of keys in no backup stays otherwise).
          if (wroteOut && made.file) must(await api.backup.fileSaved({ backupId: made.file.backupId }));
          const wrotePage = await write(page, made.page);
          const { page: _page, file: _file, ...shown } = made;
          cli.emit(shown, [
            `Backup code: ${made.code}`,
            'Write it down or print it now: it is shown only this once, and the backup cannot be opened without it.',
            `Keys in it: ${made.fingerprints.length}${made.contacts > 0 ? `; trust decisions for ${made.contacts} contact${made.contacts === 1 ? '' : 's'}` : ''}`,
            ...(wroteOut ? [`Wrote ${options.out ?? ''}.`] : []),
            ...(made.account ? [`Kept on your account (${made.account.parts} part${made.account.parts === 1 ? '' : 's'}, only you can read it).`] : []),
            ...(wrotePage ? [`Wrote the printable page to ${options.page ?? ''}.`] : []),
            ...(!wroteOut && !made.account ? ['No backup was written: this code opens nothing.'] : []),
          ].join('\n'));
          if (failed[0]) throw failed[0];
        });
      } finally {
        // What was not filled (the backup refused, or not made) leaves no empty file behind.
        await Promise.all([out?.discard(), page?.discard()]);
      }
    });
  keys
    .command('restore')
    .description('bring back keys and contacts’ trust from a backup file or your account; asks for the backup code')
    .option('--from-account', 'the backup kept on your account (signs in)')
    .option('--in <file>', 'a backup file')
    .option('--code-file <file>', 'read the backup code from this file instead of asking')
    .option('--replace', 'where a key or a trust decision here differs from the backup, take the backup’s')
    .action(async (options: { fromAccount?: boolean; in?: string; codeFile?: string; replace?: boolean }) => {
      if (options.fromAccount === (options.in !== undefined)) throw usage('Say where the backup is: --in FILE or --from-account.');
      const file = options.in ? await readSmallFile(options.in, BACKUP_MAX_BYTES, 'the backup file made by `keyring keys backup --out`') : undefined;
      const code = await backupCode(cli, options.codeFile); // never logged
      await cli[options.fromAccount ? 'online' : 'offline'](async (api) => {
        const outcome = must(
          await api.backup.restore({
            from: file ? { kind: 'file', dataBase64: file.toString('base64') } : { kind: 'account' },
            code,
            ...(options.replace ? { replace: true } : {}),
          }),
        );
        cli.emit(outcome, describeRestore(outcome));
        const conflicts = outcome.keys.filter((k) => k.outcome === 'conflict').length + outcome.trust.filter((t) => t.outcome === 'conflict').length;
        if (conflicts > 0) {
          // Not everything was restored: a script must not take this for success.
          throw new CliError({ code: 'invalid-argument', message: `${conflicts} item${conflicts === 1 ? '' : 's'} here differ from the backup and were left as they are; run again with --replace to take the backup’s.` }, 1);
        }
      });
    });
}

async function backupCode(cli: CliContext, codeFile: string | undefined): Promise<string> {
  if (codeFile) {
    const text = (await readSmallFile(codeFile, MAX_CODE_FILE_BYTES, 'the file with your backup code')).toString('utf8');
    return text.trim();
  }
  const line = cli.io.readLine ? await cli.io.readLine('Backup code: ') : undefined;
  if (!line?.trim()) throw usage('Type the backup code when asked, or give it with --code-file FILE.');
  return line.trim();
}

const OUTCOME: Record<RestoreOutcome['keys'][number]['outcome'], string> = {
  restored: 'restored',
  replaced: 'replaced by the backup’s',
  same: 'already here',
  conflict: 'differs here: left as it is',
};

function describeRestore(outcome: RestoreOutcome): string {
  const trust = (['restored', 'replaced', 'same', 'conflict'] as const)
    .map((o) => [o, outcome.trust.filter((t) => t.outcome === o).length] as const)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${OUTCOME[o]}`);
  return [
    `Backup of ${safe(outcome.account)} made ${outcome.createdAt.slice(0, 10)} (${outcome.from === 'account' ? 'from your account' : 'from the file'}):`,
    ...outcome.keys.map((k) => `${groupFingerprint(k.fingerprint)}  ${OUTCOME[k.outcome]}`),
    ...(outcome.keys.length === 0 ? ['no keys in it'] : []),
    ...(trust.length > 0 ? [`contacts’ keys: ${trust.join(', ')}`] : []),
    ...(outcome.notCarried && outcome.notCarried.length > 0 ? [notCarriedWords(outcome.notCarried)] : []),
  ].join('\n');
}

/** A backup code is 60-odd characters; a file far larger is not one (a wrong path). */
const MAX_CODE_FILE_BYTES = 64 * 1024;

/**
 * A file named on the command line (--in, --code-file), read only once it is known to be a file of at
 * most `maxBytes`: a wrong path (a device such as /dev/zero, a folder, a disk image) is refused in words,
 * never read into memory first. `what` names the file wanted, for the words.
 */
async function readSmallFile(path: string, maxBytes: number, what: string): Promise<Buffer> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) throw new CliError({ code: 'not-found', message: `Cannot read ${path}.` }, 1);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new CliError({ code: 'invalid-argument', message: `${path} is not a file: give ${what}.` }, 1);
    if (info.size > maxBytes) {
      const size = maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MiB` : `${maxBytes / 1024} KiB`;
      throw new CliError({ code: 'invalid-argument', message: `${path} is larger (${info.size} bytes) than ${what} can be (${size}).` }, 1);
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
