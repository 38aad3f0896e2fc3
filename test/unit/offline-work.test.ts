/**
 * Work that needs no network runs without signing in (issue 14.6): a core that names its account
 * for offline work makes, lists and exports own keys, shows the roster and contacts' keys the vault
 * saved, and still refuses what needs the server with 'not-connected'. No server runs here: any
 * request that tried to reach one would fail.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openCore, type OpenCore } from '../support/app.js';

const opened: OpenCore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.stop()));
});

async function offlineCore(jid?: string): Promise<OpenCore> {
  const app = await openCore();
  opened.push(app);
  if (jid) app.core.workOffline(jid);
  return app;
}

describe('offline work for a named account', () => {
  it('makes, lists and exports a key without signing in; the certificate names the account', async () => {
    const { core } = await offlineCore('Juliet@Capulet.lit');
    const generated = await core.api.keys.generate({ bits: 2048, validityDays: 30 });
    expect(generated.ok).toBe(true);
    if (!generated.ok) return;
    const listed = await core.api.keys.list();
    expect(listed).toMatchObject({ ok: true, value: [{ fingerprint: generated.value.fingerprint }] });
    const exported = await core.api.keys.exportCertificate({ fingerprint: generated.value.fingerprint, format: 'pem' });
    expect(exported.ok && exported.value.pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(core.session.state.status).toBe('offline');
  });

  it('answers the saved roster and known keys from the vault, and nothing before any was saved', async () => {
    const { core } = await offlineCore('juliet@capulet.lit');
    expect(await core.api.roster.saved()).toEqual({ ok: true, value: null });
    expect(await core.api.roster.list()).toEqual({ ok: true, value: [] });
    expect(await core.api.contacts.knownKeys({ jid: 'romeo@montague.lit' })).toMatchObject({
      ok: true,
      value: { jid: 'romeo@montague.lit', fetch: 'cached', keys: [] },
    });
  });

  it('keeps a write for the connection, and refuses a question for the server with not-connected', async () => {
    const { core } = await offlineCore('juliet@capulet.lit');
    const added = await core.api.roster.add({ jid: 'romeo@montague.lit', groups: [] });
    expect(added.ok ? added.value.outcome : added.error.code).toBe('queued');
    const support = await core.api.account.checkSupport();
    expect(support.ok ? 'answered' : support.error.code).toBe('not-connected');
  });

  it('without an account named or signed in, key generation says to sign in', async () => {
    const { core } = await offlineCore();
    const generated = await core.api.keys.generate({ bits: 2048 });
    expect(generated.ok ? 'made' : generated.error.code).toBe('not-connected');
  });

  it('refuses a malformed address for offline work', async () => {
    const { core } = await offlineCore();
    expect(() => core.workOffline('not an address')).toThrow(/valid XMPP address|like juliet@capulet.lit/);
  });
});
