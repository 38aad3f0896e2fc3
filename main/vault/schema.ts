/**
 * The vault document's shape, checked with zod on every load: a file edited by hand or by an older bug
 * is reported as damaged instead of crashing later on a missing field.
 */
import { z } from 'zod';
import { ProfileParams } from '../../contract/profile.js';
import { OWN_KEY_LABEL_CHARS } from '../../contract/limits.js';
import { REVOCATION_REASONS, RevocationStatementSchema } from '../keys/revocation.js';
import { SuccessionStatementSchema } from '../keys/succession.js';

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
    /** When it came into this vault: made here, or imported (`imported`), or restored with a backup's date. */
    createdAt: isoDate,
    /**
     * Taken in from a file (PEM or PKCS#12), not made here: its certificate may be older than createdAt, or
     * not valid yet, so the screens say "imported" on that day, not "made". Absent in vaults written
     * before it existed, and for keys restored from a backup (its format does not carry it).
     */
    imported: z.literal(true).optional(),
    /** The name the user gave the key ("Laptop 2026"); absent when none. */
    label: z.string().max(OWN_KEY_LABEL_CHARS).optional(),
    /** PKCS#8 DER, sealed with the vault key. Never leaves main, never logged. */
    privateKey: sealed,
    publications: z.array(Publication),
    /**
     * The statement, signed by the key this one replaced, that it continues it (docs/key-lifecycle.md):
     * published inside this key's item every time it is published.
     */
    succession: SuccessionStatementSchema.optional(),
    /**
     * Revocation statements signed by this key, one per reason, prepared when it was made (or the first
     * time its private half was opened after): a key whose private half is lost can still be revoked
     * from the backup (docs/key-lifecycle.md). Public data, signed; kept with the key.
     */
    revocations: z.array(RevocationStatementSchema).max(REVOCATION_REASONS.length).optional(),
    /** The revocation published for this key: it is withdrawn for good and never published again. */
    revoked: RevocationStatementSchema.optional(),
    /**
     * The key is revoked here, and its revocation could not go out yet (the key node set to a model the
     * app cannot publish to: services/own-keys.ts): each sign-in publishes it until it is on the node
     * (services/own-revocations.ts), whether or not the key's own item is still there.
     */
    revocationOwed: z.literal(true).optional(),
  })
  .strict();

/**
 * A backup the app made or restored (main/services/backup.ts): when, where it went, and which own keys
 * it holds, so the app can remind the user of a key that is in no backup. Never the code.
 */
const BackupRecord = z
  .object({
    /** The blob's backup id (main/xmpp/backup-items.ts: the first 16 hex digits of its SHA-256). */
    id: z.string().regex(/^[0-9a-f]{16}$/),
    createdAt: isoDate,
    where: z.enum(['file', 'account']),
    /** 'made' here, or 'restored' from it. */
    how: z.enum(['made', 'restored']),
    fingerprints: z.array(fingerprint).max(256),
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
    /** When the user accepted this key, a changed one, without comparing (main/keys/trust-policy.ts). */
    acceptedAt: isoDate.optional(),
    retractedAt: isoDate.optional(),
    /** The fingerprints this key appeared to replace (for the 'changed' warning). */
    replaces: z.array(fingerprint).optional(),
    /**
     * What verifying this key cleared: the 'changed' warning (and what it replaced) that the user
     * compared but never accepted, or an earlier acceptance. Taking the verification back restores it
     * (contact-keys.ts markUnverified), so the key is judged as before the verification. Kept apart
     * from `replaces` and `acceptedAt` so that a verified key shows no change and no acceptance; only
     * markVerified and markUnverified read it. Absent in vaults written before it existed: those keys
     * go back to plain unverified, as they always did.
     */
    clearedByVerification: z
      .object({ trust: z.enum(['changed', 'unverified']), replaces: z.array(fingerprint).optional(), acceptedAt: isoDate.optional() })
      .strict()
      .optional(),
    /**
     * The known key this one continues, when it first appeared (main/vault/key-continuity.ts): by a
     * succession statement its stored certificate verified, or the same public key (a renewal).
     */
    continues: z.object({ fingerprint, basis: z.enum(['succession', 'same-key']), verified: z.boolean() }).strict().optional(),
    /**
     * Why it did not count as continuing a known key, when its item claimed it did (a forged or
     * unverifiable succession): shown behind Details of the change warning.
     */
    continuityProblem: z.string().max(300).optional(),
    /** A revocation its owner published and that verified (main/keys/revocation.ts): never valid again. */
    revocation: z
      .object({ reason: z.enum(REVOCATION_REASONS), date: isoDate, publicKeyDigest: z.string().regex(/^[0-9a-f]{64}$/) })
      .strict()
      .optional(),
    /** Known only from its revocation (never seen published): not a key that vanished. */
    revokedUnseen: z.literal(true).optional(),
    /**
     * Whether the user had verified a key of this contact when this one was first seen (blind trust
     * before verification, main/keys/trust-policy.ts): the order of events, kept because comparing
     * firstSeen with firstVerifiedAt is wrong once the clock jumped back. Absent in records written
     * before it existed: those dates are compared, as they always were.
     */
    seenAfterFirstVerification: z.boolean().optional(),
  })
  .strict();

