/** The `keyring` command's entry point (built to out/main/cli.js; see scripts/keyring.mjs). */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
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

const interrupted = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  interrupted,
  readLine,
});
process.exit(code);
