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
 *
 * A change confined to one part of the document (one contact's keys: updatePart) copies and checks only
 * that part; the rest of the new state shares the old one's untouched objects. Copying and checking the
 * whole document (2.6 MB with 2,000 contacts) cost ~45 ms of the event loop per write.
 *
 * Every document the vault holds or writes is deep-frozen (deep-freeze.ts): changes go to copies only,
 * and writing reuses the serialized bytes of the parts a change did not touch (json-chunks.ts), which
 * would be stale were a held document changed in place. Such a change now throws instead.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { KeyringError } from '../errors.js';
import { removeDeadWritersLeftovers } from './atomic-file.js';
import { deepFreeze } from './deep-freeze.js';
import { diskTroubleAdvice, diskTroubleWords, isDiskError } from './disk-trouble.js';
import { SecretBox, DEFAULT_SCRYPT, type ScryptParams } from './secret-box.js';
import { parseVaultDocument, type AccountRecord, type VaultDocument } from './schema.js';
import { lockVault, type VaultLock, type VaultProcessKind } from './vault-lock.js';
import {
  readVaultBackup,
  readVaultFile,
  setAside,
  VAULT_VERSION,
  writeVaultFile,
  type Authenticator,
  type Integrity,
} from './vault-file.js';

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
  /**
   * Open the backup copy when the vault file does not check out (VaultTamperedError with
   * `backupAvailable`); the changed file is set aside, never deleted. Ignored when the file checks out.
   */
  useBackup?: boolean;
  /** Which front end opens it: named to a second process that finds the vault taken (vault-lock.ts). */
  processKind?: VaultProcessKind;
}

export interface VaultRecovery {
  reason: string;
  setAsideAs: string;
}

/**
 * The vault file does not authenticate under the vault key: someone without the passphrase or keychain
 * changed it. Nothing in it was used. `backupAvailable`: the backup copy does authenticate.
 */
export class VaultTamperedError extends KeyringError {
  constructor(
    message: string,
    readonly backupAvailable: boolean,
  ) {
    super('vault-tampered', message);
    this.name = 'VaultTamperedError';
  }
}

export const VAULT_FILE = 'vault.json';
/** The window's words when no passphrase came (exported: the keyring command says its own, KEYRING_PASSPHRASE). */
export const VAULT_LOCKED_WORDS = {
  locked: 'Enter the vault passphrase to unlock your keys.',
  noKeychain: 'No OS keychain is available: choose a passphrase to protect your keys.',
} as const;
const CHECK_PURPOSE = 'keyring-vault-check';
/** What the document MAC (vault-file.ts) is for; the MAC key is derived from the vault key with it. */
const DOCUMENT_MAC_PURPOSE = 'vault-document';

/*
 * Why a file rewritten in the old format (version 1, no MAC) cannot be used to get around the MAC.
 *
 * Version 1 files must still open (an existing vault), and their envelope carries no MAC, so the envelope
 * alone cannot tell "made before the MAC existed" from "a version 2 file an attacker relabelled as 1 and
 * edited". What tells them apart is bound to the vault key, which the attacker does not have:
 * - a passphrase vault's check value is sealed (AES-GCM under the vault key) over the text
 *   CHECK_PLAINTEXT_V1 before the upgrade and CHECK_PLAINTEXT from then on;
 * - a keychain vault's key is wrapped by the OS keychain as the bare 32 bytes before the upgrade and
 *   as KEY_WRAP_V2 ‖ key from then on.
 * Neither can be made without the passphrase or the keychain, and both are in the protection block,
 * which the version 2 MAC covers too. A version 1 file opens only when its marker is the old one; the
 * first open upgrades the marker and writes the file twice, so that the `.bak` copy (which writes keep)
 * holds version 2 as well and the app itself leaves no copy behind that opens without a MAC.
 * What remains: a copy of the file taken *before* the upgrade can be put back, as any old copy of any
 * file could be (rolled back); from the upgrade on, every edit needs the vault key.
 */
