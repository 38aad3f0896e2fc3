import type { AppInfo, VaultStatus } from '../../preload/contract.js';
import type { ContactKeys } from '../services/contact-keys.js';
import type { OwnKeys } from '../services/own-keys.js';
import type { PublishQueue } from '../services/publish-queue.js';
import type { Accounts } from '../services/accounts.js';
import type { RosterService } from '../services/roster-service.js';
import type { ProfileService } from '../services/profile.js';
import type { VaultHolder } from '../services/vault-holder.js';
import type { AccountSession } from '../xmpp/session.js';
import type { RequestHandlers } from './dispatcher.js';

export interface HandlerDeps {
  appInfo: AppInfo;
  session: AccountSession;
  vaults: VaultHolder;
  ownKeys: OwnKeys;
  contactKeys: ContactKeys;
  queue: PublishQueue;
  accounts: Accounts;
  roster: RosterService;
  profile: ProfileService;
}

/** What each request does, in one table; arguments arrive already validated by the dispatcher. */
export function createHandlers({ appInfo, session, vaults, ownKeys, contactKeys, queue, accounts, roster, profile }: HandlerDeps): RequestHandlers {
  const vaultStatus = async (): Promise<VaultStatus> => {
    const keychain = vaults.keychainAvailable;
    if (!vaults.isOpen) {
      const exists = await vaults.exists();
      return vaults.tampered ? { open: false, exists, keychain, tampered: vaults.tampered } : { open: false, exists, keychain };
    }
    const vault = vaults.vault;
    return vault.recovery
      ? { open: true, exists: true, keychain, protection: vault.protection, recovered: vault.recovery.reason }
      : { open: true, exists: true, keychain, protection: vault.protection };
  };
  return {
    'app:getInfo': () => Promise.resolve(appInfo),
    'account:connect': async (params) => accounts.connect(params),
    'account:saved': () => Promise.resolve(accounts.saved()),
    'account:connectSaved': async ({ jid }) => accounts.connectSaved(jid),
    'account:forget': async ({ jid }) => accounts.forget(jid),
    'account:disconnect': async () => session.disconnect(),
    'account:getState': () => Promise.resolve(session.state),
    'account:checkSupport': async () => session.checkSupport(),
    'vault:status': () => vaultStatus(),
    'vault:unlock': async ({ passphrase, useBackup }) => {
      await vaults.unlock(passphrase, useBackup);
      return vaultStatus();
    },
    'keys:generate': async (params) => ownKeys.generate(params),
    'keys:list': () => Promise.resolve(ownKeys.list()),
    'keys:import': async ({ files, password }) =>
      ownKeys.import(
        files.map((f) => Buffer.from(f, 'base64')),
        password,
      ),
    'keys:publish': async ({ fingerprint, access, reconfigure }) => ownKeys.publish(fingerprint, access, reconfigure ?? false),
    'keys:retract': async ({ fingerprint }) => {
      await ownKeys.retract(fingerprint);
      return ownKeys.list();
    },
    'keys:exportCertificate': ({ fingerprint, format }) => Promise.resolve(ownKeys.exportCertificate(fingerprint, format)),
    'contacts:fetchKeys': async ({ jid }) => contactKeys.fetch(jid),
    'contacts:markVerified': async ({ jid, fingerprint }) => contactKeys.markVerified(jid, fingerprint),
    'roster:add': async (contact) => roster.add(contact),
    'roster:setGroups': async ({ jid, groups }) => roster.setGroups(jid, groups),
    'roster:remove': async ({ jid }) => roster.remove(jid),
    'subscriptions:pending': () => Promise.resolve(roster.pending()),
    'subscriptions:answer': async ({ jid, approve }) => roster.answer(jid, approve),
    'queue:list': () => Promise.resolve(queue.list()),
    'queue:add': async (action) => queue.add(action),
    'queue:cancel': async ({ id }) => queue.cancel(id),
    'roster:list': async () => roster.list(),
    'profile:get': async () => profile.own(),
    'profile:publish': async ({ profile: fields, access, reconfigure }) => profile.publish(fields, access, { reconfigure: reconfigure ?? false }),
    'profile:setAvatar': async ({ dataBase64, mime, access, reconfigure }) =>
      profile.setAvatar(Buffer.from(dataBase64, 'base64'), mime, access, { reconfigure: reconfigure ?? false }),
    'contacts:fetchProfile': async ({ jid, avatarData }) => profile.fetch(jid, avatarData === undefined ? {} : { avatarData }),
  };
}
