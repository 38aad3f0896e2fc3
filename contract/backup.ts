/**
 * Backups of the account's keys (docs/key-lifecycle.md, "The backup"): an encrypted file and/or the
 * same blob on the account's owner-only node (XEP-0223), opened with a backup code shown once.
 * Private keys never cross this contract: the file's bytes are encrypted, and the code is the user's.
 */
import { z } from 'zod';
import { accountChange, request } from './define.js';
import { NoParams } from './domain.js';
import { BACKUP_MAX_BYTES } from './limits.js';

/** What making a backup answers: the code, shown once and kept nowhere by the app. */
export interface BackupMade {
  /** The backup code, grouped for display (7 groups of 4). Shown once: never logged, never stored. */
  code: string;
  createdAt: string;
  /** The own keys it holds. */
  fingerprints: string[];
  /** How many contacts' trust decisions it holds. */
  contacts: number;
  /**
   * The encrypted file's bytes, base64, when a file was asked for: the screen or the CLI saves them, then
   * says so with `fileSaved` (its keys count as backed up from then on).
   */
  file?: { name: string; dataBase64: string; backupId: string };
  /** Where it went on the account (XEP-0223 node), when asked for. */
  account?: { node: string; backupId: string; parts: number };
  /** The printable page: one self-contained HTML document (no scripts) with the code and its QR code. */
  page: string;
}

export type RestoredKeyOutcome =
  /** Not here before: added. */
  | 'restored'
  /** Here with other data (another private key or other statements): put in place, as asked. */
  | 'replaced'
  /** Here already, the same. */
  | 'same'
  /** Here with other data: left as it is until restored again with `replace`. */
  | 'conflict';

/** What restoring answers; with conflicts and no `replace`, everything else was restored. */
export interface RestoreOutcome {
  account: string;
  /** When the backup was made. */
  createdAt: string;
  from: 'file' | 'account';
  keys: { fingerprint: string; outcome: RestoredKeyOutcome }[];
  /** Contacts' keys whose trust the backup holds, each with what happened to it. */
  trust: { jid: string; fingerprint: string; outcome: RestoredKeyOutcome }[];
  /**
   * Trust decisions this backup does not carry, because an older version of the app made it (a
   * version 1 backup): each a short phrase ("trust policies (yours and per contact)"). Absent when the
   * backup carries them all. What this device held of them stays as it was.
   */
  notCarried?: string[];
}

/** Which own keys are in a backup, and the backups this device knows of. */
export interface BackupStatus {
  /** Own keys (not expired) that are in no backup this device made or restored: the reminder. */
  notBackedUp: string[];
  /** Newest first. */
  backups: { createdAt: string; where: 'file' | 'account'; how: 'made' | 'restored'; fingerprints: string[] }[];
}

/** The vault passphrase typed again, limited as vault:unlock limits it (contract/vault.ts). */
const vaultPassphraseText = z.string().min(1, 'Enter your vault passphrase to make a backup.').max(1024, 'A vault passphrase has at most 1,024 characters');

/** A backup code as typed: read (and typos caught) in main, so only its length is checked here. */
const backupCodeText = z.string().max(200);

export const backup = {
  requests: {
    /**
     * Makes a backup with a fresh code: as a file (returned), on the account (needs the connection), or
     * both. A backup hands out every private key, so a passphrase vault asks for its passphrase again
     * (main checks it, and refuses its absence, since only main knows how the vault is protected); a
     * keychain vault has none to ask for.
     */
    create: accountChange(
      z
        .object({
          file: z.boolean(),
          toAccount: z.boolean(),
          /** The vault passphrase, typed again. Never logged, never in a message. */
          passphrase: vaultPassphraseText.optional(),
        })
        .strict()
        .refine((p) => p.file || p.toAccount, { message: 'Choose where the backup goes: a file, your account, or both.' }),
    ).returns<BackupMade>(),
    /**
     * Restores from a file or the account's node. A wrong, mistyped code, a damaged blob or another
     * account's backup changes nothing; keys and trust that differ here are left alone unless `replace`.
     */
    restore: accountChange(
      z
        .object({
          from: z.discriminatedUnion('kind', [
            z
              .object({
                kind: z.literal('file'),
                dataBase64: z
                  .string()
                  .max(Math.ceil(BACKUP_MAX_BYTES / 3) * 4 + 4)
                  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Files are sent as base64'),
              })
              .strict(),
            z.object({ kind: z.literal('account') }).strict(),
          ]),
          code: backupCodeText,
          replace: z.boolean().optional(),
        })
        .strict(),
    ).returns<RestoreOutcome>(),
    status: request(NoParams).returns<BackupStatus>(),
    /**
     * The file of a backup just made was saved (the CLI wrote it, the screen handed it to the download):
     * until then its keys still count as in no backup. A file saved again is no error.
     */
    fileSaved: request(z.object({ backupId: z.string().regex(/^[0-9a-f]{16}$/, 'A backup id is 16 hexadecimal digits') }).strict()).returns<BackupStatus>(),
  },
  events: {},
};
