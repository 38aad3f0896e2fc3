import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { OsKeychain } from '../../main/vault/vault.js';

/**
 * Stands in for Electron's safeStorage in Node tests: real AES-GCM under a per-instance key, so data
 * sealed by one "keychain" cannot be opened by another (as with a different OS user). A fixed `key`
 * plays the same keychain across runs (for vault files kept as test fixtures).
 */
export function fakeKeychain(available = true, key: Buffer = randomBytes(32)): OsKeychain & { available: boolean } {
  return {
    available,
    isAvailable() {
      return this.available;
    },
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      return Buffer.concat([iv, c.update(plain), c.final(), c.getAuthTag()]);
    },
    decrypt(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(sealed.length - 16));
      return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
    },
  };
}
