import { describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../main/ipc/dispatcher.js';
import { ADDRESS_WORDS, CONTRACT, requestSpec, type ConnectionState, type RequestChannel } from '../../contract/index.js';
import { stubHandlers as handlers } from '../support/stub-handlers.js';

const offline: ConnectionState = { status: 'offline' };
/** A dispatcher's options for a core working for `account` (none by default), whose failures need no log. */
const quiet = (account?: string) => ({ logError: () => {}, workingAccount: () => account });

describe('the IPC dispatcher', () => {
  it('answers a valid request with the handler result', async () => {
    const dispatch = createDispatcher(handlers(), quiet());
    await expect(dispatch('app:getInfo', undefined)).resolves.toEqual({
      ok: true,
      value: { name: 'Keyring for XMPP', version: '0.0.0', host: 'browser' },
    });
  });

  it('refuses unknown channels and non-string channel names', async () => {
    const dispatch = createDispatcher(handlers(), quiet());
    const names = ['fs:readFile', '__proto__', 'constructor', 'app:__proto__', 'app:constructor', 'hasOwnProperty:call', 'app:getInfo:x', 'app:', ':getInfo', 'app'];
    for (const channel of [...names, 42, null, { toString: () => 'app:getInfo' }]) {
      const result = await dispatch(channel, undefined);
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    }
  });

  it('validates parameters before the handler sees them, naming the bad field', async () => {
    const connect = vi.fn(() => Promise.resolve(offline));
    const dispatch = createDispatcher(handlers({ account: { connect } }), quiet());
    const cases: [unknown, string | undefined][] = [
      [undefined, undefined],
      ['juliet@capulet.lit', undefined],
      [{ jid: 'juliet@capulet.lit' }, 'password'],
      [{ jid: 5, password: 'x' }, 'jid'],
      [{ jid: 'juliet@capulet.lit/balcony', password: 'x' }, 'jid'],
      [{ jid: 'juliet@capulet.lit', password: 'x', port: 70000 }, 'port'],
      [{ jid: 'juliet@capulet.lit', password: 'x', port: '5222' }, 'port'],
      [{ jid: 'juliet@capulet.lit', password: 'x'.repeat(2000) }, 'password'],
    ];
    for (const [params, field] of cases) {
      const result = await dispatch('account:connect', params);
      expect(result.ok, JSON.stringify(params)).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('invalid-argument');
        expect(result.error.field).toBe(field);
      }
    }
    // Unknown keys are refused too: nothing unexpected reaches a handler.
    const extra = await dispatch('account:connect', { jid: 'juliet@capulet.lit', password: 'x', admin: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(connect).not.toHaveBeenCalled();
  });

  it('words a refusal for a person: the field beside the sentence, never the validation library\'s text', async () => {
    const dispatch = createDispatcher(handlers(), quiet());
    const cases: [string, unknown, string, string][] = [
      ['vault:unlock', { passphrase: '' }, 'passphrase', 'Enter your vault passphrase'],
      ['account:connect', { jid: 'juliet@capulet.lit/balcony', password: 'x' }, 'jid', ADDRESS_WORDS.resource],
      ['account:connect', { jid: 'not a valid jid@@', password: 'x' }, 'jid', ADDRESS_WORDS.shape],
      // RFC 7622 §3.2: what follows @ is a domain name (or an IP literal); a comma is no typo to connect with.
      ['account:connect', { jid: 'juliet@capulet,lit', password: 'x' }, 'jid', '“capulet,lit” is not a server name: after the @ come letters, digits and hyphens, in parts separated by dots, like capulet.lit'],
      ['account:connect', { jid: 'juliet@capulet.lit', password: 'x', host: 'xmpp,capulet.lit' }, 'host', 'Enter a server name like xmpp.capulet.lit (letters, digits and hyphens, in parts separated by dots), or an IP address'],
      ['account:connect', { jid: 'juliet@capulet.lit', password: 'x', port: 52.5 }, 'port', 'A port is a whole number'],
      // No words of its own in the contract: the general ones.
      ['queue:cancel', { id: '' }, 'id', 'This cannot be empty.'],
      ['queue:cancel', { id: 'x'.repeat(65) }, 'id', 'Use at most 64 characters.'],
      ['queue:cancel', {}, 'id', 'This is missing.'],
    ];
    for (const [channel, params, field, message] of cases) {
      const result = await dispatch(channel, params);
      expect(result, `${channel} ${JSON.stringify(params)}`).toEqual({ ok: false, error: { code: 'invalid-argument', message, field } });
    }
    // Whatever a hostile page sends, what comes back reads as a sentence, not as the library's report.
    const hostile: [string, unknown][] = [
      ['account:connect', { jid: 5, password: 'x' }],
      ['account:connect', { jid: 'juliet@capulet.lit', password: 'x', admin: true }],
      ['keys:publish', { fingerprint: 'ab'.repeat(32), access: { model: 'everyone' } }],
      ['app:getInfo', { sneaky: 1 }],
    ];
    for (const [channel, params] of hostile) {
      const result = await dispatch(channel, params);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).not.toMatch(/expected (string|number|object|array|boolean)|too small:|too big:|invalid input|unrecognized key|^\w+(\.\w+)*:/i);
    }
  });

  it('refuses parameters on requests that take none', async () => {
    const dispatch = createDispatcher(handlers(), quiet());
    await expect(dispatch('app:getInfo', { sneaky: 1 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
  });

  it('passes a KeyringError through as a typed error value', async () => {
    const dispatch = createDispatcher(handlers(), quiet());
    await expect(dispatch('account:checkSupport', undefined)).resolves.toEqual({
      ok: false,
      error: { code: 'not-connected', message: 'Connect first.' },
    });
  });

  it('reports an unexpected failure as internal, logs it, and leaks none of its details', async () => {
    const logError = vi.fn();
    const dispatch = createDispatcher(
      handlers({ account: { getState: () => Promise.reject(new Error('secret path /home/juliet/.keys')) } }),
      { ...quiet(), logError },
    );
    const result = await dispatch('account:getState', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('secret');
    expect(logError).toHaveBeenCalledWith('account:getState', expect.any(Error));
  });
});

describe('key requests', () => {
  const fp = 'ab'.repeat(32);

  it('normalise a fingerprint typed with spaces, colons or capitals before the handler sees it', async () => {
    const exportCertificate = vi.fn(({ fingerprint }: { fingerprint: string }) => Promise.resolve({ fingerprint }));
    const dispatch = createDispatcher(handlers({ keys: { exportCertificate } }), quiet());
    const grouped = fp.toUpperCase().match(/.{4}/g)?.join(' ') ?? '';
    await expect(dispatch('keys:exportCertificate', { fingerprint: grouped, format: 'pem' })).resolves.toEqual({
      ok: true,
      value: { fingerprint: fp },
    });
  });

  it.each([
    ['a short fingerprint', 'keys:retract', { fingerprint: 'abcd' }, 'fingerprint'],
    ['a key size we do not make', 'keys:generate', { bits: 1024 }, 'bits'],
    ['an unknown access model', 'keys:publish', { fingerprint: fp, access: { model: 'everyone' } }, 'access.model'],
    ['a contact address with a resource', 'contacts:fetchKeys', { jid: 'romeo@montague.lit/orchard' }, 'jid'],
    ['a whitelist entry that is not an address', 'keys:publish', { fingerprint: fp, access: { model: 'whitelist', allow: ['nobody'] } }, 'access.allow.0'],
  ])('refuse %s', async (_what, channel, params, field) => {
    const dispatch = createDispatcher(handlers(), quiet());
    await expect(dispatch(channel, params)).resolves.toMatchObject({ ok: false, error: { code: 'invalid-argument', field } });
  });
});

describe('a change asked for one account while the app works for another', () => {
  const ROMEO = 'romeo@montague.lit';
  const MERCUTIO = 'mercutio@verona.lit';
  const fp = 'ab'.repeat(32);

  it('is refused in words naming both accounts, and the handler never runs', async () => {
    const publish = vi.fn(() => Promise.resolve({ outcome: 'published' as const, configs: [], profile: { emails: [], phones: [], urls: [] } }));
    const verify = vi.fn(() => Promise.reject(new Error('never called')));
    const dispatch = createDispatcher(handlers({ profile: { publish }, contacts: { verify } }), quiet(MERCUTIO));

    // Window A still shows romeo: its Publish reached main after window B signed in to mercutio.
    const published = await dispatch('profile:publish', { profile: { nickname: 'Romeo M.' }, access: { model: 'presence' } }, { account: ROMEO });
    expect(published).toEqual({
      ok: false,
      error: { code: 'account-changed', message: `This was asked for ${ROMEO}, but the app now works for ${MERCUTIO}; nothing was done.` },
    });
    const verified = await dispatch('contacts:verify', { jid: 'juliet@capulet.lit', claim: fp }, { account: ROMEO });
    expect(verified).toMatchObject({ ok: false, error: { code: 'account-changed' } });
    // A window that showed no account yet is no window of mercutio's either.
    const unnamed = await dispatch('profile:publish', { profile: { nickname: 'Romeo M.' }, access: { model: 'presence' } }, { account: undefined });
    expect(unnamed).toEqual({
      ok: false,
      error: { code: 'account-changed', message: `This was asked in a window that showed no account, but the app now works for ${MERCUTIO}; nothing was done.` },
    });
    expect(publish).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
  });

  it('goes through when the window names the account the app works for, however it spells it', async () => {
    const publish = vi.fn(() => Promise.resolve({ outcome: 'published' as const, configs: [], profile: { emails: [], phones: [], urls: [] } }));
    const dispatch = createDispatcher(handlers({ profile: { publish } }), quiet(MERCUTIO));
    const answer = await dispatch('profile:publish', { profile: { nickname: 'Mercutio' }, access: { model: 'presence' } }, { account: MERCUTIO.toUpperCase() });
    expect(answer).toEqual({ ok: true, value: { outcome: 'published', configs: [], profile: { emails: [], phones: [], urls: [] } } });
    expect(publish).toHaveBeenCalledOnce();
  });

  it('is asked of every change of an account’s data, and of no read nor sign-in', () => {
    const forAccount = (Object.keys(CONTRACT) as (keyof typeof CONTRACT)[])
      .flatMap((domain) => Object.keys(CONTRACT[domain].requests).map((name) => `${domain}:${name}`))
      .filter((channel) => requestSpec(channel)?.forAccount);
    expect(forAccount.sort()).toEqual(
      [
        ...['keys:generate', 'keys:import', 'keys:rename', 'keys:delete', 'keys:publish', 'keys:retract', 'keys:renew', 'keys:revoke'],
        ...['backup:create', 'backup:restore'],
        ...['contacts:verify', 'contacts:verifyQrImage', 'contacts:unverify', 'contacts:accept', 'contacts:setPolicy', 'contacts:setAccountPolicy'],
        ...['devices:removeOwn', 'devices:verify', 'devices:unverify', 'devices:accept'],
        ...['roster:add', 'roster:setGroups', 'roster:remove', 'roster:answer'],
        ...['queue:cancel', 'profile:publish', 'profile:setAvatar', 'drift:restore', 'drift:accept'],
      ].sort(),
    );
  });

  it('a read, a sign-in or the vault is answered whatever account the window names', async () => {
    const dispatch = createDispatcher(handlers(), quiet(MERCUTIO));
    const reads: [RequestChannel, unknown][] = [
      ['app:getInfo', undefined],
      ['keys:list', undefined],
      ['contacts:knownKeys', { jid: 'juliet@capulet.lit' }],
      ['account:connect', { jid: ROMEO, password: 'x' }],
      ['vault:status', undefined],
    ];
    for (const [channel, params] of reads) expect(await dispatch(channel, params, { account: ROMEO }), channel).toMatchObject({ ok: true });
  });

  it('from the core’s own callers (a `keyring` command, which owns its core) names no account and is not checked', async () => {
    const retract = vi.fn(() => Promise.resolve({ outcome: 'retracted' as const, keys: [] }));
    const dispatch = createDispatcher(handlers({ keys: { retract } }), quiet(MERCUTIO));
    expect(await dispatch('keys:retract', { fingerprint: fp })).toMatchObject({ ok: true });
    expect(retract).toHaveBeenCalledOnce();
  });

  it('refuses an account that is not an address, for any request', async () => {
    const dispatch = createDispatcher(handlers(), quiet(MERCUTIO));
    for (const account of [42, {}, 'x'.repeat(4000), 'not an address']) {
      expect(await dispatch('app:getInfo', undefined, { account }), JSON.stringify(account).slice(0, 20)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    }
  });
});
