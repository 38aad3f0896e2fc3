/** Runs the real `keyring` command (scripts/keyring.mjs → the built out/main/cli.js) as a child process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../scripts/keyring.mjs', import.meta.url));
export const BUILT_CLI = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `input`: what is typed on stdin (a prompt's answer); stdin is closed either way. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env });
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs `keyring` on a pseudo-terminal (Python's pty module, Debian's python3), as a person at a terminal
 * would: `typed` is written once the prompt `waitFor` shows. Returns everything the terminal showed
 * (stdout and stderr together, as on a screen) and the exit code.
 */
export function runCliOnTerminal(args: readonly string[], env: NodeJS.ProcessEnv, waitFor: string, typed: string): Promise<{ code: number | null; screen: string }> {
  const driver = [
    'import os, pty, select, sys, json',
    'args, wait_for, typed = json.loads(sys.argv[1])',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    '    os.execv(args[0], args)',
    'screen, sent = b"", False',
    'while True:',
    '    ready, _, _ = select.select([fd], [], [], 60)',
    '    if not ready: break',
    '    try: chunk = os.read(fd, 4096)',
    '    except OSError: break',
    '    if not chunk: break',
    '    screen += chunk',
    '    if not sent and wait_for.encode() in screen:',
    '        os.write(fd, typed.encode()); sent = True',
    '_, status = os.waitpid(pid, 0)',
    'sys.stdout.write(json.dumps({"code": os.waitstatus_to_exitcode(status), "screen": screen.decode("utf-8", "replace")}))',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', driver, JSON.stringify([[process.execPath, CLI, ...args], waitFor, typed])], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as { code: number | null; screen: string });
      } catch {
        reject(new Error(`the terminal driver failed: ${err || out}`));
      }
    });
  });
}
