/**
 * The CA file is read once per sign-in: the certificates whose fingerprint Accounts compares with the
 * one trusted before are the ones handed to the connection. Before, the session read the file a second
 * time, so a file swapped between the check and the connect was trusted without any comparison.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectParams, ConnectionState } from '../../contract/index.js';
import { Accounts } from '../../main/services/accounts.js';
import type { SignInPort } from '../../main/services/session-port.js';
import { AccountSettingsStore } from '../../main/vault/stores/account-settings-store.js';
import type { SignInOptions } from '../../main/xmpp/session.js';
import { makeTestCa } from '../support/test-pki.js';
import { codeOf, unlockedVaults } from '../support/vaults.js';

const JID = 'juliet@capulet.lit';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-accounts-ca-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A session that signs in at once and remembers what each sign-in was given; `during` runs inside connect. */
function standInSession(during: () => Promise<void> = async () => {}) {
  const calls: SignInOptions[] = [];
  const session: SignInPort = {
    ownJid: JID,
    lastLogin: { mechanism: 'SCRAM-SHA-256', channelBinding: undefined },
    async connect(_params: Omit<ConnectParams, 'remember' | 'acceptCaFingerprint'>, options: SignInOptions = {}): Promise<ConnectionState> {
      calls.push(options);
      await during();
      return { status: 'online', account: JID };
    },
  };
  return { session, calls };
}

describe('signing in with a CA file', () => {
  it('hands the connection the very text whose fingerprint it checked, not a second read of the file', async () => {
    const vaults = await unlockedVaults(dir);
    await Promise.all(['a', 'b'].map((name) => mkdir(join(dir, name))));
    const trusted = await makeTestCa(join(dir, 'a'), 'The server admin');
    const other = await makeTestCa(join(dir, 'b'), 'Somebody else');
    const caFile = join(dir, 'server-ca.pem');
    await copyFile(trusted.caFile, caFile);
    const pem = await readFile(trusted.caFile, 'utf8');

    // The file is swapped the moment the check is done, as a race with another process would.
    const { session, calls } = standInSession(() => copyFile(other.caFile, caFile));
    const accounts = new Accounts({ settings: new AccountSettingsStore(vaults), session, currentAccount: () => JID, workOffline: () => {} });
    await accounts.connect({ jid: JID, password: 'pw', caFile });
    expect(calls[0]?.caPem).toBe(pem);

    // The swapped file is what the next sign-in reads, and it is refused before connecting.
    expect(await codeOf(accounts.connect({ jid: JID, password: 'pw', caFile }))).toBe('ca-changed');
    expect(calls).toHaveLength(1);
  });

  it('passes no CA text when the sign-in names no CA file', async () => {
    const vaults = await unlockedVaults(dir);
    const { session, calls } = standInSession();
    const accounts = new Accounts({ settings: new AccountSettingsStore(vaults), session, currentAccount: () => JID, workOffline: () => {} });
    await accounts.connect({ jid: JID, password: 'pw' });
    expect(calls[0]).toEqual({});
  });
});
