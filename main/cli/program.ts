/**
 * `keyring`: the command-line front end over the very core the desktop app uses (as gpg stands beside
 * Kleopatra). The global options and the exit codes here; each command group in commands/, printing in
 * output.ts, what they share in context.ts. Exit codes: 0 success, 1 the operation failed, 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { APP_VERSION } from '../app-version.js';
import type { IpcError } from '../../contract/index.js';
import { KeyringError, toIpcError } from '../errors.js';
import { accountCommands } from './commands/account.js';
import { contactsCommands } from './commands/contacts.js';
import { devicesCommands } from './commands/devices.js';
import { doctorCommand } from './commands/doctor.js';
import { keysCommands } from './commands/keys.js';
import { profileCommands } from './commands/profile.js';
import { watchCommand } from './commands/watch.js';
import { CliError, cliContext, forCommand, Interrupted, type CliIo } from './context.js';
import { forTerminal, jsonText, safe } from './output.js';

export type { CliIo } from './context.js';

export async function runCli(argv: readonly string[], rawIo: CliIo): Promise<number> {
  // Every character the CLI writes passes here, whatever path it took: remote text that a command
  // forgot to clean still cannot reach the terminal as an escape sequence (output.ts).
  const io: CliIo = { ...rawIo, out: (text) => rawIo.out(forTerminal(text)), err: (text) => rawIo.err(forTerminal(text)) };
  // With --json a usage error is a JSON document too: commander's own lines (its message, the help
  // after it) are held back and the message goes into that document. Read from the arguments, since a
  // usage error can come before commander has parsed --json.
  const usage = argv.includes('--json') ? { message: '' } : undefined;
  const program = buildProgram(io, usage);
  // The command that ran, for a failure's next step (forCommand: which options it has and was given).
  let running: Command | undefined;
  program.hook('preAction', (_program, action) => {
    running = action;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end the run successfully; every other parse error is a usage error, and so
      // is a group without its command (`keyring`, `keyring keys`: commander shows the help as an error,
      // on stderr, exit code 1): nothing was done, as git says it.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help' && error.exitCode === 0) return 0;
      if (usage) {
        const message = usage.message.replace(/^error: /, '').trim() || 'A command is needed here: see --help for the commands.';
        io.err(jsonText({ error: { code: 'invalid-argument', message }, exitCode: 2 }));
      }
      return 2;
    }
    // A failure is one line on stderr: its message may quote the server (an error <text/>), so it is
    // folded to one line and cannot print a second one of its own. With --json it is one JSON line on
    // stderr instead ({ error: { code, message, field?, nextStep? }, exitCode }), after any notes (each
    // a JSON line too: context.ts), so that a script can tell a refusal from a dead server by its code.
    // Stopped by a signal: its line was printed when the signal came (context.ts withCore).
    if (error instanceof Interrupted) return error.exitCode;
    const asJson = program.opts<{ json?: boolean }>().json === true;
    const report = (failure: IpcError, exitCode: 1 | 2, line: string): 1 | 2 => {
      io.err(asJson ? jsonText({ error: failure, exitCode }) : `keyring: ${safe(line)}`);
      return exitCode;
    };
    if (error instanceof CliError) {
      const fitted = forCommand(error, running);
      return report(fitted.error, fitted.exitCode, fitted.message);
    }
    // A check made before any request (the profile's field names): a usage error when it is one.
    if (error instanceof KeyringError) {
      const failure = toIpcError(error);
      return report(failure, error.code === 'invalid-argument' ? 2 : 1, error.message);
    }
    const message = `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
    return report({ code: 'internal', message }, 1, message);
  }
}

function buildProgram(io: CliIo, usage: { message: string } | undefined): Command {
  const program = new Command('keyring')
    .description('Publish and fetch public keys over XMPP the XEP-0222 way (persistent PEP nodes).')
    .version(APP_VERSION)
    .option('--jid <jid>', 'your account, e.g. juliet@capulet.lit')
    .option('--password-env <var>', 'name of the environment variable holding the account password', 'KEYRING_PASSWORD')
    .option('--server <host[:port]>', 'connect here instead of the JID’s domain')
    .option('--ca-file <file>', 'extra trusted CA certificate (PEM), e.g. for a self-hosted server')
    .option('--accept-ca <sha256>', 'trust the CA file although it changed since last time (its new SHA-256 fingerprint, as the refusal names it)')
    .option(
      '--accept-no-channel-binding',
      'sign in although the server stopped offering SCRAM -PLUS (refused as channel-binding-stripped); only once its admin confirmed the change',
    )
    .option(
      '--accept-plain-login',
      'send the password itself although the server took SCRAM before and now offers only PLAIN (refused as scram-stripped); only once its admin confirmed the change',
    )
    .option('--data-dir <dir>', 'vault location (default: the app’s own)')
    .option('--json', 'machine-readable output (JSON lines for watch)')
    .option('--debug', 'write the XMPP stream to stderr (passwords, login data and private keys redacted)')
    .addHelpText('after', '\nThe vault passphrase comes from KEYRING_PASSPHRASE. Exit codes: 0 ok, 1 failed, 2 usage.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput(
      usage
        ? {
            writeOut: (s) => io.out(s.trimEnd()),
            writeErr: () => undefined,
            outputError: (s) => {
              usage.message ||= s;
            },
          }
        : { writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) },
    );

  const cli = cliContext(program, io);
  accountCommands(program, cli);
  keysCommands(program, cli);
  contactsCommands(program, cli);
  devicesCommands(program, cli);
  profileCommands(program, cli);
  watchCommand(program, cli);
  doctorCommand(program, cli);
  return program;
}
