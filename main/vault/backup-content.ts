/**
 * What the app puts in a backup (backup-blob.ts encrypts any JSON; this is the shape restore checks):
 * the account's own keys with their private halves and their prepared revocations, and what the
 * user decided about contacts' keys. Contacts' certificates are left out: they are fetched again from
 * the contacts' nodes, and only the user's decisions cannot be.
 *
 * Checked with zod after decryption: a backup made by a later version (or a buggy one) is refused as
 * such, never half-restored.
 */
import { z } from 'zod';
import { RevocationStatementSchema } from '../keys/revocation.js';
import { isBareJid } from '../keys/xmpp-addr.js';
import { TrustState } from './schema.js';

export const BACKUP_CONTENT_KIND = 'keyring-xmpp-keys';
export const BACKUP_CONTENT_VERSION = 1;

const fingerprint = z.string().regex(/^[0-9a-f]{64}$/);
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const isoDate = z.iso.datetime();

const BackedUpOwnKey = z
  .object({
    fingerprint,
    /** base64 DER of the certificate. */
    certificate: base64,
    /** base64 PKCS#8 DER of the private key, in the clear inside the encrypted blob. Never log it. */
    privateKey: base64,
    createdAt: isoDate,
    /** Made with the key (revocation.ts prepareRevocations): revokes it even once it is lost. */
    revocations: z.array(RevocationStatementSchema).max(8),
  })
  .strict();

const BackedUpContactKey = z
  .object({
    fingerprint,
    trust: TrustState,
    verifiedAt: isoDate.optional(),
    firstSeen: isoDate,
  })
  .strict();

export const BackupContentSchema = z
  .object({
    kind: z.literal(BACKUP_CONTENT_KIND),
    version: z.literal(BACKUP_CONTENT_VERSION),
    account: z.string().refine(isBareJid),
    createdAt: isoDate,
    ownKeys: z.array(BackedUpOwnKey).max(256),
    /** Per contact's bare JID. */
    contacts: z.record(z.string().refine(isBareJid), z.array(BackedUpContactKey).max(80)),
  })
  .strict();

export type BackupContent = z.infer<typeof BackupContentSchema>;
export type BackedUpOwnKeyRecord = z.infer<typeof BackedUpOwnKey>;

export type BackupContentReading = { ok: true; content: BackupContent } | { ok: false; error: { code: 'backup-damaged' | 'backup-unsupported-version'; message: string } };

/** Checks what openBackup returned before anything of it is used. Never throws. */
export function readBackupContent(value: unknown): BackupContentReading {
  const result = BackupContentSchema.safeParse(value);
  if (result.success) return { ok: true, content: result.data };
  const version = typeof value === 'object' && value !== null ? (value as { version?: unknown }).version : undefined;
  if (typeof version === 'number' && version > BACKUP_CONTENT_VERSION) {
    return { ok: false, error: { code: 'backup-unsupported-version', message: 'This backup was made by a newer version of the app.' } };
  }
  return { ok: false, error: { code: 'backup-damaged', message: 'The backup’s content is not what this app writes.' } };
}
