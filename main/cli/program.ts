/**
 * `keyring`: the command-line front end over the very core the desktop app uses (as gpg stands beside
 * Kleopatra). Argument parsing and output only; every operation is a request to the core's dispatcher.
 * Exit codes: 0 success, 1 the operation failed, 2 usage error.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import type {
  AccessModel,
  AvatarInfoView,
  ConnectParams,
  ContactKeysView,
  ContactProfileView,
  EffectiveNodeConfig,
  EventName,
  EventPayload,
  Profile,
} from '../../contract/index.js';
import { PROFILE_LIMITS } from '../../contract/limits.js';
import { APP_VERSION } from '../app-version.js';
import { createKeyringCore, type KeyringCore } from '../core.js';
import { defaultDataDir } from '../data-dir.js';
import { silentLogger, stderrLogger } from '../logger.js';
import { readImageHeader } from '../profile/image-header.js';
import { NS } from '../xmpp/namespaces.js';
import { streamLogSink } from '../xmpp/stream-log.js';
import {
  describeContactKeys,
  describeContacts,
  describeNodeConfig,
  describeNodeConfigs,
  describeOwnKey,
  describeProfile,
  describeSupport,
  forTerminal,
  jsonText,
  printJson,
  safe,
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
  debug?: boolean;
}

export async function runCli(argv: readonly string[], rawIo: CliIo): Promise<number> {
  // Every character the CLI writes passes here, whatever path it took: remote text that a command
  // forgot to clean still cannot reach the terminal as an escape sequence (output.ts).
  const io: CliIo = { ...rawIo, out: (text) => rawIo.out(forTerminal(text)), err: (text) => rawIo.err(forTerminal(text)) };
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
    // A failure is one line on stderr: its message may quote the server (an error <text/>), so it is
    // folded to one line and cannot print a second one of its own.
    if (error instanceof CliError) {
      io.err(`keyring: ${safe(error.message)}`);
      return error.exitCode;
    }
    io.err(`keyring: unexpected failure: ${safe(error instanceof Error ? error.message : String(error))}`);
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
    .option('--debug', 'write the XMPP stream to stderr (passwords, login data and private keys redacted)')
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
        const answer = await request(core, 'keys:publish', {
          fingerprint,
          access: {
            model: options.access,
            ...(options.group.length ? { groups: options.group } : {}),
            ...(options.allow.length ? { allow: options.allow } : {}),
          },
          ...(options.reconfigure ? { reconfigure: true } : {}),
        });
        // A one-shot command connects first, so it queues only when the connection dropped right then;
        // the action waits in the vault for the next time the app or `keyring` is online.
        emit(printer(), answer, answer.outcome === 'published' ? describeNodeConfig(answer.config) : QUEUED('publish'));
      }),
    );
  keys
    .command('retract <fingerprint>')
    .description('remove a key from your node (contacts are notified where the server does)')
    .action((fingerprint: string) =>
      online(async (core) => {
        const answer = await request(core, 'keys:retract', { fingerprint });
        emit(printer(), answer, answer.outcome === 'retracted' ? `Retracted ${fingerprint}.` : QUEUED('retract'));
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
          throw new CliError({ code: 'forbidden', message: `${safe(jid)} does not let you read their keys (${safe(view.detail ?? 'refused')}).` }, 1);
        }
        if (view.fetch === 'unreachable') {
          // Not "no keys": nothing is known about them (their server is down, or the link to it hangs).
          throw new CliError({ code: 'server-unreachable', message: unreachableMessage(jid, 'keys', view.detail) }, 1);
        }
        if (view.fetch === 'failed') {
          throw new CliError({ code: 'protocol-error', message: `Could not fetch ${safe(jid)}'s keys (${safe(view.detail ?? 'error')}).` }, 1);
        }
        emit(printer(), view, describeContactKeys(view));
      }),
    );

  const profile = program.command('profile').description('your public profile (vCard4, nickname, avatar) and your contacts’');
  profile
    .command('show [jid]')
    .description('your profile as your server holds it (with each node’s configuration), or a contact’s')
    .action((jid: string | undefined) =>
      online(async (core) => {
        if (jid === undefined) {
          const own = await request(core, 'profile:get', undefined);
          const configs = own.configs.length ? `\n\n${describeNodeConfigs(own.configs)}` : '\n\nNo profile node published yet.';
          emit(printer(), own, describeProfile(own) + configs);
          return;
        }
        const view = await request(core, 'contacts:fetchProfile', { jid });
        // Nothing readable and something refused: one clear line, as `contacts keys` does.
        const refused = view.sources.find((s) => s.status === 'refused' || s.status === 'unreachable' || s.status === 'failed');
        if (refused && !view.sources.some((s) => s.status === 'ok' || s.status === 'invalid')) {
          const detail = safe(refused.detail ?? refused.status);
          throw refused.status === 'refused'
            ? new CliError({ code: 'forbidden', message: `${safe(jid)} does not let you read their profile (${detail}).` }, 1)
            : refused.status === 'unreachable'
              ? new CliError({ code: 'server-unreachable', message: unreachableMessage(jid, 'profile', refused.detail) }, 1)
              : new CliError({ code: 'protocol-error', message: `Could not fetch ${safe(jid)}'s profile (${detail}).` }, 1);
        }
        emit(printer(), view, describeProfile(view));
      }),
    );
  profile
    .command('set')
    .description(
      'publish your profile per XEP-0222 (vCard4 + nickname, and the avatar with --avatar); prints the node configurations read back',
    )
    .option('--field <name=value>', `a profile field (repeat for several): ${Object.keys(PROFILE_FIELDS).join(', ')}`, collect, [])
    .option('--avatar <file>', 'a PNG or JPEG picture; the app scales it down and publishes it as PNG (XEP-0084)')
    .addOption(new Option('--access <model>', 'who may read it').choices(['open', 'presence', 'roster', 'whitelist']).makeOptionMandatory())
    .option('--group <name>', 'roster group allowed (repeat for several)', collect, [])
    .option('--allow <jid>', 'contact allowed on the whitelist (repeat for several)', collect, [])
    .option('--reconfigure', 'allow changing the access of already published nodes')
    .option('--replace', 'publish only the fields given, without reading the published profile first')
    .addHelpText(
      'after',
      '\nFields you do not name keep their published value (unless --replace); NAME= (empty) removes one.\n' +
        'Repeating email, phone or url gives several.',
    )
    .action(
      async (options: {
        field: string[];
        avatar?: string;
        access: AccessModel;
        group: string[];
        allow: string[];
        reconfigure?: boolean;
        replace?: boolean;
      }) => {
        const edits = parseFieldEdits(options.field);
        if (edits.length === 0 && options.avatar === undefined) {
          throw new CliError({ code: 'invalid-argument', message: 'Give at least one --field NAME=VALUE or --avatar FILE.' }, 2);
        }
        const access = {
          model: options.access,
          ...(options.group.length ? { groups: options.group } : {}),
          ...(options.allow.length ? { allow: options.allow } : {}),
        };
        const reconfigure = options.reconfigure ? { reconfigure: true } : {};
        const image = options.avatar === undefined ? undefined : await readAvatarFile(options.avatar);
        return online(async (core) => {
          const result: { configs: EffectiveNodeConfig[]; avatar?: AvatarInfoView } = { configs: [] };
          if (edits.length > 0) {
            const base = options.replace ? { emails: [], phones: [], urls: [] } : await publishedProfile(core);
            const fields = applyFieldEdits(base, edits);
            result.configs.push(...(await request(core, 'profile:publish', { profile: fields, access, ...reconfigure })));
          }
          if (image) {
            const avatar = await request(core, 'profile:setAvatar', { dataBase64: image.bytes.toString('base64'), mime: image.type, access, ...reconfigure });
            result.avatar = avatar.info;
            result.configs.push(...avatar.configs);
          }
          const avatarLine = result.avatar
            ? `avatar: ${safe(result.avatar.type)} ${safe(result.avatar.width ?? '?')}×${safe(result.avatar.height ?? '?')}, ${safe(result.avatar.bytes)} bytes, id ${safe(result.avatar.id)}\n\n`
            : '';
          emit(printer(), result, avatarLine + describeNodeConfigs(result.configs));
        });
      },
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
          if (json) io.out(jsonText({ event, payload }));
          else io.out(describeEvent(event, payload));
        });
        io.err(`keyring: watching as ${safe(core.session.state.boundJid)}${seconds ? ` for ${seconds} s` : ''}; Ctrl+C to stop.`);
        await Promise.race([io.interrupted, ...(seconds ? [new Promise((r) => setTimeout(r, seconds * 1000))] : [])]);
        stop();
      }),
    );

  return program;
}

/** Opens the vault, connects, runs `work`, and always disconnects. */
async function withCore<T>(globals: GlobalOptions, io: CliIo, work: (core: KeyringCore) => Promise<T>): Promise<T> {
  const params = connectParams(globals, io.env);
  const core = createKeyringCore({
    host: 'cli',
    version: APP_VERSION,
    log: globals.debug ? stderrLogger : silentLogger,
    dataDir: globals.dataDir ?? defaultDataDir(),
    ...(globals.debug ? { streamLog: streamLogSink('stderr') } : {}),
  });
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

function describeEvent<E extends EventName>(event: E, payload: EventPayload<E>): string {
  if (event === 'contacts:profile') {
    const view = payload as ContactProfileView;
    return `${new Date().toISOString()} profile of ${safe(view.jid)} (${safe(view.origin)}: ${view.updated.map(safe).join(', ')}):\n${describeProfile(view)}`;
  }
  if (event === 'contacts:keys') {
    const view = payload as ContactKeysView;
    return `${new Date().toISOString()} keys of ${safe(view.jid)} (${safe(view.fetch)}):\n${describeContactKeys(view)}`;
  }
  // Other events as JSON: one line (JSON.stringify escapes newlines), unsafe characters escaped.
  return `${new Date().toISOString()} ${event}: ${jsonText(payload)}`;
}

/** What a publish or retract that was queued (the connection dropped) prints. */
const QUEUED = (what: 'publish' | 'retract') => `queued: will ${what} when online`;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--field` names: what the user types → the profile field (list fields may repeat). */
const PROFILE_FIELDS = {
  name: 'fullName',
  nickname: 'nickname',
  email: 'emails',
  phone: 'phones',
  url: 'urls',
  note: 'note',
  org: 'organisation',
  street: 'street',
  locality: 'locality',
  region: 'region',
  code: 'code',
  country: 'country',
} as const;
const FIELD_ALIASES: Record<string, keyof typeof PROFILE_FIELDS> = {
  fn: 'name',
  'full-name': 'name',
  nick: 'nickname',
  tel: 'phone',
  organisation: 'org',
  organization: 'org',
  'postal-code': 'code',
};

type FieldEdit = { field: (typeof PROFILE_FIELDS)[keyof typeof PROFILE_FIELDS]; value: string };

function parseFieldEdits(args: readonly string[]): FieldEdit[] {
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    const rawName = (eq < 0 ? arg : arg.slice(0, eq)).trim().toLowerCase();
    const name = FIELD_ALIASES[rawName] ?? rawName;
    if (eq < 0 || !Object.hasOwn(PROFILE_FIELDS, name)) {
      throw new CliError(
        { code: 'invalid-argument', message: `--field takes NAME=VALUE with NAME one of ${Object.keys(PROFILE_FIELDS).join(', ')}.` },
        2,
      );
    }
    return { field: PROFILE_FIELDS[name as keyof typeof PROFILE_FIELDS], value: arg.slice(eq + 1).trim() };
  });
}

/** The published profile with the edits applied: a list named at all is replaced by the values given. */
function applyFieldEdits(current: Profile, edits: readonly FieldEdit[]): Profile {
  const next: Profile = { ...current, emails: [...current.emails], phones: [...current.phones], urls: [...current.urls] };
  if (current.address) next.address = { ...current.address };
  const listsSeen = new Set<string>();
  for (const { field, value } of edits) {
    if (field === 'emails' || field === 'phones' || field === 'urls') {
      if (!listsSeen.has(field)) next[field] = [];
      listsSeen.add(field);
      if (value !== '') next[field].push(value);
    } else if (field === 'street' || field === 'locality' || field === 'region' || field === 'code' || field === 'country') {
      const address = { ...next.address };
      if (value === '') delete address[field];
      else address[field] = value;
      if (Object.keys(address).length > 0) next.address = address;
      else delete next.address;
    } else if (value === '') {
      delete next[field];
    } else {
      next[field] = value;
    }
  }
  return next;
}

/** The vCard as published, to keep the fields a `profile set` does not name (XEP-0292 publishes it whole). */
async function publishedProfile(core: KeyringCore): Promise<Profile> {
  const current = await request(core, 'profile:get', undefined);
  const source = current.sources.find((s) => s.node === NS.vcard4);
  if (source && source.status !== 'ok' && source.status !== 'none') {
    throw new CliError(
      {
        code: 'protocol-error',
        message: `Cannot read your published vCard to keep the fields you do not name (${safe(source.detail ?? source.status)}); give every field with --replace.`,
      },
      1,
    );
  }
  return current.vcard ?? { emails: [], phones: [], urls: [], ...(current.nickname ? { nickname: current.nickname } : {}) };
}

async function readAvatarFile(file: string): Promise<{ bytes: Buffer; type: 'image/png' | 'image/jpeg' }> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError({ code: 'invalid-argument', message: `Cannot read ${file} (${code}).` }, 2);
  }
  if (size > PROFILE_LIMITS.avatarUploadBytes) {
    throw new CliError({ code: 'invalid-argument', message: `${file} is over ${PROFILE_LIMITS.avatarUploadBytes / (1024 * 1024)} MiB.` }, 2);
  }
  const bytes = await readFile(file);
  const header = readImageHeader(bytes);
  if ('problem' in header) throw new CliError({ code: 'invalid-argument', message: `${file} is ${header.problem}.` }, 2);
  return { bytes, type: header.type };
}

/** A contact whose server could not be reached: said as such, never as "publishes nothing". */
function unreachableMessage(jid: string, what: 'keys' | 'profile', detail: string | undefined): string {
  return `Their server is unreachable: could not fetch ${jid}'s ${what} (${safe(detail ?? 'no answer')}).`;
}