/** One contact's key records (the vault checks just these when only they change: vault.ts updatePart). */
export const ContactKeyListSchema = z.array(ContactKey);
export const TrustPolicySchema = z.enum(['tofu', 'btbv', 'manual']);

/** A comparison that did not match: what the user offered (its fingerprint) and when. */
const Mismatch = z.object({ offered: fingerprint, at: isoDate, via: z.enum(['typed', 'uri', 'qr']) }).strict();

/** What the user decided about a contact as a whole (main/services/contact-keys.ts). */
export const ContactTrustSchema = z
  .object({
    /** Overrides the account's policy for this contact. */
    policy: TrustPolicySchema.optional(),
    /** When the user first verified any key of theirs (blind trust before verification counts from it). */
    firstVerifiedAt: isoDate.optional(),
    /** The latest comparisons that did not match, newest first (at most MAX_MISMATCHES). */
    mismatches: z.array(Mismatch).optional(),
    /** When a comparison last matched one of their keys (ContactKeysView.lastMatchAt). */
    lastMatchAt: isoDate.optional(),
  })
  .strict();

/** An action the user asked for while offline, run in order once connected (survives restarts). */
const queuedAccess = z
  .object({
    model: z.enum(['open', 'presence', 'roster', 'whitelist']),
    groups: z.array(z.string()).optional(),
    allow: z.array(z.string()).optional(),
  })
  .strict();
const queued = { id: z.string(), requestedAt: isoDate };
const jidText = z.string().min(3).max(3071);

/**
 * A key another app published (contract/devices.ts): an OMEMO device (by protocol and device id) or an
 * OpenPGP key (by fingerprint). Only what change detection needs: fingerprints, dates, a short label.
 */
export const OtherKey = z
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
    /** When the user verified its current fingerprint, or accepted it changed (cleared when it changes again). */
    verifiedAt: isoDate.optional(),
    acceptedAt: isoDate.optional(),
    /**
     * The change a verification cleared (its changedAt): the user compared, never accepted it, so taking
     * the verification back brings the warning back (main/vault/other-keys-trust.ts unverifyFingerprint).
     */
    clearedChangeAt: isoDate.optional(),
    label: z.string().max(256).optional(),
    created: isoDate.optional(),
    algorithm: z.string().max(64).optional(),
    bits: z.number().int().optional(),
    /** A short digest of the device's bundle, and since when it is the same (own devices' staleness). */
    bundleDigest: z.string().max(64).optional(),
    bundleSince: isoDate.optional(),
    /**
     * OpenPGP: the key, as last read, has no User ID "xmpp:" + this account's address (XEP-0373 §5.1
     * asks recipients to check it; §8.5): a key issued for someone else, never trusted nor verified
     * as this account's (main/vault/other-keys-trust.ts).
     */
    forAnotherAddress: z.literal(true).optional(),
  })
  .strict();

export const OtherKeysOfAccount = z
  .object({
    /** The first time the app read this account's devices: what it found then is trusted on first use. */
    firstRead: isoDate,
    keys: z.array(OtherKey).max(256),
    /** Fingerprints the user compared that matched none of these keys, newest first (CONTACT_KEY_LIMITS.mismatches). */
    mismatches: z
      .array(z.object({ offered: z.string().regex(/^([0-9a-f]{64}|[0-9A-F]{40})$/), at: isoDate, via: z.literal('typed') }).strict())
      .max(64)
      .optional(),
    /** When a comparison last matched one of these keys (OtherKeysView.lastMatchAt); absent in older vaults. */
    lastMatchAt: isoDate.optional(),
  })
  .strict();

/** A write asked for while offline, in the order asked (contract/queue.ts QueuedWrite). */
const QueuedAction = z.discriminatedUnion('kind', [
  z.object({ ...queued, kind: z.literal('publish'), fingerprint, access: queuedAccess, reconfigure: z.boolean().optional() }).strict(),
  z.object({ ...queued, kind: z.literal('retract'), fingerprint }).strict(),
  z.object({ ...queued, kind: z.literal('revoke'), fingerprint, reason: z.enum(REVOCATION_REASONS) }).strict(),
  z.object({ ...queued, kind: z.literal('profile-publish'), profile: ProfileParams, base: ProfileParams.optional(), access: queuedAccess, reconfigure: z.boolean().optional() }).strict(),
  z.object({ ...queued, kind: z.literal('roster-add'), jid: jidText, name: z.string().max(256).optional(), groups: z.array(z.string()).max(64) }).strict(),
  z.object({ ...queued, kind: z.literal('roster-groups'), jid: jidText, groups: z.array(z.string()).max(64) }).strict(),
  z.object({ ...queued, kind: z.literal('roster-remove'), jid: jidText }).strict(),
]);

