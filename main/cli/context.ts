/**
 * What every command group of the CLI stands on: the global options, how to print (for people, or one
 * JSON document with --json), errors with their exit code, and the two ways a command runs: `online`
 * opens the vault, signs in, hands the command the same grouped API the screens use (core.api: the
 * dispatcher, so the same validation and error codes), and always signs out; `offline` opens the vault
 * for the account named by --jid and never touches the network (no password needed), for what the
 * vault alone can answer: own keys made, listed and exported, the last roster, contacts' known keys.
 */
import type { Command } from 'commander';
import { ADDRESS_WORDS, bareJidText, type ConnectParams, type IpcError, type KeyringApi, type Result } from '../../contract/index.js';
import { APP_VERSION } from '../app-version.js';
import { createKeyringCore, type KeyringCore } from '../core.js';
import { defaultDataDir } from '../data-dir.js';
import { PROFILE_FIELDS } from '../profile/field-edits.js';
import { OWN_ADDRESS_WORDS } from '../services/contact-keys.js';
import { RESTORE_HERE } from '../services/own-keys.js';
import { VAULT_LOCKED_WORDS } from '../vault/vault.js';
import { CHOOSE_CA } from '../xmpp/connection-errors.js';
import { silentLogger, stderrLogger } from '../logger.js';
import { streamLogSink } from '../xmpp/stream-log.js';
import { integerIn } from './option-values.js';
import { jsonText } from './output.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /**
   * Resolves when the user asks to stop (SIGINT/SIGTERM, named): `watch` then stops watching and ends
   * well; any other command stops where it is (withCore).
   */
  interrupted: Promise<StopSignal>;
  /** One line typed at a prompt (stdin), for a secret that must not be in argv; absent when there is no one to ask. */
  readLine?(prompt: string): Promise<string | undefined>;
}

/** The signals that ask a command to stop: Ctrl-C, and a service manager's or timeout(1)'s. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * A command stopped by a signal. Its line is printed when the signal comes (not after signing out,
 * which may wait on a silent server); the exit code is the shell's for that signal, 128 + its number.
 */
export class Interrupted extends Error {
  readonly exitCode: 130 | 143;
  constructor(readonly signal: StopSignal) {
    super(`Stopped (${signal}) before it finished: what was under way may or may not have reached the server.`);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}

export interface GlobalOptions {
  jid?: string;
  passwordEnv: string;
  server?: string;
  caFile?: string;
  acceptCa?: string;
  acceptNoChannelBinding?: boolean;
  acceptPlainLogin?: boolean;
  dataDir?: string;
  json?: boolean;
  debug?: boolean;
}

/**
 * A failure to report in one line: exit code 2 for usage errors (bad arguments), 1 for failed operations.
 * A refused argument is named first ("fingerprint: …"): a window shows the message beside its field,
 * a terminal has only the line.
 */
export class CliError extends Error {
  constructor(
    readonly error: IpcError,
    readonly exitCode: 1 | 2,
  ) {
    // A terminal has one line: what went wrong, then what to do about it when main said.
    const said = error.nextStep === undefined ? error.message : `${error.message} ${error.nextStep}`;
    super(error.code === 'invalid-argument' && error.field ? `${error.field}: ${said}` : said);
  }
}

/** The answer of a request, or its failure as a CliError (bad arguments are usage errors), in the command's words. */
export function must<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new CliError(inCliWords(result.error), result.error.code === 'invalid-argument' ? 2 : 1);
}

/**
 * Main words some failures for the window ("…must be confirmed", "Enter the vault passphrase", "choose
 * it as the extra CA certificate", "under My keys"): a terminal has options instead of a screen, so
 * here, in one place, such a failure gets the option that fixes it. By code; where one code covers
 * several cases, the case is told by the words main exports for it, never by a copy of them.
 */
export function inCliWords(error: IpcError): IpcError {
  switch (error.code) {
    case 'access-model-conflict':
      return { ...error, nextStep: RECONFIGURE_STEP };
    case 'access-model-not-offered':
    case 'revocation-held-back':
      return error.nextStep?.includes(RESTORE_HERE) ? { ...error, nextStep: error.nextStep.replace(RESTORE_HERE, '`keyring doctor --repair`') } : error;
    case 'vault-locked':
      return error.message === VAULT_LOCKED_WORDS.noKeychain
        ? { ...error, message: 'No OS keychain is available to protect your keys.', nextStep: 'Set KEYRING_PASSPHRASE to a passphrase of at least 8 characters.' }
        : { ...error, message: 'Your keys are locked with a passphrase.', nextStep: 'Set KEYRING_PASSPHRASE to the vault passphrase.' };
    case 'tls-untrusted':
      return error.nextStep?.includes(CHOOSE_CA) ? { ...error, nextStep: error.nextStep.replace(CHOOSE_CA, CLI_CHOOSE_CA) } : error;
    case 'invalid-argument': {
      const named = error.field === undefined ? error : { ...error, field: argumentName(error.field) };
      return error.message === OWN_ADDRESS_WORDS ? { ...named, message: 'That is your own address.', nextStep: 'Your own keys: keyring keys list.' } : named;
    }
    default:
      return error;
  }
}

