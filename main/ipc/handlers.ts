import type { AppInfo, Handlers, VaultStatus } from '../../contract/index.js';
import type { BackupService } from '../services/backup.js';
import type { ContactKeys } from '../services/contact-keys.js';
import type { OtherAppKeys } from '../services/other-app-keys.js';
import type { DriftWatch } from '../services/drift-watch.js';
import type { OwnKeys } from '../services/own-keys.js';
import type { PublishQueue } from '../services/publish-queue.js';
import type { Accounts } from '../services/accounts.js';
import type { RosterService } from '../services/roster-service.js';
import type { ProfileService } from '../services/profile.js';
import type { RosterReach } from '../services/roster-reach.js';
import type { VaultHolder } from '../vault/vault-holder.js';
import type { AccountSession } from '../xmpp/session.js';
import type { WorkingAccount } from '../services/working-account.js';
import { refuseOwnAddressOnWhitelist } from '../xmpp/persistent-node.js';
import { NS } from '../xmpp/namespaces.js';

export interface HandlerDeps {
  appInfo: AppInfo;
  session: AccountSession;
  /** The connection's state as the windows see it: the account the app works for (services/working-account.ts). */
  working: WorkingAccount;
  vaults: VaultHolder;
  ownKeys: OwnKeys;
  backup: BackupService;
  contactKeys: ContactKeys;
  otherKeys: OtherAppKeys;
  queue: PublishQueue;
  accounts: Accounts;
  roster: RosterService;
  profile: ProfileService;
  drift: DriftWatch;
  /** Says which roster groups of a publish's audience nobody is in (services/roster-reach.ts). */
  reach: RosterReach;
}

/**
 * What each request does, in one table grouped like the contract; arguments arrive already validated.
 * Every front end (the window, the browser host, the `keyring` CLI through core.api) asks through it,
 * so a check that needs the account (an audience naming the account itself) is made here, once,
 * before anything is queued, noted or sent.
 */
