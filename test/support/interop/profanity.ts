/**
 * Profanity (Debian's `profanity`, a terminal XMPP client) driven headless: it runs inside its own tmux
 * server (its own socket in a temp folder), gets commands typed with `send-keys`, and the tests read
 * what it prints with `capture-pane`. It has its own HOME, XDG dirs and GNUPGHOME there, so nothing of
 * the machine's user is read or written.
 *
 * TLS: Profanity (libstrophe + OpenSSL) is told to trust a folder holding only the test CA
 * (`/tls certpath set`, the folder hashed with `openssl rehash`), and connects with `tls force`. It
 * never gets `/tls allow` or `/tls always`: a certificate it cannot verify stops the test.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServerInfo } from '../xmpp-server.js';

const run = promisify(execFile);
const SESSION = 'prof';

export interface ProfanityOptions {
  server: ServerInfo;
  /** A CA other than the server's (a test that it refuses what it cannot verify). */
  caFile?: string;
}

export class Profanity {
  /** What the last `waitFor` saw, for failure messages. */
  private lastScreen = '';

  private constructor(
    readonly dir: string,
    private readonly socket: string,
    readonly env: Record<string, string>,
    private readonly certDir: string,
    private readonly server: ServerInfo,
  ) {}

  /** Starts Profanity in a fresh temp home; resolves once it shows its prompt. */
  static async start(options: ProfanityOptions): Promise<Profanity> {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-profanity-'));
    const home = join(dir, 'home');
    const certDir = join(dir, 'certs');
    const gnupg = join(dir, 'gnupg');
    await Promise.all([mkdir(home), mkdir(certDir), mkdir(gnupg, { mode: 0o700 })]);
    await copyFile(options.caFile ?? options.server.caFile, join(certDir, 'test-ca.crt'));
    // OpenSSL looks CAs up in a folder by subject-hash file names.
    await run('openssl', ['rehash', certDir]);
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      GNUPGHOME: gnupg,
      LANG: 'C.UTF-8',
    };
    const socket = join(dir, 'tmux.sock');
    const profanity = new Profanity(dir, socket, env, certDir, options.server);
    const passEnv = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // A wide pane, so fingerprints and key lines are never wrapped.
    await profanity.tmux('new-session', '-d', '-s', SESSION, '-x', '250', '-y', '100', ...passEnv, 'profanity');
    await profanity.waitFor(/Type '\/help'|\/help for help/, 'Profanity’s start screen');
    return profanity;
  }

  private async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { env: this.env, timeout: 10_000 });
    return stdout;
  }

  /** Types one line and presses Enter (literal keys: nothing in the line is read as a tmux key name). */
  async type(line: string): Promise<void> {
    await this.tmux('send-keys', '-t', SESSION, '-l', '--', line); // '--': a line may start with '-'
    await this.tmux('send-keys', '-t', SESSION, 'Enter');
  }

  /** Everything in the pane and its history, wrapped lines joined. */
  async screen(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-J', '-t', SESSION, '-S', '-2000');
  }

  /** Waits until the screen shows `pattern` more than `seenBefore` times; returns the last match. */
  async waitFor(pattern: RegExp, what: string, timeoutMs = 20_000, seenBefore = 0): Promise<RegExpMatchArray> {
    const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.lastScreen = await this.screen();
      const matches = [...this.lastScreen.matchAll(global)];
      const last = matches[matches.length - 1];
      if (matches.length > seenBefore && last) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what} in Profanity; its screen:\n${this.lastScreen.split('\n').filter((l) => l.trim()).slice(-40).join('\n')}`);
  }

  /** Types a command and waits for a new answer to it (one more match than before it was typed). */
  async command(line: string, answer: RegExp, what: string, timeoutMs?: number): Promise<RegExpMatchArray> {
    const global = new RegExp(answer.source, answer.flags.includes('g') ? answer.flags : `${answer.flags}g`);
    const seenBefore = [...(await this.screen()).matchAll(global)].length;
    await this.type(line);
    return this.waitFor(answer, what, timeoutMs, seenBefore);
  }

  /**
   * Trusts the test CA folder, connects with TLS forced and signs in; says how it ended. On a
   * certificate it cannot verify Profanity asks whether to accept it: the answer is always `/tls deny`.
   */
  async tryConnect(jid: string, password: string): Promise<'signed-in' | 'certificate-refused' | 'login-failed'> {
    await this.command(`/tls certpath set ${this.certDir}`, /Certificate path set to/, 'the certificate path');
    await this.command(`/connect ${jid} server ${this.server.host} port ${this.server.port} tls force`, /Enter password:/, 'the password prompt');
    const [outcome] = await this.command(password, /logged in successfully|TLS certificate verification failed|Login failed/, 'the sign-in');
    if (outcome === 'TLS certificate verification failed') {
      await this.type('/tls deny');
      return 'certificate-refused';
    }
    return outcome === 'Login failed' ? 'login-failed' : 'signed-in';
  }

  async connect(jid: string, password: string): Promise<void> {
    const outcome = await this.tryConnect(jid, password);
    if (outcome !== 'signed-in') throw new Error(`Profanity did not sign in (${outcome}):\n${(await this.screen()).split('\n').filter((l) => l.trim()).slice(-30).join('\n')}`);
  }

  /** `/omemo gen`: makes the device's keys; resolves with the device id it prints. */
  async omemoGenerate(): Promise<number> {
    const [, id] = await this.command('/omemo gen', /Your Device ID is (\d+)/, 'the OMEMO device id', 30_000);
    return Number(id);
  }

  /** `/omemo fingerprint`: the own identity key's fingerprint exactly as Profanity prints it. */
  async omemoOwnFingerprint(): Promise<string> {
    const [, fingerprint] = await this.command('/omemo fingerprint', /Your OMEMO fingerprint: ([0-9a-f-]+)/, 'the OMEMO fingerprint');
    return fingerprint ?? '';
  }

  /** `/ox keys`: the fingerprint printed for the key with the given user id. */
  async oxKeyFingerprint(uid: string): Promise<string> {
    const escaped = uid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const [, fingerprint] = await this.command('/ox keys', new RegExp(`${escaped}\\s*\\n\\s*\\S.*ID\\s*:\\s*\\S+\\s*\\n.*Fingerprint\\s*:\\s*([0-9A-F ]+)`), `the OpenPGP key of ${uid}`);
    return (fingerprint ?? '').trim();
  }

  /** `/ox announce FILE`: publishes the key in the file (XEP-0373 §4.1 data node, §4.2 metadata). */
  async oxAnnounce(file: string): Promise<void> {
    await this.command(`/ox announce ${file}`, /Announce OpenPGP Key for OX/, 'the OX announcement');
  }

  /** Quits Profanity, ends its tmux server and gpg-agent, and removes the temp folder. */
  async stop(): Promise<void> {
    try {
      await this.type('/quit');
      const deadline = Date.now() + 5_000;
      while (Date.now() < deadline && (await this.alive())) await new Promise((r) => setTimeout(r, 100));
      if (await this.alive()) await this.tmux('kill-server');
    } catch {
      // The tmux server is already gone.
    }
    // gpg started an agent for this GNUPGHOME (key generation); end that one only.
    await run('gpgconf', ['--kill', 'gpg-agent'], { env: this.env }).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async alive(): Promise<boolean> {
    return this.tmux('has-session', '-t', SESSION).then(
      () => true,
      () => false,
    );
  }
}
