/**
 * Signing in, and what the app remembers of each account (main/vault/stores/account-settings-store.ts):
 * its server settings, the CA file it trusted and that file's fingerprint, when it last signed in,
 * the screen the user was on; the password only through the OS keychain, and only when asked.
 *
 * A CA file is trusted on first use, its fingerprint shown (inspectCa); a later sign-in whose CA file
 * holds other certificates is refused ('ca-changed', naming both fingerprints) until the user accepts
 * the new one, so a swapped file cannot quietly let another server stand in for the user's own.
 *
 * How the account signed in is pinned the same way (pinsFor): a later offer weaker than SCRAM, or than
 * SCRAM -PLUS, is refused before the password or any login is sent, until the user accepts it.
 */
import { jid as parseJid } from '@xmpp/client';
import type { CaFileView, ConnectParams, ConnectionState, RememberedAccountView, SavedAccountView } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import { caFileFingerprint, sameCaFingerprint } from '../keys/ca-fingerprint.js';
import type { AccountSettings, AccountSettingsStore } from '../vault/stores/account-settings-store.js';
import { readCaFile, type SignInOptions } from '../xmpp/session.js';
import type { SignInPort } from './session-port.js';

export interface AccountsDeps {
  settings: AccountSettingsStore;
  session: SignInPort;
  /** The account the app works for now (services/working-account.ts): never one that only tried to sign in. */
  currentAccount: () => string | undefined;
  /** Names the account to work for offline (services/working-account.ts). */
  workOffline: (jid: string) => void;
}

export class Accounts {
  readonly #deps: AccountsDeps;

  constructor(deps: AccountsDeps) {
    this.#deps = deps;
  }