/**
 * What the app published to one of the account's own nodes, as it stood after the app's last publish
 * there (docs/drift.md): the access the person chose, the items still published (oldest first) and
 * the XEP-0222 settings as read back. Drift watch compares the node with this. A key's item needs no
 * payload here (its certificate is in ownKeys), only the fingerprint of the certificate it carries; a
 * profile item keeps its payload (public data, the XML as published) so that Restore can publish it
 * again.
 */
const PublishedNodeAccess = z
  .object({
    model: z.enum(['open', 'presence', 'roster', 'whitelist']),
    groups: z.array(z.string()).optional(),
    allow: z.array(z.string()).optional(),
  })
  .strict();

export const PublishedNodeSchema = z
  .object({
    access: PublishedNodeAccess,
    maxItems: z.number().int().min(1),
    items: z.array(
      z
        .object({
          id: z.string(),
          payload: z.string().optional(),
          /**
           * The SHA-256 fingerprint of the certificate the item must carry (a key's item, or a
           * revocation's, on the key node): the same id holding another certificate is drift. A record
           * from before it was kept has none, and is compared by id alone.
           */
          certificate: z.string().regex(/^[0-9a-f]{64}$/).optional(),
          /**
           * The SHA-256 digest of what a profile item says, as contacts' readers read it
           * (main/profile/profile-content.ts): the same id saying something else is drift. A record
           * from before it was kept has none, and is compared by id alone.
           */
          content: z.string().regex(/^[0-9a-f]{64}$/).optional(),
        })
        .strict(),
    ),
    applied: z
      .object({ persistItems: z.boolean().optional(), sendLastPublishedItem: z.string().optional(), maxItems: z.string().optional() })
      .strict()
      .optional(),
    /**
     * Profile items the app was sending when last written here (an id and the digest of what it says),
     * noted before they went out: a publish the server took whose record a full disk then refused
     * leaves the node holding one of these, which drift takes as the app's own, not another app's.
     * A publish recorded drops its item's.
     */
    publishing: z
      .array(z.object({ id: z.string(), content: z.string().regex(/^[0-9a-f]{64}$/) }).strict())
      .max(8)
      .optional(),
    /**
     * The access the app asked the server for, where it differs from `access`, noted before the node
     * was changed (a confirmed change of audience, whitelist members added or taken away): the server
     * changes the whole node's audience, and a full disk may then refuse the record of it. The node
     * holding this access is the person's own choice made here, not another app's change (compare.ts);
     * the next sign-in records it (found-publications.ts), a publish recorded or an Accept drops it.
     * Optional: vaults from before it load as they are.
     */
    accessAsked: PublishedNodeAccess.optional(),
    recordedAt: isoDate,
  })
  .strict();

/** A contact as the roster last had it (RFC 6121 §2.1.2). */
const RosterEntry = z
  .object({
    jid: z.string(),
    name: z.string().optional(),
    groups: z.array(z.string()),
    subscription: z.enum(['none', 'to', 'from', 'both']),
    ask: z.literal('subscribe').optional(),
  })
  .strict();

/** The last roster seen, for offline use and to fetch only changes at sign-in (RFC 6121 §2.6). */
export const RosterCopy = z
  .object({
    /** The server's roster version (§2.6), when it versions its roster. */
    version: z.string().optional(),
    savedAt: isoDate,
    items: z.array(RosterEntry),
  })
  .strict();

