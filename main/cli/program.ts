/**
 * `keyring`: the command-line front end over the very core the desktop app uses (as gpg stands beside
 * Kleopatra). Argument parsing and output only; every operation is a request to the core's dispatcher.
 * Exit codes: 0 success, 1 the operation failed, 2 usage error.
 */
import { writeFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import type { AccessModel, ConnectParams, ContactKeysView, EventPayloads } from '../../preload/contract.js';
import { APP_VERSION } from '../app-version.js';
import { createKeyringCore, type KeyringCore } from '../core.js';
import { defaultDataDir } from '../data-dir.js';
import { silentLogger } from '../logger.js';
import {
  describeContactKeys,
  describeContacts,
  describeNodeConfig,
  describeOwnKey,
  describeSupport,
  printJson,
  type Printer,
} from './output.js';
import { CliError, request } from './run-request.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM), for `watch`. */
  interrupted: Promise<void>;
}

interface GlobalOptions {
  jid?: string;
  passwordEnv: string;
  server?: string;
  caFile?: string;
  dataDir?: string;
  json?: boolean;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end the run successfully; every other parse error is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help'
        ? 0
        : 2;
    }
    if (error instanceof CliError) {
      io.err(`keyring: ${error.message}`);
      return error.exitCode;
    }
    io.err(`keyring: unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function buildProgram(io: CliIo): Command {
  const program = new Command('keyring')
    .description('Publish and fetch public keys over XMPP the XEP-0222 way (persistent PEP nodes).')
    .version(APP_VERSION)
    .option('--jid <jid>', 'your account, e.g. juliet@capulet.lit')
    .option('--password-env <var>', 'name of the environment variable holding the account password', 'KEYRING_PASSWORD')
    .option('--server <host[:port]>', 'connect here instead of the JID’s domain')
    .option('--ca-file <file>', 'extra trusted CA certificate (PEM), e.g. for a self-hosted server')
    .option('--data-dir <dir>', 'vault location (default: the app’s own)')
    .option('--json', 'machine-readable output (JSON lines for watch)')
    .addHelpText('after', '\nThe vault passphrase comes from KEYRING_PASSPHRASE. Exit codes: 0 ok, 1 failed, 2 usage.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const printer = (): Printer => ({ json: globals().json === true, out: (text) => io.out(text) });
  const online = <T>(work: (core: KeyringCore) => Promise<T>) => withCore(globals(), io, work);

  const account = program.command('account').description('your account and its server');
  account
    .command('check')
    .description('what the server supports: PEP, publish-options, access models, other pubsub features')
    .action(() =>
      online(async (core) => {
        const support = await request(core, 'account:checkSupport', undefined);
        emit(printer(), support, describeSupport(support));
      }),
    );

  const keys = program.command('keys').description('your own keys');
  keys
    .command('generate')
    .description('make an RSA key and a self-signed certificate for your JID; prints its fingerprint')
    .addOption(new Option('--bits <bits>', 'key size').choices(['2048', '3072', '4096']).default('3072'))
    .option('--days <days>', 'certificate validity in days', '730')
    .action((options: { bits: string; days: string }) =>
      online(async (core) => {
        const key = await request(core, 'keys:generate', { bits: Number(options.bits) as 2048, validityDays: Number(options.days) });
        emit(printer(), key, key.fingerprint);
      }),
    );
  keys
    .command('list')
    .description('your keys: fingerprint, validity, where each is published and with what access')
    .action(() =>
      online(async (core) => {
        const list = await request(core, 'keys:list', undefined);
        emit(printer(), list, list.length ? list.map(describeOwnKey).join('\n') : 'No keys yet: try `keyring keys generate`.');
      }),
    );
  keys
    .command('publish <fingerprint>')
    .description('publish per XEP-0222; prints the node configuration read back from the server')
    .addOption(new Option('--access <model>', 'who may read it').choices(['open', 'presence', 'roster', 'whitelist']).makeOptionMandatory())
    .option('--group <name>', 'roster group allowed (repeat for several)', collect, [])
    .option('--allow <jid>', 'contact allowed on the whitelist (repeat for several)', collect, [])
    .option('--reconfigure', 'allow changing the access of an already published node')
    .action((fingerprint: string, options: { access: AccessModel; group: string[]; allow: string[]; reconfigure?: boolean }) =>
      online(async (core) => {
        const config = await request(core, 'keys:publish', {
          fingerprint,
          access: {
            model: options.access,
            ...(options.group.length ? { groups: options.group } : {}),
            ...(options.allow.length ? { allow: options.allow } : {}),
          },
          ...(options.reconfigure ? { reconfigure: true } : {}),
        });
        emit(printer(), config, describeNodeConfig(config));
      }),
    );
  keys
    .command('retract <fingerprint>')
    .description('remove a key from your node (contacts are notified where the server does)')
    .action((fingerprint: string) =>
      online(async (core) => {
        const list = await request(core, 'keys:retract', { fingerprint });
        emit(printer(), list, `Retracted ${fingerprint}.`);
      }),
    );
  keys
    .command('export <fingerprint>')
    .description('export the public certificate')
    .addOption(new Option('--format <format>', 'encoding').choices(['pem', 'der']).default('pem'))
    .option('--out <file>', 'write to this file instead of standard output')
    .action((fingerprint: string, options: { format: 'pem' | 'der'; out?: string }) =>
      online(async (core) => {
        const exported = await request(core, 'keys:exportCertificate', { fingerprint, format: options.format });
        const bytes = exported.pem !== undefined ? Buffer.from(exported.pem) : Buffer.from(exported.derBase64 ?? '', 'base64');
        if (options.out) {
          await writeFile(options.out, bytes);
          emit(printer(), { fingerprint: exported.fingerprint, file: options.out }, `Wrote ${options.out}.`);
        } else if (printer().json) {
          printJson(printer(), exported);
        } else if (exported.pem !== undefined) {
          io.out(exported.pem.trimEnd());
        } else {
          throw new CliError({ code: 'invalid-argument', message: 'DER is binary: use --out FILE (or --json).' }, 2);
        }
      }),
    );

  const contacts = program.command('contacts').description('your contacts and their keys');
  contacts
    .command('list')
    .description('roster with groups and subscription states')
    .action(() =>
      online(async (core) => {
        const roster = await request(core, 'roster:list', undefined);
        emit(printer(), roster, describeContacts(roster));
      }),
    );
  contacts
    .command('keys <jid>')
    .description('fetch that contact’s published keys now, with validity, JID binding and trust')
    .action((jid: string) =>
      online(async (core) => {
        const view = await request(core, 'contacts:fetchKeys', { jid });
        if (view.fetch === 'refused') {
          throw new CliError({ code: 'forbidden', message: `${jid} does not let you read their keys (${view.detail ?? 'refused'}).` }, 1);
        }
        if (view.fetch === 'failed') {
          throw new CliError({ code: 'protocol-error', message: `Could not fetch ${jid}'s keys (${view.detail ?? 'error'}).` }, 1);
        }
        emit(printer(), view, describeContactKeys(view));
      }),
    );

  program
    .command('watch')
    .description('stay online and print each key event as it arrives')
    .option('--for <seconds>', 'stop after this many seconds (default: until Ctrl+C)')
    .action((options: { for?: string }) =>
      online(async (core) => {
        const seconds = options.for === undefined ? undefined : Number(options.for);
        if (seconds !== undefined && !(seconds > 0)) {
          throw new CliError({ code: 'invalid-argument', message: '--for takes a number of seconds.' }, 2);
        }
        const json = printer().json;
        const stop = core.events.subscribe((event, payload) => {
          if (json) io.out(JSON.stringify({ event, payload }));
          else io.out(describeEvent(event, payload));
        });
        io.err(`keyring: watching as ${core.session.state.boundJid ?? ''}${seconds ? ` for ${seconds} s` : ''}; Ctrl+C to stop.`);
        await Promise.race([io.interrupted, ...(seconds ? [new Promise((r) => setTimeout(r, seconds * 1000))] : [])]);
        stop();
      }),
    );

  return program;
}

