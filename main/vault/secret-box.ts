/**
 * Encryption of secrets at rest (private keys, the saved password).
 *
 * Every secret is sealed with AES-256-GCM under the vault key, with a fresh 96-bit nonce and the
 * secret's purpose as associated data (so a sealed private key cannot be swapped in as another one).
 * The vault key itself comes from one of two places:
 * - the OS keychain (Electron safeStorage): a random key, stored wrapped by the keychain; or
 * - a passphrase: scrypt with a strong work factor (N=2^17, r=8, p=1: ~128 MiB, a few hundred ms),
 *   run in Node's thread pool so the event loop never waits on it.
 *
 * The same key also authenticates data that is stored in the clear (the vault document, vault-file.ts):
 * HMAC-SHA-256 under a subkey derived with HKDF-SHA-256 (RFC 5869) and bound to its purpose, so the
 * MAC key is never the encryption key and a MAC made for one purpose is worthless for another.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  scrypt as scryptCallback,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import { KeyringError } from '../errors.js';

export interface SealedSecret {
  /** base64 of nonce (12) ‖ ciphertext ‖ tag (16). */
  data: string;
}

/** What a MAC covers: a text (as UTF-8), or bytes in pieces (covered as their concatenation). */
export type MacInput = string | readonly Uint8Array[];

export interface ScryptParams {
  name: 'scrypt';
  salt: string;
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt floor is N=2^17, r=8, p=1; tests may pass lighter parameters to run fast. */
export const DEFAULT_SCRYPT: Omit<ScryptParams, 'salt'> = { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 };

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error('vault key must be 32 bytes');
    this.#key = key;
  }

  static fromKey(key: Buffer): SecretBox {
    return new SecretBox(Buffer.from(key));
  }

  static randomKey(): Buffer {
    return randomBytes(KEY_BYTES);
  }

  /** Derives the vault key from a passphrase (never logged) with the given scrypt parameters. */
  static async fromPassphrase(passphrase: string, params: ScryptParams): Promise<SecretBox> {
    if (passphrase.length === 0) throw new KeyringError('invalid-argument', 'Enter the vault passphrase.', 'passphrase');
    const key = await scrypt(passphrase.normalize('NFC'), Buffer.from(params.salt, 'base64'), KEY_BYTES, {
      N: params.N,
      r: params.r,
      p: params.p,
      // scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is below the strong setting.
      maxmem: 256 * params.N * params.r,
    });
    return new SecretBox(key);
  }

  static newScryptParams(base: Omit<ScryptParams, 'salt'> = DEFAULT_SCRYPT): ScryptParams {
    return { ...base, salt: randomBytes(16).toString('base64') };
  }

  seal(plain: Buffer, purpose: string): SealedSecret {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return { data: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64') };
  }

  /**
   * Base64 HMAC-SHA-256 of `data` under the subkey for `purpose`: a text (as UTF-8), or bytes given in
   * pieces, MAC'd as their concatenation without joining them (the vault document is megabytes).
   */
  authenticate(data: MacInput, purpose: string): string {
    return this.#mac(data, purpose).toString('base64');
  }

  /** Whether `mac` is `data`'s MAC for `purpose` under this key (compared in constant time). */
  verify(data: MacInput, purpose: string, mac: string): boolean {
    const expected = this.#mac(data, purpose);
    const given = Buffer.from(mac, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #mac(data: MacInput, purpose: string): Buffer {
    const subkey = Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), `keyring-for-xmpp mac: ${purpose}`, KEY_BYTES));
    const hmac = createHmac('sha256', subkey);
    if (typeof data === 'string') hmac.update(data, 'utf8');
    else for (const piece of data) hmac.update(piece);
    return hmac.digest();
  }

  /**
   * Whether `other` holds the same key as this box, compared in constant time: how a passphrase typed
   * again is checked against the open vault (Vault.isPassphrase) without opening or writing anything.
   */
  sameKey(other: SecretBox): boolean {
    return timingSafeEqual(this.#key, other.#key);
  }

  /** Throws KeyringError('wrong-passphrase') when the key or the purpose is wrong or the data was altered. */
  open(sealed: SealedSecret, purpose: string): Buffer {
    const raw = Buffer.from(sealed.data, 'base64');
    if (raw.length < NONCE_BYTES + TAG_BYTES) {
      throw new KeyringError('vault-corrupt', 'A sealed secret in the vault is damaged.');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new KeyringError(
        'wrong-passphrase',
        'The vault could not be unlocked: wrong passphrase, or its data was altered.',
      );
    }
  }
}

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
