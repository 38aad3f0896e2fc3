import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { ConnectParams } from '../../contract/index.js';
import { registerAccount, type ServerInfo } from './xmpp-server.js';

/**
 * A fresh account on the test Prosody, named after the role it plays (juliet, romeo…) plus a random
 * suffix so tests never share state. Returns ready-to-use connect parameters that trust the test CA.
 */
export async function freshAccount(role: string, domain = 'capulet.lit', server: ServerInfo = inject('prosody')): Promise<ConnectParams> {
  const local = `${role}-${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  await registerAccount(server, local, domain, password);
  return { jid: `${local}@${domain}`, password, host: server.host, port: server.port, caFile: server.caFile };
}
