import type { AppInfo, VaultStatus } from '../../preload/contract.js';
import type { ContactKeys } from '../services/contact-keys.js';
import type { OwnKeys } from '../services/own-keys.js';
import type { VaultHolder } from '../services/vault-holder.js';
import { fetchRoster } from '../xmpp/roster.js';
import type { AccountSession } from '../xmpp/session.js';
import type { RequestHandlers } from './dispatcher.js';

export interface HandlerDeps {
  appInfo: AppInfo;
  session: AccountSession;
  vaults: VaultHolder;
  ownKeys: OwnKeys;
  contactKeys: ContactKeys;
}

/** What each request does, in one table; arguments arrive already validated by the dispatcher. */
export function createHandlers({ appInfo, session, vaults, ownKeys, contactKeys }: HandlerDeps): RequestHandlers {
  const vaultStatus = (): VaultStatus => {
    if (!vaults.isOpen) return { open: false };
    const vault = vaults.vault;
    return vault.recovery
      ? { open: true, protection: vault.protection, recovered: vault.recovery.reason }
      : { open: true, protection: vault.protection };
  };
  return {
    'app:getInfo': () => Promise.resolve(appInfo),
    'account:connect': async (params) => session.connect(params),
    'account:disconnect': async () => session.disconnect(),
    'account:getState': () => Promise.resolve(session.state),
    'account:checkSupport': async () => session.checkSupport(),
    'vault:status': () => Promise.resolve(vaultStatus()),
    'vault:unlock': async ({ passphrase }) => {
      await vaults.unlock(passphrase);
      return vaultStatus();
    },
    'keys:generate': async (params) => ownKeys.generate(params),
    'keys:list': () => Promise.resolve(ownKeys.list()),
    'keys:publish': async ({ fingerprint, access, reconfigure }) => ownKeys.publish(fingerprint, access, reconfigure ?? false),
    'keys:retract': async ({ fingerprint }) => {
      await ownKeys.retract(fingerprint);
      return ownKeys.list();
    },
    'keys:exportCertificate': ({ fingerprint, format }) => Promise.resolve(ownKeys.exportCertificate(fingerprint, format)),
    'contacts:fetchKeys': async ({ jid }) => contactKeys.fetch(jid),
    'contacts:markVerified': async ({ jid, fingerprint }) => contactKeys.markVerified(jid, fingerprint),
    'roster:list': async () =>
      (await fetchRoster(session.client.iqCaller)).map((item) => ({
        jid: item.jid,
        ...(item.name ? { name: item.name } : {}),
        groups: item.groups,
        subscription: item.subscription,
        pending: item.ask === 'subscribe',
      })),
  };
}