/** The step inCliWords gives a change of who may read: right for a command with --reconfigure run without it (see forCommand). */
export const RECONFIGURE_STEP = 'Run again with --reconfigure to change it.';

/**
 * `failure` as the command that was running (`command`) can act on it. inCliWords cannot tell the
 * commands apart; "Run again with --reconfigure" fits only one that has the option and was run without
 * it. Others meet this refusal when another client changed who may read while they ran (`doctor
 * --repair`, or a publish already given --reconfigure): running it again starts from what is there now,
 * which the refusal has just said.
 */
export function forCommand(failure: CliError, command: Command | undefined): CliError {
  if (failure.error.nextStep !== RECONFIGURE_STEP) return failure;
  const offered = command?.options.some((option) => option.long === '--reconfigure') === true;
  if (offered && command?.opts<{ reconfigure?: boolean }>().reconfigure !== true) return failure;
  return new CliError({ ...failure.error, nextStep: 'Run the same command again: it starts from what your server has now.' }, failure.exitCode);
}

/**
 * A refused argument as the command line names it: main names the request's field by its path
 * ("access.allow.0", "profile.note", "claim"), which no one typed.
 */
function argumentName(field: string): string {
  const [head, second, third] = field.split('.');
  if (head === 'access') return second === 'allow' ? '--allow' : second === 'groups' ? '--group' : '--access';
  if (head === 'profile' && second !== undefined) {
    const part = second === 'address' && third !== undefined ? third : second;
    return `--field ${Object.entries(PROFILE_FIELDS).find(([, key]) => key === part)?.[0] ?? part}`;
  }
  if (head === 'claim') return 'fingerprint';
  if (head === 'passphrase') return 'KEYRING_PASSPHRASE';
  return field;
}

/** CHOOSE_CA (the window's "choose it as the extra CA certificate"), as the command does it. */
const CLI_CHOOSE_CA = 'give it with --ca-file FILE, once its fingerprint matches the one the admin gives you';

export interface CliContext {
  io: CliIo;
  /** Whether --json was given. */
  json(): boolean;
  /** Prints `human` for people, or `value` as JSON with --json. */
  emit(value: unknown, human: string): void;
  /**
   * Opens the vault, connects, runs `work`, and always disconnects. A signal stops `work` where it is
   * (Interrupted), unless `untilInterrupted`: `work` itself waits for io.interrupted and ends well (watch).
   */
  online<T>(work: (api: KeyringApi, core: KeyringCore) => Promise<T>, untilInterrupted?: 'until-interrupted'): Promise<T>;
  /** Opens the vault for --jid's account and runs `work` without signing in. */
  offline<T>(work: (api: KeyringApi, core: KeyringCore) => Promise<T>): Promise<T>;
  /** A note for people about where the answer comes from (stderr, so stdout stays the answer). */
  note(text: string): void;
  /** Whether the account password is at hand (in the variable --password-env names), so `online` can sign in. */
  hasPassword(): boolean;
  /**
   * The action of a command that asks one thing and prints the answer: `ask` and `describe` get the
   * command's arguments too. Signs in first, unless `where` is 'offline' (the vault alone answers).
   */
  answer<A extends unknown[], T>(
    ask: (api: KeyringApi, ...args: A) => Promise<Result<T>>,
    describe: (value: T, ...args: A) => string,
    where?: 'online' | 'offline',
  ): (...args: A) => Promise<void>;
  /** Adds `usage` (a name and its arguments) to `group`: a command that asks one thing and prints it (see `answer`). */
  show<A extends unknown[], T>(
    group: Command,
    usage: string,
    description: string,
    ask: (api: KeyringApi, ...args: A) => Promise<Result<T>>,
    describe: (value: T, ...args: A) => string,
    where?: 'online' | 'offline',
  ): Command;
}

export function cliContext(program: Command, io: CliIo): CliContext {
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const json = () => globals().json === true;
  const emit: CliContext['emit'] = (value, human) => io.out(json() ? jsonText(value, 2) : human);
  const runs: Pick<CliContext, 'online' | 'offline'> = {
    online: (work, untilInterrupted) => {
      const params = connectParams(globals(), io.env);
      return withCore(
        globals(),
        io,
        async (core) => {
          must(await core.api.account.connect(params));
          return work(core.api, core);
        },
        untilInterrupted === undefined,
      );
    },
    offline: (work) => {
      const jid = accountJid(globals());
      return withCore(globals(), io, (core) => {
        core.workOffline(jid);
        return work(core.api, core);
      });
    },
  };
  const answer: CliContext['answer'] =
    (ask, describe, where = 'online') =>
    (...args) =>
      runs[where](async (api) => {
        const value = must(await ask(api, ...args));
        emit(value, describe(value, ...args));
      });
  return {
    io,
    json,
    emit,
    ...runs,
    // With --json, stderr is JSON lines a script can read whole: notes as { note }, a failure last (program.ts).
    note: (text) => io.err(json() ? jsonText({ note: text }) : `keyring: ${text}`),
    hasPassword: () => {
      const name = globals().passwordEnv.trim();
      return name !== '' && Boolean(io.env[name]);
    },
    answer,
    show: (group, usage, description, ask, describe, where) => group.command(usage).description(description).action(answer(ask, describe, where)),
  };
}