/** Opens the vault, connects, runs `work`, and always disconnects. */
async function withCore<T>(globals: GlobalOptions, io: CliIo, work: (core: KeyringCore) => Promise<T>): Promise<T> {
  const params = connectParams(globals, io.env);
  const core = createKeyringCore({ host: 'cli', version: APP_VERSION, log: silentLogger, dataDir: globals.dataDir ?? defaultDataDir() });
  try {
    const passphrase = io.env.KEYRING_PASSPHRASE;
    await request(core, 'vault:unlock', passphrase ? { passphrase } : {});
    await request(core, 'account:connect', params);
    return await work(core);
  } finally {
    await core.dispose();
  }
}

function connectParams(globals: GlobalOptions, env: NodeJS.ProcessEnv): ConnectParams {
  if (!globals.jid) throw new CliError({ code: 'invalid-argument', message: 'Give your account with --jid.' }, 2);
  const password = env[globals.passwordEnv];
  if (!password) {
    throw new CliError(
      { code: 'invalid-argument', message: `Put the account password in $${globals.passwordEnv} (or name another variable with --password-env).` },
      2,
    );
  }
  const params: ConnectParams = { jid: globals.jid, password };
  if (globals.server) {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(globals.server);
    if (!match?.[1]) throw new CliError({ code: 'invalid-argument', message: '--server takes HOST or HOST:PORT.' }, 2);
    params.host = match[1].replace(/^\[|\]$/g, '');
    if (match[2]) params.port = Number(match[2]);
  }
  if (globals.caFile) params.caFile = globals.caFile;
  return params;
}

function emit(p: Printer, value: unknown, human: string): void {
  if (p.json) printJson(p, value);
  else p.out(human);
}

function describeEvent<E extends keyof EventPayloads>(event: E, payload: EventPayloads[E]): string {
  if (event === 'contacts:keys') {
    const view = payload as ContactKeysView;
    return `${new Date().toISOString()} keys of ${view.jid} (${view.fetch}):\n${describeContactKeys(view)}`;
  }
  return `${new Date().toISOString()} ${event}: ${JSON.stringify(payload)}`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