const CHECK_PLAINTEXT_V1 = Buffer.from('keyring-for-xmpp vault v1');
const CHECK_PLAINTEXT = Buffer.from('keyring-for-xmpp vault v2');
const KEY_WRAP_V2 = Buffer.from('keyring-for-xmpp vault key v2:');
/**
 * After a write, the next one waits this many times as long as the last one held the event loop
 * (applying, checking, serializing and sealing; not the disk's own time, which runs beside it), so that
 * writing holds the event loop at most a fifth of the time. An update arriving when the vault is idle
 * is written at once.
 */
const WRITE_PAUSE_FACTOR = 4;
/**
 * During a burst (a write that carried several changes, or while which more arrived: a bulk fetch of
 * contacts' keys), the factor doubles at each write up to this, so a long burst costs few whole-file
 * writes (with 2,000 contacts each one is ~30 ms of CPU): writing then holds the event loop ~3% of the
 * time, and a change waits at most 32 times a write's own cost (~0.5 s with 2,000 contacts) before its
 * write begins. A short burst barely grows it. A write of a single change with nothing more waiting
 * ends the burst: the factor is back to WRITE_PAUSE_FACTOR, so a person's change when the vault is
 * idle (a verify, an accept) is written at once, as before; one made within the last pause of a burst
 * waits for the rest of it (under 0.5 s), since more of the burst may still be coming, unless the
 * burst's maker said it is over (endOfBurst: a bulk fetch whose answers are all in), which ends the
 * burst there and then.
 */
const BURST_PAUSE_FACTOR_MAX = 32;
/**
 * In a burst, a pause lasts at least this long. What a write holds the event loop is not all it costs:
 * the bytes are hashed, MAC'd and written after that, and its garbage is collected later. Since the
 * file is written in pieces (json-chunks.ts), a write of 2,000 contacts holds the loop ~6 ms while
 * costing the process ~16 ms of CPU, so pauses of 32 × 6 ms made 19–27 writes of a 4 s bulk fetch
 * (issue 19's bench, "Storing"). A burst whose maker says it is over (endOfBurst) is still written at
 * once, and a single change when the vault is idle too.
 */
const BURST_PAUSE_MIN_MS = 250;
/** However large the vault, a change in a burst waits at most this long before its write begins. */
const WRITE_PAUSE_MAX_MS = 500;

/**
 * A change to one part of the document: the value under `key` in the object reached from the document
 * through the keys in `parent`. Only that value is copied and checked (with `schema`) when the change is
 * applied. `change` gets a copy of the current value (undefined when there is none) and returns the new
 * value and its result; like any change, it may run twice.
 */
export interface PartChange<P, T> {
  parent: readonly string[];
  key: string;
  schema: z.ZodType<P>;
  change: (current: P | undefined) => { value: P; result: T };
}

interface PendingUpdate {
  /** The change on the whole document (always there: the way every change can be applied). */
  change: (draft: VaultDocument) => unknown;
  /** The same change confined to one part, when it is (updatePart). */
  part?: PartChange<unknown, unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Protection = VaultDocument['protection'];

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
  /** The next pause's multiple of the time a write held the event loop (grows during a burst). */
  #pauseFactor = WRITE_PAUSE_FACTOR;
  /** Ends the pause under way at once (endOfBurst). */
  #wake: (() => void) | undefined;
  /**
   * Set by endOfBurst: the pause after the write in flight (if any) is skipped. Without it, a burst
   * said over while a write was under way still paused after that write (the pause is set when a write
   * ends), and its last changes waited up to WRITE_PAUSE_MAX_MS.
   */
  #burstOver = false;
  /** How long the current group's commit has held the event loop so far (ms). */
  #heldMs = 0;
  /** Set when opening had to fall back to the backup copy. */
  readonly recovery: VaultRecovery | undefined;
  /** This process's hold on the vault file (vault-lock.ts), given up by close(). */
  #lock: VaultLock | undefined;
  /** The loop writing pending changes, while it runs (close() waits for it). */
  #writeLoop: Promise<void> | undefined;
  #closed = false;

