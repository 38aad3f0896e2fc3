/**
 * The vault: everything the app keeps on disk for the user, in one encrypted-where-it-matters file.
 * Public data (certificates, contacts' keys, settings) is stored as is; secrets (private keys, the saved
 * password) are sealed (secret-box.ts). Every change is applied to a copy, written atomically, and only
 * then becomes the state in memory, so a failed write (full disk) changes nothing.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyringError } from '../errors.js';
import { SecretBox, DEFAULT_SCRYPT, type ScryptParams } from './secret-box.js';
import { parseVaultDocument, type AccountRecord, type VaultDocument } from './schema.js';
import { readVaultFile, writeVaultFile } from './vault-file.js';

/** The OS keychain as main sees it (Electron safeStorage behind main/electron/keychain.ts). */
export interface OsKeychain {
  /** False when there is no keychain, or only an insecure one (Linux 'basic_text'). */
  isAvailable(): boolean;
  encrypt(plain: Buffer): Buffer;
  decrypt(sealed: Buffer): Buffer;
}

export interface OpenVaultOptions {
  dir: string;
  keychain?: OsKeychain;
  /** Needed for a passphrase-protected vault, or to create one where no keychain is available. */
  passphrase?: string;
  /** scrypt work factor for a new passphrase vault (tests use lighter settings). */
  scrypt?: Omit<ScryptParams, 'salt'>;
}

export interface VaultRecovery {
  reason: string;
  setAsideAs: string;
}

export const VAULT_FILE = 'vault.json';
const CHECK_PURPOSE = 'keyring-vault-check';
const CHECK_PLAINTEXT = Buffer.from('keyring-for-xmpp vault v1');

export class Vault {
  #document: VaultDocument;
  readonly #box: SecretBox;
  readonly #path: string;
  readonly #keychain: OsKeychain | undefined;
  /** Writes run one after another; each sees the result of the previous one. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Set when opening had to fall back to the backup copy. */
  readonly recovery: VaultRecovery | undefined;

  private constructor(path: string, document: VaultDocument, box: SecretBox, keychain?: OsKeychain, recovery?: VaultRecovery) {
    this.#path = path;
    this.#document = document;
    this.#box = box;
    this.#keychain = keychain;
    this.recovery = recovery;
  }

  static async open(options: OpenVaultOptions): Promise<Vault> {
    const path = join(options.dir, VAULT_FILE);
    // Only the user may list or enter the folder that holds the vault and its backups.
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const { document, recovered } = await readVaultFile(path, parseVaultDocument);
    const recovery = recovered ? { reason: recovered.reason, setAsideAs: recovered.setAsideAs } : undefined;
    if (document) {
      const box = await unlock(document, options);
      const vault = new Vault(path, document, box, options.keychain, recovery);
      // Write the recovered state back so the main file is good again.
      if (recovery) await writeVaultFile(path, document);
      return vault;
    }
    const { protection, box } = await newProtection(options);
    const fresh: VaultDocument = { protection, accounts: {} };
    await writeVaultFile(path, fresh);
    return new Vault(path, fresh, box, options.keychain);
  }

  get protection(): VaultDocument['protection']['kind'] {
    return this.#document.protection.kind;
  }

  /** A read-only view; change it through update(). */
  get document(): Readonly<VaultDocument> {
    return this.#document;
  }

  account(jid: string): Readonly<AccountRecord> | undefined {
    return this.#document.accounts[jid];
  }

  /**
   * Applies `change` to a copy of the document and saves it; the copy becomes the state only once it
   * is on disk. Returns what `change` returned.
   */
  update<T>(change: (draft: VaultDocument) => T): Promise<T> {
    const run = this.#queue.then(async () => {
      const draft = structuredClone(this.#document);
      const result = change(draft);
      const checked = parseVaultDocument(draft);
      await writeVaultFile(this.#path, checked);
      this.#document = checked;
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Seals a secret for storage; `purpose` binds it to its use (e.g. `private-key:<fingerprint>`). */
  seal(plain: Buffer, purpose: string): { data: string } {
    return this.#box.seal(plain, purpose);
  }

  /** Opens a sealed secret. The result is key material: never log it, never send it over IPC. */
  open(sealed: { data: string }, purpose: string): Buffer {
    return this.#box.open(sealed, purpose);
  }

  /** The account password can only be remembered through the OS keychain, never in the file itself. */
  sealPassword(password: string): { data: string } {
    const keychain = this.#requireKeychain();
    return { data: keychain.encrypt(Buffer.from(password, 'utf8')).toString('base64') };
  }

  openPassword(sealed: { data: string }): string {
    const keychain = this.#requireKeychain();
    try {
      return keychain.decrypt(Buffer.from(sealed.data, 'base64')).toString('utf8');
    } catch {
      throw new KeyringError('keychain-unavailable', 'The OS keychain could not decrypt the saved password.');
    }
  }

  #requireKeychain(): OsKeychain {
    if (!this.#keychain?.isAvailable()) {
      throw new KeyringError(
        'keychain-unavailable',
        'No secure OS keychain is available, so the password cannot be remembered.',
      );
    }
    return this.#keychain;
  }
}

async function unlock(document: VaultDocument, options: OpenVaultOptions): Promise<SecretBox> {
  const protection = document.protection;
  if (protection.kind === 'keychain') {
    if (!options.keychain?.isAvailable()) {
      throw new KeyringError('keychain-unavailable', 'This vault is protected by the OS keychain, which is not available now.');
    }
    let key: Buffer;
    try {
      key = options.keychain.decrypt(Buffer.from(protection.wrappedKey, 'base64'));
    } catch {
      throw new KeyringError('keychain-unavailable', 'The OS keychain could not unlock the vault.');
    }
    return SecretBox.fromKey(key);
  }
  if (options.passphrase === undefined) {
    throw new KeyringError('vault-locked', 'Enter the vault passphrase to unlock your keys.');
  }
  const box = await SecretBox.fromPassphrase(options.passphrase, protection.kdf);
  box.open(protection.check, CHECK_PURPOSE); // throws 'wrong-passphrase'
  return box;
}

async function newProtection(
  options: OpenVaultOptions,
): Promise<{ protection: VaultDocument['protection']; box: SecretBox }> {
  if (options.passphrase === undefined && options.keychain?.isAvailable()) {
    const key = SecretBox.randomKey();
    const wrappedKey = options.keychain.encrypt(key).toString('base64');
    return { protection: { kind: 'keychain', wrappedKey }, box: SecretBox.fromKey(key) };
  }
  if (options.passphrase === undefined) {
    throw new KeyringError('vault-locked', 'No OS keychain is available: choose a passphrase to protect your keys.');
  }
  if (options.passphrase.length < 8) {
    throw new KeyringError('invalid-argument', 'Choose a passphrase of at least 8 characters.', 'passphrase');
  }
  const kdf = SecretBox.newScryptParams(options.scrypt ?? DEFAULT_SCRYPT);
  const box = await SecretBox.fromPassphrase(options.passphrase, kdf);
  return { protection: { kind: 'passphrase', kdf, check: box.seal(CHECK_PLAINTEXT, CHECK_PURPOSE) }, box };
}
