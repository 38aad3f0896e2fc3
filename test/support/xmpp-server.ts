/**
 * What every real XMPP server the tests start (Prosody, ejabberd) offers the tests, in one shape, so a
 * scenario suite runs unchanged against each.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Plain data (it crosses from Vitest's global setup to the test workers). */
export interface ServerInfo {
  kind: 'prosody' | 'ejabberd';
  host: '127.0.0.1';
  port: number;
  domains: string[];
  /** PEM file of the throwaway CA that signed the server certificate: what clients must trust. */
  caFile: string;
  /** The admin command; `[...args, 'register', local, domain, password]` creates an account. */
  ctl: { command: string; args: string[] };
  /** The server-to-server listener, when the server federates (test/support/federation.ts). */
  s2sPort?: number;
}

export interface XmppTestServer {
  info: ServerInfo;
  /** Temp folder with the config, data and logs (kept when KEEP_TEST_SERVERS is set). */
  dir: string;
  stop(): Promise<void>;
}

/** A server the tests take down and bring back, on the same port with the same data (outage tests). */
export interface OutageControl {
  /** 'kill': SIGKILL (kill -9), connections just drop. 'stop': an orderly shutdown (the server says
   *  system-shutdown to its clients first). Resolves once the server's processes are gone. */
  down(how: 'kill' | 'stop'): Promise<void>;
  /** Starts it again; resolves once it accepts connections. */
  up(): Promise<void>;
}

export async function registerAccount(info: ServerInfo, local: string, domain: string, password: string): Promise<void> {
  await run(info.ctl.command, [...info.ctl.args, 'register', local, domain, password]);
}
