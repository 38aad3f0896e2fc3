/**
 * `keyring keys …`: the user's own keys, made, listed, published, retracted, renewed, revoked, exported. Making, listing
 * and exporting need only the vault, so they never sign in (gpg works offline too); publishing and
 * retracting sign in.
 */
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { accessParams, withAccessOptions, type AccessOptions } from '../access-options.js';
import { must, usage, type CliContext } from '../context.js';
import { integerOption } from '../option-values.js';
import { describeNodeConfig, describeOwnKey, describeRenew, describeRevoke } from '../output.js';
import { cannotWrite, refuseExisting } from '../private-file.js';
import { REVOCATION_REASONS, type IpcError, type KeyringApi, type OwnKeyView, type RevocationReasonName } from '../../../contract/index.js';
import { backupCommands } from './backup.js';

/** Certificate validity the CLI accepts, as the request does (contract/keys.ts). */
const MAX_VALIDITY_DAYS = 36_500;

/**
 * What a publish or retract that was queued prints. The CLI connects before it asks, so this happens
 * only when the connection dropped right then; the action waits in the vault and runs the next time
 * the app or `keyring` is online (the exit code is 0: nothing failed, and nothing was lost).
 */
const queued = (what: 'publish' | 'retract' | 'revoke') => `queued: will ${what} when online`;

/**
 * A renewal that failed after it made its successor (main keeps it: own-keys.ts successorKept) gets the
 * CLI's next step in place of the window's: the command that publishes the successor to the audience
 * the old key has, then withdraws the old one. Told by the key list: a successor there now, not
 * published, that was not there before this renew. Any other failure is left as main said it.
 */
export async function successorKeptStep(api: { keys: Pick<KeyringApi['keys'], 'list'> }, before: readonly OwnKeyView[], error: IpcError): Promise<IpcError> {
  // Main's words for it carry the window's next step; a failure after the successor was published (its
  // record, the old key's withdrawal) has words of its own and no step to replace.
  if (error.nextStep === undefined) return error;
  const after = await api.keys.list();
  if (!after.ok) return error;
  const made = after.value.find((k) => k.continues !== undefined && !before.some((b) => b.fingerprint === k.fingerprint));
  const old = made && after.value.find((k) => k.fingerprint === made.continues);
  const publication = old?.publications[0];
  if (!made || made.publications.length > 0 || !old || !publication) return error;
  const access = [
    `--access ${publication.accessModel}`,
    ...(publication.groups ?? []).map((g) => `--group ${shellWord(g)}`),
    ...(publication.allow ?? []).map((j) => `--allow ${shellWord(j)}`),
  ].join(' ');
  return {
    ...error,
    nextStep: `Publish it with \`keyring keys publish ${made.fingerprint} ${access}\` (the audience your old key has), then withdraw the old one with \`keyring keys retract ${old.fingerprint}\`.`,
  };
}

