/**
 * What Accounts remembers of how each account signed in, and asks of the next sign-in
 * (main/services/accounts.ts, pinsFor): after a SCRAM login, an offer of PLAIN alone is refused; after
 * a -PLUS login, an offer without -PLUS too. A record from before the SCRAM pin (no scramSeen) behaves
 * as it did; the user's explicit acceptance lifts a pin for one sign-in and, once the weaker login was
 * used, forgets it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectParams, ConnectionState } from '../../contract/index.js';
import { Accounts } from '../../main/services/accounts.js';
import type { SignInPort } from '../../main/services/session-port.js';
import { AccountSettingsStore } from '../../main/vault/stores/account-settings-store.js';
import type { SignInOptions } from '../../main/xmpp/session.js';
import { unlockedVaults } from '../support/vaults.js';

const JID = 'juliet@capulet.lit';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-accounts-pins-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Login = { mechanism: string; channelBinding: string | undefined };
const SCRAM: Login = { mechanism: 'SCRAM-SHA-256', channelBinding: 'y' };
const PLUS: Login = { mechanism: 'SCRAM-SHA-256-PLUS', channelBinding: 'p=tls-exporter' };
const PLAIN: Login = { mechanism: 'PLAIN', channelBinding: undefined };

/** Accounts over a session that signs in at once with the login `signIn` names, and records the options each sign-in was given. */
async function setUp() {
  const vaults = await unlockedVaults(dir);
  const settings = new AccountSettingsStore(vaults);
  const calls: SignInOptions[] = [];
  let login: Login = SCRAM;
  const session: SignInPort = {
    ownJid: JID,
    get lastLogin() {
      return login;
    },
    connect(_params: Omit<ConnectParams, 'remember' | 'acceptCaFingerprint'>, options: SignInOptions = {}): Promise<ConnectionState> {
      calls.push(options);
      return Promise.resolve({ status: 'online', account: JID });
    },
  };
  const accounts = new Accounts({ settings, session, currentAccount: () => JID, workOffline: () => {} });
  const signIn = async (used: Login, accept: Pick<ConnectParams, 'acceptNoChannelBinding' | 'acceptPlainLogin'> = {}): Promise<SignInOptions> => {
    login = used;
    await accounts.connect({ jid: JID, password: 'pw', ...accept });
    return calls.at(-1) ?? {};
  };
  return { settings, accounts, signIn };
}

describe('the SCRAM pin', () => {
  it('after a SCRAM sign-in, the next one refuses an offer of PLAIN alone', async () => {
    const { signIn } = await setUp();
    expect(await signIn(SCRAM)).toEqual({});
    expect(await signIn(SCRAM)).toEqual({ requireScram: true });
  });

  it('an account that only ever signed in with PLAIN is asked nothing', async () => {
    const { signIn } = await setUp();
    await signIn(PLAIN);
    expect(await signIn(PLAIN)).toEqual({});
  });

  it('a record from before the SCRAM pin: without -PLUS seen, nothing asked; with it, PLAIN alone refused too (-PLUS is SCRAM)', async () => {
    const { settings, signIn } = await setUp();
    await settings.update(JID, { lastSignIn: '2025-01-01T00:00:00.000Z' });
    expect(await signIn(PLAIN)).toEqual({});

    await settings.update(JID, { channelBindingSeen: true });
    expect(await signIn(PLUS)).toEqual({ requireChannelBinding: true, requireScram: true });
  });

  it('accepting PLAIN lifts both pins for that sign-in, and a PLAIN login then forgets them', async () => {
    const { settings, signIn } = await setUp();
    await signIn(PLUS);
    expect(settings.settingsOf(JID)).toMatchObject({ scramSeen: true, channelBindingSeen: true });
    expect(await signIn(PLAIN, { acceptPlainLogin: true })).toEqual({});
    expect(settings.settingsOf(JID).scramSeen).toBeUndefined();
    expect(settings.settingsOf(JID).channelBindingSeen).toBeUndefined();
    expect(await signIn(PLAIN)).toEqual({});
    // SCRAM used again pins it again.
    await signIn(SCRAM);
    expect(await signIn(SCRAM)).toEqual({ requireScram: true });
  });

  it('accepting PLAIN when the server signed in with SCRAM after all keeps the SCRAM pin', async () => {
    const { settings, signIn } = await setUp();
    await signIn(SCRAM);
    await signIn(SCRAM, { acceptPlainLogin: true });
    expect(settings.settingsOf(JID).scramSeen).toBe(true);
  });

  it('accepting no channel binding keeps the SCRAM pin: the password is still never sent', async () => {
    const { settings, signIn } = await setUp();
    await signIn(PLUS);
    expect(await signIn(SCRAM, { acceptNoChannelBinding: true })).toEqual({ requireScram: true });
    expect(settings.settingsOf(JID)).toMatchObject({ scramSeen: true });
    expect(settings.settingsOf(JID).channelBindingSeen).toBeUndefined();
    expect(await signIn(SCRAM)).toEqual({ requireScram: true });
  });

  it('the pins stay in main: the remembered account shown to the window has neither', async () => {
    const { accounts, signIn } = await setUp();
    await signIn(PLUS);
    const [shown] = accounts.remembered();
    expect(shown).toBeDefined();
    expect(Object.keys(shown ?? {})).not.toContain('scramSeen');
    expect(Object.keys(shown ?? {})).not.toContain('channelBindingSeen');
  });
});
