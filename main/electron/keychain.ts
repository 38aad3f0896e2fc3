import { safeStorage } from 'electron';
import type { OsKeychain } from '../vault/vault.js';

/**
 * The OS keychain through Electron's safeStorage. On Linux without a secret service, safeStorage falls
 * back to 'basic_text' (a hard-coded key, i.e. no protection): we treat that as no keychain, so the vault
 * asks for a passphrase instead (Element's habit).
 */
export function electronKeychain(): OsKeychain {
  return {
    isAvailable: () =>
      safeStorage.isEncryptionAvailable() &&
      (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
    encrypt: (plain) => safeStorage.encryptString(plain.toString('base64')),
    decrypt: (sealed) => Buffer.from(safeStorage.decryptString(sealed), 'base64'),
  };
}
