/** The `keyring` command's entry point (built to out/main/cli.js; see scripts/keyring.mjs). */
import { createInterface } from 'node:readline';
import { runCli } from './program.js';

/** One line from stdin (a terminal, or a pipe: `keyring keys restore … < code.txt`); the prompt goes to stderr. */
function readLine(prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin, terminal: false });
    if (process.stdin.isTTY) process.stderr.write(prompt);
    lines.once('line', (line) => {
      resolve(line); // before close(), which says 'close' at once
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
