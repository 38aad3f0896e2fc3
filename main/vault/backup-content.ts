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
import { OWN_KEY_LABEL_CHARS } from '../../contract/limits.js';
import { REVOCATION_REASONS, RevocationStatementSchema } from '../keys/revocation.js';
import { isBareJid } from '../keys/xmpp-addr.js';
import { OtherKey, TrustPolicySchema, TrustState } from './schema.js';

export const BACKUP_CONTENT_KIND = 'keyring-xmpp-keys';
/**
 * 2: the whole trust record of each contact, the account's policy and other apps' key records.
 * 3: the name the person gave each own key (a restore without it leaves "Key made <day>" on every key,
 * and several keys can no longer be told apart). Versions 2 and 3 are read alike; an app that knows
 * only 2 says a version 3 backup was made by a newer version, instead of calling it damaged.
 */
export const BACKUP_CONTENT_VERSION = 3;

/**
 * What a version 1 backup does not carry, in words for the restore's answer: nobody should assume
 * these came back with it.
 */
export const V1_NOT_CARRIED = [
  'trust policies (yours and per contact)',
  'comparisons that matched nothing',
  'contacts’ key revocations',
  'changed keys you accepted',
  'trust in other apps’ keys (OMEMO, OpenPGP)',
] as const;

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
    /** Version 3: the key's name, one line as the rename rule has it (contract/keys.ts keyLabel). */
    label: z
      .string()
      .min(1)
      .max(OWN_KEY_LABEL_CHARS)
      .regex(/^[^\p{Cc}]*$/u)
      .optional(),
  })
  .strict();

const BackedUpContactKeyV1 = z
  .object({
    fingerprint,
    trust: TrustState,
    verifiedAt: isoDate.optional(),
    firstSeen: isoDate,
  })
  .strict();

/** Per contact, at most as many key records as the vault keeps (contact-keys.ts caps them at 80). */
const MAX_KEYS_PER_CONTACT = 80;
/** How many contacts (or other apps' accounts) one backup may name: far above any roster, and the blob is at most 8 MiB anyway. */
const MAX_CONTACTS = 20_000;
/** The vault's own bound on remembered comparisons (schema.ts); the app keeps fewer (CONTACT_KEY_LIMITS). */
const MAX_MISMATCHES = 64;
const jid = z.string().max(3071).refine(isBareJid);
/** A record keyed by bare JID, of at most MAX_CONTACTS entries. */
const byJid = <T extends z.ZodType>(value: T) => z.record(jid, value).refine((r) => Object.keys(r).length <= MAX_CONTACTS);

/** Version 2: the whole record of a contact's key, without its certificate (fetched again). */
const BackedUpContactKey = z
  .object({
    fingerprint,
    trust: TrustState,
    firstSeen: isoDate,
    lastSeen: isoDate,
    verifiedAt: isoDate.optional(),
    acceptedAt: isoDate.optional(),
    retractedAt: isoDate.optional(),
    replaces: z.array(fingerprint).max(MAX_KEYS_PER_CONTACT).optional(),
    clearedByVerification: z
      .object({ trust: z.enum(['changed', 'unverified']), replaces: z.array(fingerprint).max(MAX_KEYS_PER_CONTACT).optional(), acceptedAt: isoDate.optional() })
      .strict()
      .optional(),
    continues: z.object({ fingerprint, basis: z.enum(['succession', 'same-key']), verified: z.boolean() }).strict().optional(),
    revocation: z.object({ reason: z.enum(REVOCATION_REASONS), date: isoDate, publicKeyDigest: fingerprint }).strict().optional(),
    revokedUnseen: z.literal(true).optional(),
    seenAfterFirstVerification: z.boolean().optional(),
  })
  .strict();

const BackedUpContactTrust = z
  .object({
    policy: TrustPolicySchema.optional(),
    firstVerifiedAt: isoDate.optional(),
    mismatches: z
      .array(z.object({ offered: fingerprint, at: isoDate, via: z.enum(['typed', 'uri', 'qr']) }).strict())
      .max(MAX_MISMATCHES)
      .optional(),
    lastMatchAt: isoDate.optional(),
  })
  .strict();

const otherFingerprint = z.string().regex(/^([0-9a-f]{64}|[0-9A-F]{40})$/);