  private constructor(path: string, document: VaultDocument, box: SecretBox, keychain?: OsKeychain, recovery?: VaultRecovery) {
    this.#path = path;
    this.#document = deepFreeze(document);
    this.#box = box;
    this.#keychain = keychain;
    this.recovery = recovery;
  }

  /**
   * Opens (or creates) the vault in `options.dir`, holding it for this process until close(): while
   * another process holds it, refuses with 'vault-in-use' before reading or writing anything, since each
   * of two processes would write its own copy over the other's changes (vault-lock.ts).
   */
  static async open(options: OpenVaultOptions): Promise<Vault> {
    try {
      return await Vault.#open(options);
    } catch (error) {
      // The folder, the lock file beside the vault or a file set aside could not be made (a full or
      // read-only disk): said in words, never as the system's code or the app's "something went wrong".
      if (error instanceof KeyringError || !isDiskError(error)) throw error;
      throw new KeyringError(
        'storage-failed',
        `Could not open the vault in ${options.dir} (${diskTroubleWords(error)}). ${diskTroubleAdvice(error)}`,
        undefined,
        { cause: error },
      );
    }
  }

  static async #open(options: OpenVaultOptions): Promise<Vault> {
    const path = join(options.dir, VAULT_FILE);
    // Only the user may list or enter the folder that holds the vault and its backups.
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const lock = await lockVault(path, options.processKind);
    try {
      const vault = await Vault.#openLocked(path, options);
      vault.#lock = lock;
      return vault;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  static async #openLocked(path: string, options: OpenVaultOptions): Promise<Vault> {
    // A writer killed mid-write left a whole copy of the vault beside it; the next open tidies it.
    await removeDeadWritersLeftovers(path);
    const unlocker = new Unlocker(options);
    try {
      return await Vault.#openMain(path, options, unlocker);
    } catch (error) {
      if (!(options.useBackup && error instanceof VaultTamperedError && error.backupAvailable)) throw error;
    }
    return Vault.#openBackupInstead(path, options, unlocker);
  }

  /**
   * Writes what is pending, then gives up this process's hold on the vault file, so that another process
   * may open it. Changes asked for after this are refused ('vault-locked').
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // What waits is written now, without the pause kept for a burst.
    this.endOfBurst();
    await this.#writeLoop;
    await this.#lock?.release();
  }

  static async #openMain(path: string, options: OpenVaultOptions, unlocker: Unlocker): Promise<Vault> {
    const { document, integrity, recovered } = await readVaultFile(path, parseVaultDocument);
    if (document === undefined || integrity === undefined) {
      const { protection, box } = await newProtection(options);
      const fresh: VaultDocument = deepFreeze({ protection, accounts: {} });
      await writeVaultFile(path, fresh, documentMac(box));
      return new Vault(path, fresh, box, options.keychain);
    }
    let opened: Authenticated;
    try {
      // Only the protection block is used before the MAC has been checked: it is what unlocks.
      opened = await authenticate(document, integrity, unlocker);
    } catch (error) {
      // A lock that the passphrase (or keychain) no longer opens, while the backup's still does, was changed.
      if (recovered === undefined && error instanceof KeyringError && (await backupChecksOut(path, unlocker, document.protection))) {
        throw tamperedError('its lock was replaced', true);
      }
      throw error;
    }
    if (!opened.ok) {
      // If the file was damaged, the copy just read *is* the backup: there is no other to offer.
      throw tamperedError(opened.reason, recovered === undefined && (await backupChecksOut(path, unlocker)));
    }
    const recovery = recovered ? { reason: recovered.reason, setAsideAs: recovered.setAsideAs } : undefined;
    return Vault.#ready(path, opened, options, recovery, recovery !== undefined);
  }

  /** The user chose the backup over a main file that does not check out: set that file aside, use the backup. */
  static async #openBackupInstead(path: string, options: OpenVaultOptions, unlocker: Unlocker): Promise<Vault> {
    const { document, integrity } = await readVaultBackup(path, parseVaultDocument);
    if (document === undefined || integrity === undefined) throw new KeyringError('vault-corrupt', 'There is no backup copy of the vault.');
    const opened = await authenticate(document, integrity, unlocker);
    if (!opened.ok) throw tamperedError(`the backup copy: ${opened.reason}`, false);
    let setAsideAs = '';
    try {
      setAsideAs = await setAside(path, 'tampered');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // With the main file gone, the write below keeps the backup as it is (atomic-file.ts backs up only an existing file).
    return Vault.#ready(path, opened, options, { reason: 'the vault file was changed outside the app; the backup copy was opened', setAsideAs }, true);
  }