/**
 * Opens the vault (passphrase from $KEYRING_PASSPHRASE), runs `work`, and always closes the core. With
 * `stopOnSignal`, Ctrl-C or SIGTERM ends the run there and then: `work` is left behind (it is no longer
 * awaited; signing out closes its connection), the core is closed all the same, and the line says that
 * what was sent may have arrived: a publish cut off after its request may still be done on the server.
 */
async function withCore<T>(globals: GlobalOptions, io: CliIo, work: (core: KeyringCore) => Promise<T>, stopOnSignal = true): Promise<T> {
  const core = createKeyringCore({
    host: 'cli',
    version: APP_VERSION,
    // A command asks the network only what it is about (`contacts devices`, `devices list`).
    otherKeysAtSignIn: false,
    log: globals.debug ? stderrLogger : silentLogger,
    dataDir: globals.dataDir ?? defaultDataDir(),
    ...(globals.debug ? { streamLog: streamLogSink('stderr') } : {}),
  });
  const run = async () => {
    const passphrase = io.env.KEYRING_PASSPHRASE;
    must(await core.api.vault.unlock(passphrase ? { passphrase } : {}));
    return work(core);
  };
  const stopped = () =>
    io.interrupted.then((signal): never => {
      const interrupted = new Interrupted(signal);
      // With --json, one JSON line like every other on stderr (program.ts).
      io.err(globals.json === true ? jsonText({ interrupted: { signal, message: interrupted.message }, exitCode: interrupted.exitCode }) : `keyring: ${interrupted.message}`);
      throw interrupted;
    });
  try {
    return await (stopOnSignal ? Promise.race([run(), stopped()]) : run());
  } finally {
    await core.dispose();
  }
}

/**
 * The account --jid names, checked and normalized as the sign-in form's address is (contract/domain.ts
 * bareJidText), before the vault opens: "juliet@capulet.lit." is juliet@capulet.lit (RFC 7622 §3.2), so
 * it opens the same account's keys and vault entries offline as online, and "juliet@capulet,lit" is
 * refused as no server name rather than taken as an account of its own.
 */
function accountJid(globals: GlobalOptions): string {
  if (globals.jid === undefined) throw usage('Give your account with --jid.');
  const read = bareJidText.safeParse(globals.jid);
  if (!read.success) throw usage(`--jid: ${read.error.issues[0]?.message ?? ADDRESS_WORDS.shape}.`);
  return read.data;
}

function connectParams(globals: GlobalOptions, env: NodeJS.ProcessEnv): ConnectParams {
  const jid = accountJid(globals);
  if (globals.passwordEnv.trim() === '') throw usage('--password-env: name the environment variable that holds the account password, like KEYRING_PASSWORD.');
  const password = env[globals.passwordEnv];
  if (!password) throw usage(`Put the account password in $${globals.passwordEnv} (or name another variable with --password-env).`);
  const params: ConnectParams = { jid, password };
  if (globals.server) {
    const match = /^(\[[^\]]+\]|[^:]+)(?::([^:]*))?$/.exec(globals.server);
    if (!match?.[1]) {
      // Two colons or more and no brackets: an IPv6 address, whose port could not be told from it.
      if (/:.*:/.test(globals.server) && !globals.server.startsWith('[')) throw usage('--server: put an IPv6 address in brackets, like [::1] or [::1]:5222.');
      throw usage('--server takes HOST or HOST:PORT.');
    }
    // An IPv6 address keeps its brackets: the server address is checked (contract/account.ts) and the
    // connection's address built (xmpp://[::1]:5222) with them, as RFC 7622 §3.2 writes it.
    params.host = match[1];
    if (match[2] !== undefined) {
      const port = integerIn(match[2], 1, 65535);
      if (port === undefined) throw usage('--server takes HOST or HOST:PORT, with a port from 1 to 65535.');
      params.port = port;
    }
  }
  if (globals.caFile) params.caFile = globals.caFile;
  if (globals.acceptCa) params.acceptCaFingerprint = globals.acceptCa;
  if (globals.acceptNoChannelBinding === true) params.acceptNoChannelBinding = true;
  if (globals.acceptPlainLogin === true) params.acceptPlainLogin = true;
  return params;
}

/** A usage error (exit code 2). */
export function usage(message: string): CliError {
  return new CliError({ code: 'invalid-argument', message }, 2);
}
