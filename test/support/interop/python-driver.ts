/**
 * Runs one of the Python interop drivers (slixmpp_driver.py, nbxmpp_driver.py) as a child process: the
 * account and the server go in the environment, one JSON step per argument, one JSON document comes
 * back on stdout. Debian's own interpreter runs them (`/usr/bin/python3`), because that is where
 * python3-slixmpp and python3-nbxmpp are installed; a python3 earlier on PATH (pyenv, a venv) would not
 * see them.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerInfo } from '../xmpp-server.js';

export const SYSTEM_PYTHON = '/usr/bin/python3';
const HERE = dirname(fileURLToPath(import.meta.url));

export type DriverName = 'slixmpp' | 'nbxmpp';

export interface DriverAccount {
  jid: string;
  password: string;
  server: ServerInfo;
  /** The CA the driver trusts; the server's own test CA unless a test says otherwise. */
  caFile?: string;
}

export type DriverStep = Record<string, unknown> & { op: string };

export type DriverOutcome = { ok: true; steps: unknown[] } | { ok: false; error: string };

export interface DriverRun {
  outcome: DriverOutcome;
  /** Wall time of the whole child process, interpreter start included. */
  ms: number;
  stderr: string;
}

/** Runs the steps and returns what the driver said, success or not (for tests of refusals). */
export function runDriver(driver: DriverName, account: DriverAccount, steps: DriverStep[], timeoutMs = 45_000): Promise<DriverRun> {
  const script = join(HERE, `${driver}_driver.py`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(
      SYSTEM_PYTHON,
      [script, ...steps.map((s) => JSON.stringify(s))],
      {
        timeout: timeoutMs,
        maxBuffer: 8 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          LANG: 'C.UTF-8',
          XMPP_JID: account.jid,
          XMPP_PASSWORD: account.password,
          XMPP_HOST: account.server.host,
          XMPP_PORT: String(account.server.port),
          XMPP_CA_FILE: account.caFile ?? account.server.caFile,
          INTEROP_TIMEOUT_S: String(Math.floor(timeoutMs / 1000) - 5),
        },
      },
      (error, stdout, stderr) => {
        const ms = Date.now() - started;
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          const outcome = JSON.parse(line) as DriverOutcome;
          resolve({ outcome, ms, stderr });
        } catch {
          reject(new Error(`${driver} driver gave no JSON (${error ? error.message : 'exit 0'})\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-4000)}`));
        }
      },
    );
  });
}

/** Runs the steps and returns their results, or throws with the driver's reason. */
export async function driverSteps(driver: DriverName, account: DriverAccount, steps: DriverStep[], timeoutMs?: number): Promise<unknown[]> {
  const run = await runDriver(driver, account, steps, timeoutMs);
  if (!run.outcome.ok) throw new Error(`${driver} driver failed: ${run.outcome.error}\nstderr: ${run.stderr.slice(-4000)}`);
  return run.outcome.steps;
}