/** A word as a shell reads it back: quoted when it holds anything beyond plain address characters. */
function shellWord(word: string): string {
  return /^[\w@.+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function keysCommands(program: Command, cli: CliContext): void {
  const keys = program.command('keys').description('your own keys');
  keys
    .command('generate')
    .description('make an RSA key and a self-signed certificate for your JID; prints its fingerprint')
    .addOption(new Option('--bits <bits>', 'key size').choices(['2048', '3072', '4096']).default('3072'))
    .option('--days <days>', 'certificate validity in days', integerOption(1, MAX_VALIDITY_DAYS, '--days'), 730)
    .action((options: { bits: '2048' | '3072' | '4096'; days: number }) =>
      cli.offline(async (api) => {
        const bits = Number(options.bits) as 2048 | 3072 | 4096; // one of the choices above
        const key = must(await api.keys.generate({ bits, validityDays: options.days }));
        cli.emit(key, key.fingerprint);
      }),
    );
  keys
    .command('list')
    .description('your keys: fingerprint, validity, where each is published and with what access')
    .action(() =>
      cli.offline(async (api) => {
        const list = must(await api.keys.list());
        const { notBackedUp } = must(await api.backup.status());
        cli.emit(
          list,
          [
            list.length ? list.map((k) => describeOwnKey(k, list)).join('\n') : 'No keys yet: try `keyring keys generate`.',
            ...(notBackedUp.length > 0
              ? [`warning: ${notBackedUp.length === 1 ? '1 key is' : `${notBackedUp.length} keys are`} in no backup; make one with \`keyring keys backup --out FILE\` or \`--to-account\``]
              : []),
          ].join('\n'),
        );
      }),
    );
  withAccessOptions(
    keys.command('publish <fingerprint>').description('publish per XEP-0222; prints the node configuration read back from the server'),
    'allow changing the access of an already published node',
  ).action((fingerprint: string, options: AccessOptions) => {
    // Checked before signing in: a refused --allow is a usage error, not a failure after connecting.
    const access = accessParams(options);
    return cli.answer(
      (api) => api.keys.publish({ fingerprint, ...access }),
      (answer) => (answer.outcome === 'published' ? describeNodeConfig(answer.config) : queued('publish')),
    )();
  });
  cli.show(
    keys,
    'retract <fingerprint>',
    'remove a key from your node (contacts are notified where the server does)',
    (api, fingerprint: string) => api.keys.retract({ fingerprint }),
    (answer, fingerprint) => (answer.outcome === 'retracted' ? `Retracted ${fingerprint}.` : queued('retract')),
  );
  keys
    .command('renew <fingerprint>')
    .description('a fresh certificate for the key (or --new-key), published to the same audience; the old one is then withdrawn')
    .option('--new-key', 'make a new key instead of renewing the certificate of the same key')
    .action(
      cli.answer(
        async (api, fingerprint: string, options: { newKey?: boolean }) => {
          const before = await api.keys.list();
          const answer = await api.keys.renew({ fingerprint, ...(options.newKey ? { newKey: true } : {}) });
          if (answer.ok || !before.ok) return answer;
          return { ok: false as const, error: await successorKeptStep(api, before.value, answer.error) };
        },
        (answer) => describeRenew(answer),
      ),
    );
  backupCommands(keys, cli);
  keys
    .command('revoke <fingerprint>')
    .description('revoke a key for good: a revocation it signs is published where contacts read your keys, then the key is withdrawn')
    .addOption(new Option('--reason <reason>', 'why (compromised: someone else may have the private key)').choices([...REVOCATION_REASONS]).default('unspecified'))
    .action(
      cli.answer(
        (api, fingerprint: string, options: { reason: RevocationReasonName }) => api.keys.revoke({ fingerprint, reason: options.reason }),
        (answer, fingerprint) => (answer.outcome === 'queued' ? queued('revoke') : describeRevoke(answer, fingerprint)),
      ),
    );
  keys
    .command('export <fingerprint>')
    .description('export the public certificate')
    .addOption(new Option('--format <format>', 'encoding').choices(['pem', 'der']).default('pem'))
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--force', 'replace the file --out names if it is there already')
    .action((fingerprint: string, options: { format: 'pem' | 'der'; out?: string; force?: boolean }) =>
      cli.offline(async (api) => {
        const exported = must(await api.keys.exportCertificate({ fingerprint, format: options.format }));
        const bytes = exported.pem !== undefined ? Buffer.from(exported.pem) : Buffer.from(exported.derBase64 ?? '', 'base64');
        if (options.out) {
          // A public certificate, so an ordinary file; but never over one that is there without --force
          // ('wx'), and a failure in words ("Cannot write FILE (ENOENT).") rather than the system's.
          const out = options.out;
          if (!options.force) await refuseExisting(out, '--out');
          await writeFile(out, bytes, { flag: options.force ? 'w' : 'wx' }).catch(async (error: unknown) => {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') await refuseExisting(out, '--out');
            throw cannotWrite(out, error);
          });
          cli.emit({ fingerprint: exported.fingerprint, file: options.out }, `Wrote ${options.out}.`);
        } else if (cli.json() || exported.pem !== undefined) {
          cli.emit(exported, (exported.pem ?? '').trimEnd());
        } else {
          throw usage('DER is binary: use --out FILE (or --json).');
        }
      }),
    );
}
