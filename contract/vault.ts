/** The vault: locked or open, and how it is protected (main/vault/). */
import { z } from 'zod';
import { request } from './define.js';
import { NoParams } from './domain.js';

export interface VaultStatus {
  open: boolean;
  /** Whether a vault was made before; while false, unlocking with a passphrase creates it (the first screen says so). */
  exists: boolean;
  /** Whether an OS keychain can hold secrets (desktop app); the password can be remembered only then. */
  keychain?: boolean;
  /** How secrets are protected once open. */
  protection?: 'keychain' | 'passphrase';
  /** Set when the vault had to be restored from its backup copy. */
  recovered?: string;
  /**
   * Set while locked when the last unlock found the vault file changed outside the app ('vault-tampered'):
   * the explanation, and whether the backup copy checks out (then `vault:unlock` with `useBackup` opens it).
   */
  tampered?: { reason: string; backupAvailable: boolean };
}

export const vault = {
  requests: {
    status: request(NoParams).returns<VaultStatus>(),
    unlock: request(
      z
        .object({
          passphrase: z.string().min(1, 'Enter your vault passphrase').max(1024, 'A vault passphrase has at most 1,024 characters').optional(),
          /** Open the backup copy when the vault file was changed outside the app (that file is set aside). */
          useBackup: z.boolean().optional(),
        })
        .strict(),
    ).returns<VaultStatus>(),
  },
  events: {},
};
