import { afterEach, describe, expect, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { AccountSession } from '../../main/xmpp/session.js';
import type { ConnectionState } from '../../contract/index.js';
import { freshAccount } from '../support/accounts.js';
import { KeyringError } from '../../main/errors.js';

const sessions: AccountSession[] = [];
function newSession(): { session: AccountSession; states: ConnectionState[] } {
  const events = new AppEvents();
  const states: ConnectionState[] = [];
  events.subscribe((event, payload) => {
    if (event === 'account:state') states.push(payload as ConnectionState);
  });
  const session = new AccountSession({ events, log: silentLogger });
  sessions.push(session);
  return { session, states };
}

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.disconnect()));
});

describe('connecting to the real Prosody over STARTTLS', () => {
  it('logs in trusting the test CA and finds PEP with publish-options on the bare JID', async () => {
    const juliet = await freshAccount('juliet');
    const { session, states } = newSession();

    const state = await session.connect(juliet);
    expect(state.status).toBe('online');
    expect(state.boundJid).toMatch(new RegExp(`^${juliet.jid}/keyring-[0-9a-f]{8}$`));
    expect(states.map((s) => s.status)).toEqual(['connecting', 'online']);

    const support = await session.checkSupport();
    // Prosody answers for PEP on the account's bare JID (docs/servers.md), which we ask first.
    expect(support.queried).toBe(juliet.jid);
    expect(support.pep).toBe(true);
    expect(support.publishOptions).toBe(true);
    expect(support.pubsubFeatures).toContain('publish-options');
    // Prosody 0.12 advertises only its default model (access-presence), though it accepts open and
    // whitelist too: advertised features are a floor, not the whole set.
    expect(support.accessModels).toContain('presence');
    // The server names itself (XEP-0092), and the report says what was measured on that software.
    expect(support.software).toMatchObject({ name: 'Prosody', version: expect.stringMatching(/^0\.12\./) as string });
    expect(support.notifications).toEqual({
      remoteContacts: 'delivered',
      whitelistMembers: 'delivered',
      retractions: 'delivered',
      measuredOn: 'Prosody 0.12',
    });
  });

  it('refuses the server when its CA is not trusted, without falling back to no verification', async () => {
    const juliet = await freshAccount('juliet');
    const { session, states } = newSession();
    const { caFile: _ignored, ...withoutCa } = juliet;

    const error = await session.connect(withoutCa).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).code).toBe('tls-untrusted');
    expect(states.at(-1)?.status).toBe('failed');
    expect(session.state.error?.code).toBe('tls-untrusted');
  });

  it('tells a wrong password apart from an unreachable server', async () => {
    const juliet = await freshAccount('juliet');
    const wrong = await newSession().session.connect({ ...juliet, password: 'not-the-password' }).catch((e: unknown) => e);
    expect((wrong as KeyringError).code).toBe('auth-failed');

    const dead = await newSession().session.connect({ ...juliet, port: 1 }).catch((e: unknown) => e);
    expect((dead as KeyringError).code).toBe('server-unreachable');
  });
});
