/**
 * The vault document's shape, checked with zod on every load: a file edited by hand or by an older bug
 * is reported as damaged instead of crashing later on a missing field.
 */
import { z } from 'zod';

const isoDate = z.string().min(1);
const fingerprint = z.string().regex(/^[0-9a-f]{64}$/);
const sealed = z.object({ data: z.string() }).strict();

export const ScryptParamsSchema = z
  .object({ name: z.literal('scrypt'), salt: z.string(), N: z.number().int(), r: z.number().int(), p: z.number().int() })
  .strict();

const Protection = z.discriminatedUnion('kind', [
  /** A random vault key, encrypted by the OS keychain (Electron safeStorage). */
  z.object({ kind: z.literal('keychain'), wrappedKey: z.string() }).strict(),
  /** A vault key derived from the user's passphrase; `check` opens only with the right one. */
  z.object({ kind: z.literal('passphrase'), kdf: ScryptParamsSchema, check: sealed }).strict(),
]);

const Publication = z
  .object({
    node: z.string(),
    accessModel: z.string(),
    groups: z.array(z.string()).optional(),
    allow: z.array(z.string()).optional(),
    publishedAt: isoDate,
  })
  .strict();

const OwnKey = z
  .object({
    fingerprint,
    /** base64 DER of the self-signed certificate (public). */
    certificate: z.string(),
    createdAt: isoDate,
    /** PKCS#8 DER, sealed with the vault key. Never leaves main, never logged. */
    privateKey: sealed,
    publications: z.array(Publication),
  })
  .strict();

export const TrustState = z.enum(['unverified', 'verified', 'changed', 'retracted']);

const ContactKey = z
  .object({
    fingerprint,
    certificate: z.string().optional(),
    firstSeen: isoDate,
    lastSeen: isoDate,
    trust: TrustState,
    verifiedAt: isoDate.optional(),
    retractedAt: isoDate.optional(),
    /** The fingerprints this key appeared to replace (for the 'changed' warning). */
    replaces: z.array(fingerprint).optional(),
  })
  .strict();

/**
 * A key another app published (contract/devices.ts): an OMEMO device (by protocol and device id) or an
 * OpenPGP key (by fingerprint). Only what change detection needs: fingerprints, dates, a short label.
 */
const OtherKey = z
  .object({
    protocol: z.enum(['omemo', 'omemo2', 'openpgp']),
    deviceId: z.number().int().min(1).optional(),
    /** The last fingerprint read for it ('' while none ever was). */
    fingerprint: z.string().regex(/^([0-9a-f]{64}|[0-9A-F]{40}|)$/),
    previous: z.array(z.string().regex(/^([0-9a-f]{64}|[0-9A-F]{40})$/)).max(8).optional(),
    firstSeen: isoDate,
    lastSeen: isoDate,
    changedAt: isoDate.optional(),
    removedAt: isoDate.optional(),
    label: z.string().max(256).optional(),
    created: isoDate.optional(),
    algorithm: z.string().max(64).optional(),
    bits: z.number().int().optional(),
    /** A short digest of the device's bundle, and since when it is the same (own devices' staleness). */
    bundleDigest: z.string().max(64).optional(),
    bundleSince: isoDate.optional(),
  })
  .strict();

const OtherKeysOfAccount = z
  .object({
    /** The first time the app read this account's devices: what it found then is trusted on first use. */
    firstRead: isoDate,
    keys: z.array(OtherKey).max(256),
  })
  .strict();

/** An action the user asked for while offline, run in order once connected (survives restarts). */
const QueuedAction = z
  .object({
    id: z.string(),
    kind: z.enum(['publish', 'retract']),
    fingerprint,
    access: z
      .object({
        model: z.enum(['open', 'presence', 'roster', 'whitelist']),
        groups: z.array(z.string()).optional(),
        allow: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    reconfigure: z.boolean().optional(),
    requestedAt: isoDate,
  })
  .strict();

/**
 * What the app published to one of the account's own nodes, as it stood after the app's last publish
 * there (docs/drift.md): the access the person chose, the items still published (oldest first) and
 * the XEP-0222 settings as read back. Drift watch compares the node with this. A key's item needs no
 * payload here (its certificate is in ownKeys); a profile item keeps its payload (public data, the
 * XML as published) so that Restore can publish it again.
 */
const PublishedNode = z
  .object({
    access: z
      .object({
        model: z.enum(['open', 'presence', 'roster', 'whitelist']),
        groups: z.array(z.string()).optional(),
        allow: z.array(z.string()).optional(),
      })
      .strict(),
    maxItems: z.number().int().min(1),
    items: z.array(z.object({ id: z.string(), payload: z.string().optional() }).strict()),
    applied: z
      .object({ persistItems: z.boolean().optional(), sendLastPublishedItem: z.string().optional(), maxItems: z.string().optional() })
      .strict()
      .optional(),
    recordedAt: isoDate,
  })
  .strict();

const Account = z
  .object({
    jid: z.string(),
    settings: z
      .object({
        host: z.string().optional(),
        port: z.number().int().optional(),
        caFile: z.string().optional(),
      })
      .strict(),
    /** The account password, encrypted by the OS keychain only; absent when not remembered. */
    savedPassword: sealed.optional(),
    ownKeys: z.array(OwnKey),
    contacts: z.record(z.string(), z.array(ContactKey)),
    queue: z.array(QueuedAction).optional(),
    /** Other apps' keys (OMEMO, OpenPGP) by bare JID, the account's own included. */
    otherKeys: z.record(z.string(), OtherKeysOfAccount).optional(),
    /** By node: what the app published there (drift watch). */
    published: z.record(z.string(), PublishedNode).optional(),
  })
  .strict();

export const VaultDocumentSchema = z
  .object({
    protection: Protection,
    accounts: z.record(z.string(), Account),
  })
  .strict();

export type VaultDocument = z.infer<typeof VaultDocumentSchema>;
export type AccountRecord = z.infer<typeof Account>;
export type OwnKeyRecord = z.infer<typeof OwnKey>;
export type ContactKeyRecord = z.infer<typeof ContactKey>;
export type PublicationRecord = z.infer<typeof Publication>;
export type TrustStateName = z.infer<typeof TrustState>;
export type OtherKeyRecord = z.infer<typeof OtherKey>;
export type OtherKeysRecord = z.infer<typeof OtherKeysOfAccount>;
export type QueuedActionRecord = z.infer<typeof QueuedAction>;
export type PublishedNodeRecord = z.infer<typeof PublishedNode>;

export function parseVaultDocument(body: unknown): VaultDocument {
  const result = VaultDocumentSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`unexpected content at ${issue?.path.join('.') || 'top level'}`);
  }
  return result.data;
}