/** XEP-0292 vCard4 fields as the app reads them (contract/profile.ts Profile). */
const ProfileFields = z
  .object({
    fullName: z.string().optional(),
    nickname: z.string().optional(),
    emails: z.array(z.string()),
    phones: z.array(z.string()),
    urls: z.array(z.string()),
    note: z.string().optional(),
    organisation: z.string().optional(),
    address: z
      .object({
        street: z.string().optional(),
        locality: z.string().optional(),
        region: z.string().optional(),
        code: z.string().optional(),
        country: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const AvatarInfo = z
  .object({
    id: z.string(),
    type: z.string(),
    bytes: z.number().int(),
    width: z.number().int().optional(),
    height: z.number().int().optional(),
    url: z.string().optional(),
  })
  .strict();

/**
 * The account's own profile as last read from (or published to) its server, so the editor starts from
 * it offline: the vCard, the nickname and the avatar (the PNG the app published, at most 96 KiB).
 */
export const OwnProfileSchema = z
  .object({
    vcard: ProfileFields.optional(),
    nickname: z.string().optional(),
    avatar: z
      .object({
        info: AvatarInfo,
        dataBase64: z.string().optional(),
      })
      .strict()
      .optional(),
    storedAt: isoDate,
  })
  .strict();

/**
 * A contact's profile as last read (already cleaned by the readers in main/profile/), without the
 * avatar's bytes, which are kept once per id in `avatars`: shown while offline.
 */
const ContactProfile = z
  .object({
    vcard: ProfileFields.optional(),
    nickname: z.string().optional(),
    avatar: z.object({ info: AvatarInfo, dataProblem: z.string().optional() }).strict().optional(),
    xep0154: z
      .object({
        fields: z.array(z.object({ name: z.string(), label: z.string().optional(), values: z.array(z.string()) }).strict()),
        profile: ProfileFields,
      })
      .strict()
      .optional(),
    storedAt: isoDate,
  })
  .strict();

export const ContactProfiles = z
  .object({
    profiles: z.record(z.string(), ContactProfile),
    /** Avatar images by their SHA-1 id (XEP-0084 §4.2.1), base64, each checked when it was fetched. */
    avatars: z.record(z.string(), z.object({ type: z.enum(['image/png', 'image/jpeg']), dataBase64: z.string() }).strict()),
  })
  .strict();

/** An account's settings: written on their own (stores/account-settings-store.ts), often. */
export const AccountSettingsSchema = z
  .object({
    host: z.string().optional(),
    port: z.number().int().optional(),
    caFile: z.string().optional(),
    /** The CA file's fingerprint when the user trusted it; a changed file is refused until accepted. */
    caFingerprint: z.string().optional(),
    lastScreen: z.string().optional(),
    lastSignIn: isoDate.optional(),
    /** The server offered a SCRAM -PLUS mechanism once: a sign-in without one is refused (stripped). */
    channelBindingSeen: z.boolean().optional(),
    /** The account signed in with SCRAM once: an offer of PLAIN alone is refused (stripped). */
    scramSeen: z.boolean().optional(),
  })
  .strict();

const Account = z
  .object({
    jid: z.string(),
    settings: AccountSettingsSchema,
    /** The account password, encrypted by the OS keychain only; absent when not remembered. */
    savedPassword: sealed.optional(),
    ownKeys: z.array(OwnKey),
    contacts: z.record(z.string(), ContactKeyListSchema),
    /** The account's trust policy for contacts' keys; tofu when absent. */
    trustPolicy: TrustPolicySchema.optional(),
    contactTrust: z.record(z.string(), ContactTrustSchema).optional(),
    queue: z.array(QueuedAction).optional(),
    /** Other apps' keys (OMEMO, OpenPGP) by bare JID, the account's own included. */
    otherKeys: z.record(z.string(), OtherKeysOfAccount).optional(),
    /** By node: what the app published there (drift watch). */
    published: z.record(z.string(), PublishedNodeSchema).optional(),
    roster: RosterCopy.optional(),
    ownProfile: OwnProfileSchema.optional(),
    contactProfiles: ContactProfiles.optional(),
    /** The latest backups, newest last (at most MAX_BACKUP_RECORDS: stores/backups-store.ts). */
    backups: z.array(BackupRecord).optional(),
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
export type BackupRecordEntry = z.infer<typeof BackupRecord>;
export type ContactKeyRecord = z.infer<typeof ContactKey>;
export type PublicationRecord = z.infer<typeof Publication>;
export type TrustStateName = z.infer<typeof TrustState>;
export type ContactTrustRecord = z.infer<typeof ContactTrustSchema>;
export type MismatchRecord = z.infer<typeof Mismatch>;
export type OtherKeyRecord = z.infer<typeof OtherKey>;
export type OtherKeysRecord = z.infer<typeof OtherKeysOfAccount>;
export type QueuedActionRecord = z.infer<typeof QueuedAction>;
export type PublishedNodeRecord = z.infer<typeof PublishedNodeSchema>;
export type RosterCopyRecord = z.infer<typeof RosterCopy>;
export type OwnProfileRecord = z.infer<typeof OwnProfileSchema>;
export type ContactProfileRecord = z.infer<typeof ContactProfile>;
export type ContactProfilesRecord = z.infer<typeof ContactProfiles>;

export function parseVaultDocument(body: unknown): VaultDocument {
  const result = VaultDocumentSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`unexpected content at ${issue?.path.join('.') || 'top level'}`);
  }
  return result.data;
}
