/** The `keyring` command's entry point (built to out/main/cli.js; see scripts/keyring.mjs). */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { StopSignal } from './context.js';
import { runCli } from './program.js';

/**
 * One line from stdin (a terminal, or a pipe: `keyring keys restore … < code.txt`); the prompt goes to
 * stderr. The line is a secret (a backup code): on a terminal nothing typed is shown, so it stays out of
 * the scrollback and off the screen. readline then holds the terminal in raw mode and echoes into an
 * output that writes nothing; Ctrl-C gives up the prompt like an empty answer.
 */
function readLine(prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const terminal = process.stdin.isTTY === true;
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    const lines = createInterface(terminal ? { input: process.stdin, output: silent, terminal: true } : { input: process.stdin, terminal: false });
    if (terminal) process.stderr.write(prompt);
    lines.once('line', (line) => {
      if (terminal) process.stderr.write('\n');
      resolve(line); // before close(), which says 'close' at once
      lines.close();
    });
    lines.once('SIGINT', () => {
      process.stderr.write('\n');
      lines.close();
    });
    lines.once('close', () => resolve(undefined));
  });
}

/**
 * Ctrl-C or SIGTERM (a service manager, timeout(1)): `watch` stops watching and ends well; every other
 * command stops at once, signs out and exits 130/143 (context.ts withCore). `once`: a second signal
 * finds Node's own handling again and ends the process there and then, should signing out hang.
 */
const interrupted = new Promise<StopSignal>((resolve) => {
  process.once('SIGINT', () => resolve('SIGINT'));
  process.once('SIGTERM', () => resolve('SIGTERM'));
});
// Signing out after a signal may wait on a server that does not answer: the signal still ends the run
// promptly, with its own exit code, even then. unref: a run that ends sooner does not wait for it.
void interrupted.then((signal) => setTimeout(() => process.exit(signal === 'SIGINT' ? 130 : 143), 5_000).unref());

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  interrupted,
  readLine,
});
process.exit(code);
