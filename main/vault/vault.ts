/**
 * The vault: everything the app keeps on disk for the user, in one encrypted-where-it-matters file.
 * Public data (certificates, contacts' keys, settings) is stored as is; secrets (private keys, the saved
 * password) are sealed (secret-box.ts). Every change is applied to a copy, written atomically, and only
 * then becomes the state in memory, so a failed write (full disk) changes nothing.
 *
 * Writes are group-committed: changes that arrive while a write is in flight (or in the short pause
 * after it) are applied together and saved by the next single write, whose success resolves each of
 * them. A burst of changes (fetching many contacts) thus costs a few writes of the whole file, not one
 * per change, while every change still resolves only once it is on disk.
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
/**
 * After a write, the next one waits this many times as long as the last one took, so that writing takes
 * at most a fifth of the time during a burst. An update arriving when the vault is idle is written at once.
 */
const WRITE_PAUSE_FACTOR = 4;

interface PendingUpdate {
  change: (draft: VaultDocument) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
const CHECK_PLAINTEXT = Buffer.from('keyring-for-xmpp vault v1');

export class Vault {
  #document: VaultDocument;
  readonly #box: SecretBox;
  readonly #path: string;
  readonly #keychain: OsKeychain | undefined;
  /** Changes waiting for the next write, in the order they were asked for. */
  #pending: PendingUpdate[] = [];
  /** Whether the loop that writes pending changes is running (it stops when none are left). */
  #writing = false;
  /** performance.now() before which the next write waits (see WRITE_PAUSE_FACTOR). */
  #nextWriteAt = 0;
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
   * is on disk. Returns what `change` returned. Changes apply in the order asked, each seeing the ones
   * before it; several may share one write (group commit), and if that write fails, each of them fails
   * with 'storage-failed' and none is applied.
   *
   * `change` may only modify the draft and return a value: if another change of its group throws or
   * breaks the document, the group is applied again one change at a time, so that only the faulty one
   * fails, and `change` then runs a second time.
   */
  update<T>(change: (draft: VaultDocument) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ change, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#writing) {
        this.#writing = true;
        void this.#writePending();
      }
    });
  }

  async #writePending(): Promise<void> {
    try {
      // Changes asked for in the same turn of the event loop go into the same write.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.#pending.length > 0) {
        const wait = this.#nextWriteAt - performance.now();
        if (wait > 0) await new Promise<void>((resolve) => setTimeout(resolve, wait));
        const group = this.#pending.splice(0);
        const started = performance.now();
        // #commit settles every promise itself; this only guards against the unforeseen.
        await this.#commit(group).catch((error: unknown) => group.forEach((update) => update.reject(error)));
        const finished = performance.now();
        this.#nextWriteAt = finished + (finished - started) * WRITE_PAUSE_FACTOR;
      }
    } finally {
      this.#writing = false;
    }
  }

  /** Applies a group of changes to one copy, writes it once, and settles each change's promise. */
  async #commit(group: PendingUpdate[]): Promise<void> {
    const draft = structuredClone(this.#document);
    let results: unknown[];
    let checked: VaultDocument;
    try {
      results = group.map((update) => update.change(draft));
      checked = parseVaultDocument(draft);
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      // Which change failed is unknown, and the copy may be half changed: one at a time, on fresh copies.
      for (const update of group) await this.#commit([update]);
      return;
    }
    try {
      await writeVaultFile(this.#path, checked);
    } catch (error) {
      for (const update of group) update.reject(error);
      return;
    }
    this.#document = checked;
    group.forEach((update, index) => update.resolve(results[index]));
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
