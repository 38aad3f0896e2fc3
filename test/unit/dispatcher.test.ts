import { describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../main/ipc/dispatcher.js';
import { KeyringError } from '../../main/errors.js';
import { ADDRESS_WORDS, type ConnectionState, type Handlers } from '../../contract/index.js';

const offline: ConnectionState = { status: 'offline' };
const TOFU = { policy: 'tofu' as const, policySource: 'account' as const, mismatches: [] };
const notConnected = () => Promise.reject(new KeyringError('not-connected', 'Connect first.'));

type Overrides = { [D in keyof Handlers]?: Partial<Handlers[D]> };

function handlers(overrides: Overrides = {}): Handlers {
  const table: Handlers = {
    app: { getInfo: () => Promise.resolve({ name: 'Keyring for XMPP', version: '0.0.0', host: 'browser' }) },
    account: {
      connect: () => Promise.resolve({ status: 'online', account: 'juliet@capulet.lit' }),
      disconnect: () => Promise.resolve(offline),
      getState: () => Promise.resolve(offline),
      checkSupport: notConnected,
      saved: () => Promise.resolve([]),
      connectSaved: () => Promise.reject(new KeyringError('not-found', 'No remembered password.')),
      forget: () => Promise.resolve([]),
      remembered: () => Promise.resolve([]),
      inspectCa: () => Promise.reject(new KeyringError('invalid-argument', 'The CA file cannot be read (ENOENT).', 'caFile')),
      setLastScreen: () => Promise.resolve(null),
      reconnectNow: () => Promise.resolve(offline),
    },
    vault: {
      status: () => Promise.resolve({ open: false, exists: false }),
      unlock: () => Promise.resolve({ open: true, exists: true, protection: 'passphrase' }),
    },
    keys: {
      generate: () => Promise.reject(new KeyringError('vault-locked', 'Unlock first.')),
      list: () => Promise.resolve([]),
      import: () => Promise.reject(new KeyringError('invalid-argument', 'Not a PEM or PKCS#12 file.')),
      publish: notConnected,
      retract: () => Promise.resolve({ outcome: 'retracted', keys: [] }),
      exportCertificate: ({ fingerprint }) => Promise.resolve({ fingerprint }),
      rename: () => Promise.resolve([]),
      delete: () => Promise.resolve({ retracted: false, keys: [] }),
      audience: () => Promise.resolve({ source: 'saved', publishedKeys: 0 }),
      renew: notConnected,
      revoke: notConnected,
    },
    backup: { create: notConnected, restore: notConnected, status: () => Promise.resolve({ notBackedUp: [], backups: [] }), fileSaved: notConnected },
    contacts: {
      fetchKeys: ({ jid }) => Promise.resolve({ jid, fetch: 'none', keys: [], invalid: [], changes: [], ...TOFU }),
      knownKeys: ({ jid }) => Promise.resolve({ jid, fetch: 'cached', keys: [], invalid: [], changes: [], ...TOFU }),
      verify: ({ jid, claim }) =>
        Promise.resolve({ outcome: 'mismatch', offered: claim.fingerprint, view: { jid, fetch: 'ok', keys: [], invalid: [], changes: [], ...TOFU } }),
      verifyQrImage: () => Promise.reject(new KeyringError('invalid-argument', 'No QR code was found in the picture.')),
      unverify: ({ jid }) => Promise.resolve({ jid, fetch: 'ok', keys: [], invalid: [], changes: [], ...TOFU }),
      accept: ({ jid }) => Promise.resolve({ jid, fetch: 'ok', keys: [], invalid: [], changes: [], ...TOFU }),
      setPolicy: ({ jid, policy }) => Promise.resolve({ jid, fetch: 'ok', keys: [], invalid: [], changes: [], ...TOFU, policy: policy ?? 'tofu' }),
      accountPolicy: () => Promise.resolve('tofu'),
      setAccountPolicy: ({ policy }) => Promise.resolve(policy),
      fetchProfile: ({ jid }) => Promise.resolve({ jid, origin: 'fetch', updated: [], sources: [] }),
      fetchAvatar: ({ jid }) => Promise.resolve({ jid, origin: 'fetch', updated: [], sources: [] }),
    },
    devices: {
      fetchContact: ({ jid }) => Promise.resolve({ jid, sources: [], keys: [], leftOut: 0, mismatches: [] }),
      own: () => Promise.resolve({ jid: 'juliet@capulet.lit', sources: [], keys: [], leftOut: 0, mismatches: [] }),
      removeOwn: notConnected,
      verify: notConnected,
      unverify: notConnected,
      accept: notConnected,
    },
    roster: {
      list: () => Promise.resolve([]),
      saved: () => Promise.resolve(null),
      add: () => Promise.resolve({ outcome: 'done', contacts: [] }),
      setGroups: () => Promise.resolve({ outcome: 'done', contacts: [] }),
      remove: () => Promise.resolve({ outcome: 'done', contacts: [] }),
      requests: () => Promise.resolve([]),
      answer: () => Promise.resolve([]),
    },
    queue: {
      list: () => Promise.resolve([]),
      cancel: () => Promise.resolve([]),
    },
    drift: { status: () => Promise.resolve({ nodes: [] }), check: notConnected, restore: notConnected, accept: notConnected },
    profile: { get: notConnected, publish: notConnected, previewAvatar: notConnected, setAvatar: notConnected },
  };
  for (const [domain, group] of Object.entries(overrides)) Object.assign(table[domain as keyof Handlers], group);
  return table;
}

describe('the IPC dispatcher', () => {
  it('answers a valid request with the handler result', async () => {
    const dispatch = createDispatcher(handlers(), { logError: () => {} });
    await expect(dispatch('app:getInfo', undefined)).resolves.toEqual({
      ok: true,
      value: { name: 'Keyring for XMPP', version: '0.0.0', host: 'browser' },
    });
  });

  it('refuses unknown channels and non-string channel names', async () => {
    const dispatch = createDispatcher(handlers(), { logError: () => {} });
    const names = ['fs:readFile', '__proto__', 'constructor', 'app:__proto__', 'app:constructor', 'hasOwnProperty:call', 'app:getInfo:x', 'app:', ':getInfo', 'app'];
    for (const channel of [...names, 42, null, { toString: () => 'app:getInfo' }]) {
      const result = await dispatch(channel, undefined);
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    }
  });

  it('validates parameters before the handler sees them, naming the bad field', async () => {
    const connect = vi.fn(() => Promise.resolve(offline));
    const dispatch = createDispatcher(handlers({ account: { connect } }), { logError: () => {} });
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
    const dispatch = createDispatcher(handlers(), { logError: () => {} });
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
    const dispatch = createDispatcher(handlers(), { logError: () => {} });
    await expect(dispatch('app:getInfo', { sneaky: 1 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
  });

  it('passes a KeyringError through as a typed error value', async () => {
    const dispatch = createDispatcher(handlers(), { logError: () => {} });
    await expect(dispatch('account:checkSupport', undefined)).resolves.toEqual({
      ok: false,
      error: { code: 'not-connected', message: 'Connect first.' },
    });
  });

  it('reports an unexpected failure as internal, logs it, and leaks none of its details', async () => {
    const logError = vi.fn();
    const dispatch = createDispatcher(
      handlers({ account: { getState: () => Promise.reject(new Error('secret path /home/juliet/.keys')) } }),
      { logError },
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
    const dispatch = createDispatcher(handlers({ keys: { exportCertificate } }), { logError: () => {} });
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
    const dispatch = createDispatcher(handlers(), { logError: () => {} });
    await expect(dispatch(channel, params)).resolves.toMatchObject({ ok: false, error: { code: 'invalid-argument', field } });
  });
});