  /** The authenticated vault; written back when recovered or when its format must be upgraded. */
  static async #ready(path: string, opened: Authenticated & { ok: true }, options: OpenVaultOptions, recovery: VaultRecovery | undefined, write: boolean): Promise<Vault> {
    const mac = documentMac(opened.box);
    if (opened.upgrade) {
      const upgraded: VaultDocument = deepFreeze({ ...opened.document, protection: opened.upgrade() });
      // Twice: the first write makes the old-format file `.bak`, the second replaces that backup (see above).
      await writeVaultFile(path, upgraded, mac);
      await writeVaultFile(path, upgraded, mac);
      return new Vault(path, upgraded, opened.box, options.keychain, recovery);
    }
    // Write the recovered state back so the main file is good again.
    if (write) await writeVaultFile(path, deepFreeze(opened.document), mac);
    return new Vault(path, opened.document, opened.box, options.keychain, recovery);
  }

  get protection(): VaultDocument['protection']['kind'] {
    return this.#document.protection.kind;
  }

  /**
   * Whether `passphrase` is this vault's: the key it derives with the vault's own scrypt parameters is
   * the vault key (compared in constant time). Nothing is opened, written or changed; it costs what one
   * unlock's scrypt costs, and answers false at once for a keychain vault (it has no passphrase) or an
   * empty one. For asking the passphrase again before private keys leave the vault (services/backup.ts).
   * The passphrase is never logged.
   */
  async isPassphrase(passphrase: string): Promise<boolean> {
    const protection = this.#document.protection;
    if (protection.kind !== 'passphrase' || passphrase.length === 0) return false;
    const candidate = await SecretBox.fromPassphrase(passphrase, protection.kdf);
    return candidate.sameKey(this.#box);
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
    return this.#enqueue({ change }) as Promise<T>;
  }

  /**
   * update() for a change confined to one part of the document (PartChange): only that part is copied
   * and checked, so a burst of such changes (fetching 2,000 contacts' keys) does not copy and check the
   * whole document at every write. When the part's parent is missing (say, a new account), or another
   * change of its group needs the whole document, `whole` applies it instead: it must make the same
   * change on the whole document.
   */
  updatePart<P, T>(part: PartChange<P, T>, whole: (draft: VaultDocument) => T): Promise<T> {
    return this.#enqueue({ change: whole, part: part as PartChange<unknown, unknown> }) as Promise<T>;
  }

  #enqueue(update: Pick<PendingUpdate, 'change' | 'part'>): Promise<unknown> {
    // Closed: another process may hold the file now, and this copy would write over its changes.
    if (this.#closed) return Promise.reject(new KeyringError('vault-locked', 'The vault was closed: unlock your keys again.'));
    return new Promise<unknown>((resolve, reject) => {
      this.#pending.push({ ...update, resolve, reject });
      if (!this.#writing) {
        this.#writing = true;
        this.#writeLoop = this.#writePending();
      }
    });
  }

  async #writePending(): Promise<void> {
    try {
      // Changes asked for in the same turn of the event loop go into the same write.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.#pending.length > 0) {
        const wait = this.#nextWriteAt - performance.now();
        if (wait > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, wait);
            this.#wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.#wake = undefined;
        }
        const group = this.#pending.splice(0);
        this.#heldMs = 0;
        // #commit settles every promise itself; this only guards against the unforeseen.
        await this.#commit(group).catch((error: unknown) => group.forEach((update) => update.reject(error)));
        // A burst goes on: the pause grows at each write (BURST_PAUSE_FACTOR_MAX). Otherwise it is over.
        if (this.#burstOver) {
          // Its maker said the burst is over: what waits is the last of it, written now.
          this.#burstOver = false;
          this.#nextWriteAt = 0;
          continue;
        }
        const burst = group.length > 1 || this.#pending.length > 0;
        if (!burst) this.#pauseFactor = WRITE_PAUSE_FACTOR;
        const pause = Math.min(this.#heldMs * this.#pauseFactor, WRITE_PAUSE_MAX_MS);
        this.#nextWriteAt = performance.now() + (burst ? Math.max(pause, BURST_PAUSE_MIN_MS) : pause);
        if (burst) this.#pauseFactor = Math.min(this.#pauseFactor * 2, BURST_PAUSE_FACTOR_MAX);
      }
    } finally {
      this.#writing = false;
      this.#burstOver = false;
    }
  }

  /** Applies a group of changes to one copy, writes it once, and settles each change's promise. */
  async #commit(group: PendingUpdate[]): Promise<void> {
    const started = performance.now();
    let applied: { document: VaultDocument; results: unknown[] };
    try {
      applied = applyParts(this.#document, group) ?? applyWhole(this.#document, group);
    } catch (error) {
      this.#heldMs += performance.now() - started;
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      // Which change failed is unknown, and the copy may be half changed: one at a time, on fresh copies.
      for (const update of group) await this.#commit([update]);
      return;
    }
    // Frozen before it is written, so that its new parts' bytes are kept for the next write (only the
    // objects the group made are visited). Freezing, serializing and sealing happen before
    // writeVaultFile's first await: still the event loop's time.
    const written = writeVaultFile(this.#path, deepFreeze(applied.document), documentMac(this.#box));
    this.#heldMs += performance.now() - started;
    try {
      await written;
    } catch (error) {
      for (const update of group) update.reject(error);
      return;
    }
    this.#document = applied.document;
    group.forEach((update, index) => update.resolve(applied.results[index]));
  }

  /**
   * The burst that made the pending changes is over (a bulk fetch whose answers are all in): they are
   * written now, without the rest of the pause, which only waits for more of the burst. Its caller
   * waits on those writes: sign-in → every contact's keys stored ended up to 0.5 s late otherwise.
   */
  endOfBurst(): void {
    this.#nextWriteAt = 0;
    // Over: a person's next change is written at once, not after a burst's grown pause.
    this.#pauseFactor = WRITE_PAUSE_FACTOR;
    if (this.#writing) this.#burstOver = true;
    this.#wake?.();
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

/** The group's changes on a deep copy of the whole document, checked whole. */
function applyWhole(document: VaultDocument, group: readonly PendingUpdate[]): { document: VaultDocument; results: unknown[] } {
  const draft = structuredClone(document);
  const results = group.map((update) => update.change(draft));
  return { document: parseVaultDocument(draft), results };
}

/**
 * The group's changes when each is confined to a part (updatePart) whose parent exists: the objects on
 * the way to each part are copied shallowly, the part itself is copied (deeply) for its change and the
 * new value checked with the part's schema; everything else is shared with `document`, which stays as it
 * is. Undefined when the group needs the whole document.
 */
function applyParts(document: VaultDocument, group: readonly PendingUpdate[]): { document: VaultDocument; results: unknown[] } | undefined {
  if (!group.every((update) => update.part !== undefined && resolveParent(document, update.part.parent) !== undefined)) return undefined;
  const root = { ...document } as Record<string, unknown>;
  const copies = new Set<object>([root]);
  const results = group.map((update) => {
    const part = update.part as PartChange<unknown, unknown>;
    let container = root;
    for (const key of part.parent) {
      const child = ownValue(container, key) as Record<string, unknown>;
      if (copies.has(child)) {
        container = child;
        continue;
      }
      const copy = { ...child };
      copies.add(copy);
      setOwn(container, key, copy);
      container = copy;
    }
    const current = ownValue(container, part.key);
    const { value, result } = part.change(current === undefined ? undefined : structuredClone(current));
    setOwn(container, part.key, part.schema.parse(value));
    return result;
  });
  return { document: root as VaultDocument, results };
}

/** The plain object reached from `document` through `keys`, if each step is one. */
function resolveParent(document: VaultDocument, keys: readonly string[]): Record<string, unknown> | undefined {
  let node: unknown = document;
  for (const key of keys) {
    node = ownValue(node as Record<string, unknown>, key);
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
  }
  return node as Record<string, unknown>;
}

/** Own properties only: keys here can come from the network (contacts' addresses), '__proto__' included. */
function ownValue(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

/** What opening the vault key gives: the box, and whether the key-bound marker says "MAC required". */
interface Unlocked {
  box: SecretBox;
  /** False for a protection block made before the document MAC existed (version 1). */
  macRequired: boolean;
  /** For an old marker: the same protection with the new one (sealed or wrapped anew). */
  upgrade?: () => Protection;
}

type Authenticated =
  | { ok: true; document: VaultDocument; box: SecretBox; upgrade?: () => Protection }
  | { ok: false; reason: string };

/**
 * Unlocks each distinct protection block once per open (the main file and its backup usually share
 * one, and scrypt is slow on purpose).
 */
class Unlocker {
  readonly #options: OpenVaultOptions;
  readonly #tried = new Map<string, Promise<Unlocked>>();

  constructor(options: OpenVaultOptions) {
    this.#options = options;
  }

  unlock(protection: Protection): Promise<Unlocked> {
    const id = JSON.stringify(protection);
    let attempt = this.#tried.get(id);
    if (!attempt) {
      attempt = unlock(protection, this.#options);
      this.#tried.set(id, attempt);
    }
    return attempt;
  }
}

/**
 * Unlocks with the document's protection block, then checks the whole document against the vault key
 * before anything else in it is used. Throws what unlocking throws (wrong passphrase, no keychain).
 */
async function authenticate(document: VaultDocument, integrity: Integrity, unlocker: Unlocker): Promise<Authenticated> {
  const unlocked = await unlocker.unlock(document.protection);
  if (integrity.version >= 2) {
    if (integrity.mac === undefined || !unlocked.box.verify(integrity.signed, DOCUMENT_MAC_PURPOSE, integrity.mac)) {
      return { ok: false, reason: 'its seal does not match your vault key' };
    }
  } else if (unlocked.macRequired) {
    // A version 1 file (no MAC) whose key says it was already upgraded: a downgrade (see CHECK_PLAINTEXT).
    return { ok: false, reason: 'it was rewritten in an older format without a seal' };
  }
  const upgrade = integrity.version < VAULT_VERSION || !unlocked.macRequired ? unlocked.upgrade : undefined;
  return upgrade ? { ok: true, document, box: unlocked.box, upgrade } : { ok: true, document, box: unlocked.box };
}

/** Whether the backup copy opens and authenticates (optionally: only if its lock differs from `unlessLockIs`). */
async function backupChecksOut(path: string, unlocker: Unlocker, unlessLockIs?: Protection): Promise<boolean> {
  try {
    const { document, integrity } = await readVaultBackup(path, parseVaultDocument);
    if (document === undefined || integrity === undefined) return false;
    if (unlessLockIs !== undefined && JSON.stringify(document.protection) === JSON.stringify(unlessLockIs)) return false;
    return (await authenticate(document, integrity, unlocker)).ok;
  } catch {
    return false;
  }
}

function tamperedError(reason: string, backupAvailable: boolean): VaultTamperedError {
  return new VaultTamperedError(
    `The vault file was changed outside the app (${reason}), so it was not opened and nothing in it was used. ` +
      (backupAvailable
        ? 'The backup copy from before the last save checks out: you can open it instead (the changed file is kept aside).'
        : 'No backup copy checks out either; the file was left as it is.'),
    backupAvailable,
  );
}

const documentMac =
  (box: SecretBox): Authenticator =>
  (signed) =>
    box.authenticate(signed, DOCUMENT_MAC_PURPOSE);

async function unlock(protection: Protection, options: OpenVaultOptions): Promise<Unlocked> {
  if (protection.kind === 'keychain') {
    const keychain = options.keychain;
    if (!keychain?.isAvailable()) {
      throw new KeyringError('keychain-unavailable', 'This vault is protected by the OS keychain, which is not available now.');
    }
    let unwrapped: Buffer;
    try {
      unwrapped = keychain.decrypt(Buffer.from(protection.wrappedKey, 'base64'));
    } catch {
      throw new KeyringError('keychain-unavailable', 'The OS keychain could not unlock the vault.');
    }
    // Version 1 wrapped the bare key; from version 2 on it carries the marker (see CHECK_PLAINTEXT).
    const marked = unwrapped.length === KEY_WRAP_V2.length + 32 && unwrapped.subarray(0, KEY_WRAP_V2.length).equals(KEY_WRAP_V2);
    if (!marked && unwrapped.length !== 32) throw new KeyringError('vault-corrupt', 'The vault key from the OS keychain is not valid.');
    const key = marked ? unwrapped.subarray(KEY_WRAP_V2.length) : unwrapped;
    const box = SecretBox.fromKey(key);
    if (marked) return { box, macRequired: true };
    return { box, macRequired: false, upgrade: () => ({ kind: 'keychain', wrappedKey: wrapKey(keychain, key) }) };
  }
  if (options.passphrase === undefined) {
    throw new KeyringError('vault-locked', VAULT_LOCKED_WORDS.locked);
  }
  const box = await SecretBox.fromPassphrase(options.passphrase, protection.kdf);
  const check = box.open(protection.check, CHECK_PURPOSE); // throws 'wrong-passphrase'
  // Anything but the version 1 text (the current one, or a future one) requires the MAC.
  if (!check.equals(CHECK_PLAINTEXT_V1)) return { box, macRequired: true };
  return { box, macRequired: false, upgrade: () => ({ ...protection, check: box.seal(CHECK_PLAINTEXT, CHECK_PURPOSE) }) };
}

function wrapKey(keychain: OsKeychain, key: Buffer): string {
  return keychain.encrypt(Buffer.concat([KEY_WRAP_V2, key])).toString('base64');
}

async function newProtection(options: OpenVaultOptions): Promise<{ protection: Protection; box: SecretBox }> {
  if (options.passphrase === undefined && options.keychain?.isAvailable()) {
    const key = SecretBox.randomKey();
    return { protection: { kind: 'keychain', wrappedKey: wrapKey(options.keychain, key) }, box: SecretBox.fromKey(key) };
  }
  if (options.passphrase === undefined) {
    throw new KeyringError('vault-locked', VAULT_LOCKED_WORDS.noKeychain);
  }
  if (options.passphrase.length < 8) {
    throw new KeyringError('invalid-argument', 'Choose a passphrase of at least 8 characters.', 'passphrase');
  }
  const kdf = SecretBox.newScryptParams(options.scrypt ?? DEFAULT_SCRYPT);
  const box = await SecretBox.fromPassphrase(options.passphrase, kdf);
  return { protection: { kind: 'passphrase', kdf, check: box.seal(CHECK_PLAINTEXT, CHECK_PURPOSE) }, box };
}