  async connect(params: ConnectParams): Promise<ConnectionState> {
    const { remember, acceptCaFingerprint, acceptNoChannelBinding, acceptPlainLogin, ...connect } = params;
    // Refuse before connecting: a password the user asked to keep must not be silently forgotten.
    if (remember && !this.#deps.settings.canRemember) {
      throw new KeyringError('keychain-unavailable', 'No secure OS keychain here, so the password cannot be remembered.', 'remember');
    }
    const known = bareOf(connect.jid);
    // Read once: the certificates whose fingerprint is checked are the ones the connection trusts.
    const ca = connect.caFile ? await this.#checkCa(known, connect.caFile, acceptCaFingerprint) : undefined;
    const caFingerprint = ca?.fingerprint;
    const pins = pinsFor(known !== undefined ? this.#deps.settings.settingsOf(known) : {}, { acceptNoChannelBinding, acceptPlainLogin });
    const state = await this.#deps.session.connect(connect, { ...pins, ...(ca ? { caPem: ca.pem } : {}) });
    const jid = this.#deps.session.ownJid;
    const login = this.#deps.session.lastLogin;
    const bound = login?.channelBinding?.startsWith('p=') === true;
    const scram = login?.mechanism.startsWith('SCRAM-') === true;
    const used: AccountSettings = {
      ...(connect.host ? { host: connect.host } : {}),
      ...(connect.port ? { port: connect.port } : {}),
      ...(connect.caFile ? { caFile: connect.caFile } : {}),
      ...(caFingerprint ? { caFingerprint } : {}),
    };
    const notUsed: (keyof AccountSettings)[] = (['host', 'port', 'caFile', 'caFingerprint'] as const).filter((key) => used[key] === undefined);
    // Signed in with less on the user's word: forget that requirement, so the next sign-in (and every
    // reconnect) does not refuse again; it is set again the first time the stronger login is used.
    // Accepting PLAIN accepts no binding too (PLAIN cannot be bound).
    if ((acceptNoChannelBinding === true || acceptPlainLogin === true) && !bound) notUsed.push('channelBindingSeen');
    if (acceptPlainLogin === true && !scram) notUsed.push('scramSeen');
    const seen: AccountSettings = { ...(bound ? { channelBindingSeen: true } : {}), ...(scram ? { scramSeen: true } : {}) };
    await this.#deps.settings.update(jid, { ...used, lastSignIn: new Date().toISOString(), ...seen }, notUsed);
    if (remember && this.#deps.settings.isOpen) {
      await this.#deps.settings.remember(jid, used, connect.password); // never logged
    }
    return state;
  }

  /** Accounts with a remembered password, for one-click sign-in. */
  saved(): SavedAccountView[] {
    return this.#deps.settings.saved().map(({ jid, settings: s }) => ({
      jid,
      ...(s.host !== undefined ? { host: s.host } : {}),
      ...(s.port !== undefined ? { port: s.port } : {}),
      ...(s.caFile !== undefined ? { caFile: s.caFile } : {}),
    }));
  }

  /** Every account signed in to before, most recent first (the sign-in form fills itself from the first). */
  remembered(): RememberedAccountView[] {
    return this.#deps.settings.remembered().map(({ jid, settings, passwordSaved }) => {
      const { channelBindingSeen: _binding, scramSeen: _scram, ...shown } = settings;
      return { jid, ...shown, passwordSaved };
    });
  }

  async connectSaved(jid: string): Promise<ConnectionState> {
    const saved = this.#deps.settings.signIn(jid);
    if (!saved) throw new KeyringError('not-found', `No remembered password for ${jid}.`, 'jid');
    const { host, port, caFile } = saved.settings;
    return this.connect({ jid, password: saved.password, ...(host ? { host } : {}), ...(port ? { port } : {}), ...(caFile ? { caFile } : {}) });
  }

  async forget(jid: string): Promise<SavedAccountView[]> {
    await this.#deps.settings.forget(jid);
    return this.saved();
  }

  /** What a CA file holds and its fingerprint, for the user to compare before trusting it. */
  async inspectCa(path: string): Promise<CaFileView> {
    return caFileFingerprint(await readCaFile(path));
  }

  async setLastScreen(screen: string): Promise<null> {
    const jid = this.#deps.currentAccount();
    // The same screen again writes nothing: each write is the whole vault.
    if (jid !== undefined && this.#deps.settings.settingsOf(jid).lastScreen !== screen) await this.#deps.settings.update(jid, { lastScreen: screen });
    return null;
  }

  /**
   * After the vault opens: with no one signed in yet, the app works offline for the account used last,
   * so its keys, last roster and known contacts' keys are there before any sign-in.
   */
  resumeLastAccount(): void {
    if (this.#deps.currentAccount() !== undefined) return;
    const last = this.#deps.settings.remembered()[0];
    if (last) this.#deps.workOffline(last.jid);
  }

  /** The CA file's text and fingerprint, refused when it differs from the one trusted before and not accepted now. */
  async #checkCa(jid: string | undefined, path: string, accepted: string | undefined): Promise<{ pem: string; fingerprint: string }> {
    const pem = await readCaFile(path);
    const { fingerprint } = caFileFingerprint(pem);
    const trusted = jid !== undefined ? this.#deps.settings.settingsOf(jid).caFingerprint : undefined;
    if (trusted !== undefined && !sameCaFingerprint(trusted, fingerprint) && !(accepted !== undefined && sameCaFingerprint(accepted, fingerprint))) {
      throw new KeyringError(
        'ca-changed',
        `The CA certificate file changed since you trusted it for ${jid}: it was SHA-256 ${trusted}, it is now SHA-256 ${fingerprint}. ` +
          'Trust the new one only if you expected this change (a new certificate from your server’s admin).',
        'caFile',
      );
    }
    return { pem, fingerprint };
  }
}

/**
 * What the account's earlier sign-ins require of this one, less what the user accepted to do without.
 * Once the server offered SCRAM -PLUS, an offer without it is refused (a stripped offer); once the
 * account signed in with SCRAM (-PLUS is SCRAM too, so records from before scramSeen count), an offer
 * of PLAIN alone is refused before the password is sent. Records with neither pin nothing.
 */
export function pinsFor(
  remembered: Pick<AccountSettings, 'channelBindingSeen' | 'scramSeen'>,
  accepted: Pick<ConnectParams, 'acceptNoChannelBinding' | 'acceptPlainLogin'>,
): Pick<SignInOptions, 'requireChannelBinding' | 'requireScram'> {
  const plainAccepted = accepted.acceptPlainLogin === true;
  const requireChannelBinding = remembered.channelBindingSeen === true && accepted.acceptNoChannelBinding !== true && !plainAccepted;
  const requireScram = (remembered.scramSeen === true || remembered.channelBindingSeen === true) && !plainAccepted;
  return { ...(requireChannelBinding ? { requireChannelBinding } : {}), ...(requireScram ? { requireScram } : {}) };
}

/** The bare JID as the session will name the account; undefined when malformed (the session says why). */
function bareOf(text: string): string | undefined {
  try {
    const parsed = parseJid(text);
    return parsed.local ? parsed.bare().toString() : undefined;
  } catch {
    return undefined;
  }
}
