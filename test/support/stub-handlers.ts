/**
 * A whole handler table that answers without a core: each test replaces the handlers it is about
 * (`stubHandlers({ keys: { publish } })`), for a dispatcher made in a unit test.
 */
import { KeyringError } from '../../main/errors.js';
import type { ConnectionState, Handlers } from '../../contract/index.js';

const offline: ConnectionState = { status: 'offline' };
const TOFU = { policy: 'tofu' as const, policySource: 'account' as const, mismatches: [] };
const notConnected = () => Promise.reject(new KeyringError('not-connected', 'Connect first.'));

export type Overrides = { [D in keyof Handlers]?: Partial<Handlers[D]> };

export function stubHandlers(overrides: Overrides = {}): Handlers {
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
      requests: () => Promise.resolve({ jids: [], notShown: 0 }),
      answer: () => Promise.resolve({ jids: [], notShown: 0 }),
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