/**
 * Another app's key as the vault keeps it (schema.ts OtherKey: one shape for both), without what a
 * reading refreshes (its label and the key's details, the bundle's digest).
 */
const BackedUpOtherKey = OtherKey.omit({ label: true, created: true, algorithm: true, bits: true, bundleDigest: true, bundleSince: true });

const BackedUpOtherKeys = z
  .object({
    firstRead: isoDate,
    keys: z.array(BackedUpOtherKey).max(256),
    mismatches: z
      .array(z.object({ offered: otherFingerprint, at: isoDate, via: z.literal('typed') }).strict())
      .max(MAX_MISMATCHES)
      .optional(),
    lastMatchAt: isoDate.optional(),
  })
  .strict();

const common = {
  kind: z.literal(BACKUP_CONTENT_KIND),
  account: jid,
  createdAt: isoDate,
  ownKeys: z.array(BackedUpOwnKey).max(256),
};

/** What versions before 2 wrote: read still, and restored with V1_NOT_CARRIED named in the answer. */
export const BackupContentV1Schema = z
  .object({
    ...common,
    version: z.literal(1),
    /** Per contact's bare JID. */
    contacts: z.record(z.string().refine(isBareJid), z.array(BackedUpContactKeyV1).max(MAX_KEYS_PER_CONTACT)),
  })
  .strict();

export const BackupContentSchema = z
  .object({
    ...common,
    version: z.union([z.literal(2), z.literal(BACKUP_CONTENT_VERSION)]),
    /** Per contact's bare JID: their key records. */
    contacts: byJid(z.array(BackedUpContactKey).max(MAX_KEYS_PER_CONTACT)),
    /** The account's default policy for contacts' keys, when the user chose one (tofu otherwise). */
    trustPolicy: TrustPolicySchema.optional(),
    /** Per contact's bare JID: what the user decided about them as a whole. */
    contactTrust: byJid(BackedUpContactTrust),
    /** Per bare JID (the account's own included): other apps' keys and the trust in them. */
    otherKeys: byJid(BackedUpOtherKeys),
  })
  .strict();

export type BackupContent = z.infer<typeof BackupContentSchema>;
export type BackupContentV1 = z.infer<typeof BackupContentV1Schema>;
export type BackedUpOwnKeyRecord = z.infer<typeof BackedUpOwnKey>;
export type BackedUpContactKeyRecord = z.infer<typeof BackedUpContactKey>;
export type BackedUpContactKeyV1Record = z.infer<typeof BackedUpContactKeyV1>;
export type BackedUpContactTrustRecord = z.infer<typeof BackedUpContactTrust>;
export type BackedUpOtherKeysRecord = z.infer<typeof BackedUpOtherKeys>;

export type BackupContentReading =
  | { ok: true; content: BackupContent | BackupContentV1 }
  | { ok: false; error: { code: 'backup-damaged' | 'backup-unsupported-version'; message: string } };

/**
 * Checks what openBackup returned before anything of it is used: version 2 or version 1, each whole.
 * Never throws.
 */
export function readBackupContent(value: unknown): BackupContentReading {
  const version = typeof value === 'object' && value !== null ? (value as { version?: unknown }).version : undefined;
  const result = version === 1 ? BackupContentV1Schema.safeParse(value) : BackupContentSchema.safeParse(value);
  if (result.success) return { ok: true, content: result.data };
  if (typeof version === 'number' && version > BACKUP_CONTENT_VERSION) {
    return { ok: false, error: { code: 'backup-unsupported-version', message: 'This backup was made by a newer version of the app.' } };
  }
  // Which part is wrong, in the app's own words: the path itself may hold text from a crafted file.
  const part = result.error.issues[0]?.path[0];
  const where = typeof part === 'string' && Object.hasOwn(PARTS, part) ? ` (${PARTS[part]})` : '';
  return { ok: false, error: { code: 'backup-damaged', message: `The backup’s content is not what this app writes${where}. Nothing was restored.` } };
}

const PARTS: Readonly<Record<string, string>> = {
  ownKeys: 'its keys',
  contacts: 'its records of contacts’ keys',
  contactTrust: 'its trust decisions about contacts',
  trustPolicy: 'its trust policy',
  otherKeys: 'its records of other apps’ keys',
};