export function createHandlers({ appInfo, session, working, vaults, ownKeys, backup, contactKeys, otherKeys, queue, accounts, roster, profile, drift, reach }: HandlerDeps): Handlers {
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
    app: {
      getInfo: () => Promise.resolve(appInfo),
    },
    account: {
      // Each answer is the state as it is once the request is done, named by the working account.
      connect: async (params) => {
        await accounts.connect(params);
        return working.state;
      },
      saved: () => Promise.resolve(accounts.saved()),
      connectSaved: async ({ jid }) => {
        await accounts.connectSaved(jid);
        return working.state;
      },
      forget: async ({ jid }) => accounts.forget(jid),
      remembered: () => Promise.resolve(accounts.remembered()),
      inspectCa: async ({ path }) => accounts.inspectCa(path),
      setLastScreen: async ({ screen }) => accounts.setLastScreen(screen),
      disconnect: async () => {
        await session.disconnect();
        return working.state;
      },
      getState: () => Promise.resolve(working.state),
      reconnectNow: () => {
        session.reconnectNow();
        return Promise.resolve(working.state);
      },
      checkSupport: async () => session.checkSupport(),
    },
    vault: {
      status: () => vaultStatus(),
      unlock: async ({ passphrase, useBackup }) => {
        await vaults.unlock(passphrase, useBackup);
        accounts.resumeLastAccount();
        return vaultStatus();
      },
    },
    keys: {
      generate: async (params) => ownKeys.generate(params),
      list: () => Promise.resolve(ownKeys.list()),
      import: async ({ files, password }) =>
        ownKeys.import(
          files.map((f) => Buffer.from(f, 'base64')),
          password,
        ),
      // Now when online, queued otherwise (PublishQueue decides); with the key list as it now stands.
      // Drift watch holds its own checks while the app itself changes a node (services/drift-watch.ts).
      // Published to roster groups, the answer says which of them nobody is in (services/roster-reach.ts),
      // here, so that every front end says it.
      publish: async ({ fingerprint, access, reconfigure }) => {
        refuseOwnAddressOnWhitelist(access, working.state.account, NS.pubkey);
        const answer = await drift.whilePublishing(() => queue.publish(fingerprint, access, reconfigure ?? false));
        return {
          ...(answer.outcome === 'published' ? { ...answer, config: await reach.note(answer.config) } : answer),
          keys: ownKeys.list(),
        };
      },
      retract: async ({ fingerprint }) => ({ ...(await drift.whilePublishing(() => queue.retract(fingerprint))), keys: ownKeys.list() }),
      // The revocation goes where the key was: to an empty group, it reaches nobody either.
      revoke: async ({ fingerprint, reason }) => {
        const answer = await drift.whilePublishing(() => queue.revoke(fingerprint, reason));
        return { ...(answer.outcome === 'revoked' && answer.config ? { ...answer, config: await reach.note(answer.config) } : answer), keys: ownKeys.list() };
      },
      rename: async ({ fingerprint, label }) => ownKeys.rename(fingerprint, label),
      delete: async ({ fingerprint }) => {
        const { retracted } = await drift.whilePublishing(() => ownKeys.delete(fingerprint));
        queue.announce(); // the key's waiting actions went with it
        return { retracted, keys: ownKeys.list() };
      },
      audience: async () => ownKeys.audience(),
      renew: async ({ fingerprint, newKey }) => {
        const outcome = await drift.whilePublishing(() => ownKeys.renew(fingerprint, { newKey: newKey ?? false }));
        return { ...outcome, ...(outcome.config ? { config: await reach.note(outcome.config) } : {}), keys: ownKeys.list() };
      },
      exportCertificate: ({ fingerprint, format }) => Promise.resolve(ownKeys.exportCertificate(fingerprint, format)),
    },
    backup: {
      // The vault passphrase, when given, is handed on to be checked; never logged.
      create: async (options) => backup.create(options),
      // The code is handed on as typed (backup-code.ts reads it); never logged.
      restore: async ({ from, code, replace }) =>
        backup.restore(from.kind === 'file' ? { kind: 'file', data: Buffer.from(from.dataBase64, 'base64') } : from, code, replace ?? false),
      status: () => Promise.resolve(backup.status()),
      fileSaved: ({ backupId }) => backup.fileSaved(backupId),
    },
    contacts: {
      fetchKeys: async ({ jid }) => contactKeys.fetch(jid),
      knownKeys: ({ jid }) => Promise.resolve({ ...contactKeys.known(jid), fetch: 'cached' as const }),
      verify: async ({ jid, claim }) => contactKeys.verify(jid, claim),
      verifyQrImage: async ({ jid, dataBase64 }) => contactKeys.verifyQrImage(jid, Buffer.from(dataBase64, 'base64')),
      unverify: async ({ jid, fingerprint }) => contactKeys.unverify(jid, fingerprint),
      accept: async ({ jid, fingerprint }) => contactKeys.accept(jid, fingerprint),
      setPolicy: async ({ jid, policy }) => contactKeys.setPolicy(jid, policy),
      accountPolicy: () => Promise.resolve(contactKeys.accountPolicy()),
      setAccountPolicy: async ({ policy }) => contactKeys.setAccountPolicy(policy),
      fetchProfile: async ({ jid, avatarData }) => profile.fetch(jid, avatarData === undefined ? {} : { avatarData }),
      fetchAvatar: async ({ jid, id }) => profile.fetchAvatar(jid, id),
    },
    devices: {
      fetchContact: async ({ jid }) => otherKeys.fetch(jid),
      own: async () => otherKeys.own(),
      removeOwn: async ({ protocol, deviceId }) => otherKeys.removeOwnDevice(protocol, deviceId),
      verify: async ({ jid, fingerprint }) => otherKeys.verify(jid, fingerprint),
      unverify: async ({ jid, fingerprint }) => otherKeys.unverify(jid, fingerprint),
      accept: async ({ jid, fingerprint }) => otherKeys.accept(jid, fingerprint),
    },
    roster: {
      list: async (params) => roster.list(params ?? {}),
      saved: () => Promise.resolve(roster.saved() ?? null),
      // Now when online, queued otherwise (PublishQueue decides).
      add: async (contact) => queue.addContact(contact),
      setGroups: async ({ jid, groups }) => queue.setContactGroups(jid, groups),
      remove: async ({ jid }) => queue.removeContact(jid),
      requests: () => Promise.resolve(roster.requests()),
      answer: async ({ jid, approve }) => roster.answer(jid, approve),
    },
    queue: {
      list: () => Promise.resolve(queue.list()),
      cancel: async ({ id }) => queue.cancel(id),
    },
    profile: {
      get: async () => profile.own(),
      // Now when online, queued otherwise (PublishQueue decides).
      publish: async ({ profile: fields, base, access, reconfigure }) => {
        refuseOwnAddressOnWhitelist(access, working.state.account, NS.vcard4);
        profile.checkPhones(fields);
        const answer = await drift.whilePublishing(() => queue.publishProfile(fields, access, reconfigure ?? false, base));
        return answer.outcome === 'published' ? { ...answer, configs: await reach.noteAll(answer.configs) } : answer;
      },
      previewAvatar: async ({ dataBase64, crop }) => {
        const preview = await profile.previewAvatar(Buffer.from(dataBase64, 'base64'), crop);
        return { dataBase64: preview.png.toString('base64'), type: 'image/png', width: preview.width, height: preview.height, bytes: preview.png.length, id: preview.id };
      },
      setAvatar: async ({ dataBase64, crop, access, reconfigure }) => {
        refuseOwnAddressOnWhitelist(access, working.state.account, NS.avatarMetadata);
        const result = await drift.whilePublishing(() =>
          profile.setAvatar(Buffer.from(dataBase64, 'base64'), access, { reconfigure: reconfigure ?? false, ...(crop ? { crop } : {}) }),
        );
        return { ...result, configs: await reach.noteAll(result.configs) };
      },
    },
    drift: {
      status: () => Promise.resolve(drift.status()),
      check: async () => drift.check(),
      restore: async ({ node }) => drift.restore(node),
      accept: async ({ node }) => drift.accept(node),
    },
  };
}
