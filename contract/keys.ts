/**
 * The user's own keys: made or imported into the vault (the private key never leaves main), published
 * to the account's PEP node the XEP-0222 way, retracted, exported as a public certificate.
 */
import { z } from 'zod';
import { accountChange, event, request } from './define.js';
import { AccessParams, fingerprintText, NoParams, REVOCATION_REASONS, type AccessRequest, type EffectiveNodeConfig, type RevocationReasonName } from './domain.js';
import { OWN_KEY_LABEL_CHARS } from './limits.js';
import type { QueuedActionView } from './queue.js';

/**
 * When to warn that a certificate expires: from 30, 7 and 1 days before its notAfter, and once it has
 * (RFC 5280 §4.1.2.5: notAfter itself is still valid). daysLeft rounds up, daysAgo down.
 */
export type KeyExpiry =
  | { level: 'none' | 'within-30-days' | 'within-7-days' | 'within-1-day'; daysLeft: number }
  | { level: 'expired'; daysAgo: number }
  | { level: 'unknown' };

/** What the renderer and CLI see of an own key: public data only. */
export interface OwnKeyView {
  fingerprint: string;
  /** The name the user gave it; absent when none (the screen names it by its date). */
  label?: string;
  /**
   * The key contacts should use now: of the keys valid now (started, not expired, not revoked), the
   * newest published one (or the newest at all while none is published). At most one key is current;
   * none while no key is valid now, when every key has expired or the only ones left have yet to start.
   */
  current: boolean;
  /**
   * Its certificate starts after the moment the list was made, by this computer's clock (a file dated
   * ahead, or a key made while this clock ran ahead): not usable yet, never current. The screens say
   * from when it is valid (notBefore).
   */
  notYetValid?: true;
  /** The key this one replaced (renewal or rotation), by a statement that key signed. */
  continues?: string;
  /**
   * Revoked by the user: why, and the date of the statement. Never published again, never current.
   * `underCertificate`: revoked as the certificate named there was, one of the same public key (a
   * renewal keeps it), for a reason that condemns the key itself (compromised, unspecified); main
   * records each such certificate revoked on its own, and says this only for a vault from before it did.
   */
  revoked?: { reason: RevocationReasonName; date: string; underCertificate?: string };
  /**
   * Revoked here, but its revocation has not gone out yet (held back: the key node was set, by another
   * client, to an audience the app cannot publish to). Contacts are not told until it does; the app
   * publishes it at the first sign-in that can (main/services/own-revocations.ts).
   */
  revocationUnpublished?: true;
  /** True when revocation statements are kept for it (made at generation, for the backup). */
  hasPreparedRevocations?: true;
  bits: number | undefined;
  notBefore: string | undefined;
  notAfter: string | undefined;
  /** As of when the list was made (main/keys/expiry.ts). */
  expiry: KeyExpiry;
  /** When it came into the vault: made here, imported (`imported`), or restored with the backup's date. */
  createdAt: string;
  /**
   * Imported from a file, not made here: createdAt is the day of the import, and its certificate's
   * dates (notBefore, notAfter) are its own, possibly earlier or later. Absent for a key restored from a
   * backup, which does not record it.
   */
  imported?: true;
  publications: { node: string; accessModel: string; groups?: string[]; allow?: string[]; publishedAt: string }[];
}

export interface ExportedCertificate {
  fingerprint: string;
  pem?: string;
  derBase64?: string;
}

/**
 * What publishing answers. Online: published, with the node's configuration as the server reports it.
 * Offline (or reconnecting): kept in the queue, to run once the account is online (contract/queue.ts).
 * Either way the key list as it now stands, so the screen needs no second request.
 */
export type PublishAnswer =
  | { outcome: 'published'; config: EffectiveNodeConfig; keys: OwnKeyView[] }
  | { outcome: 'queued'; action: QueuedActionView; keys: OwnKeyView[] };

/** What retracting answers: done, or queued while offline; and the key list as it now stands. */
export type RetractAnswer = { outcome: 'retracted'; keys: OwnKeyView[] } | { outcome: 'queued'; action: QueuedActionView; keys: OwnKeyView[] };

/**
 * Keys of the account that another of its devices published or withdrew (the own key node's
 * notifications): fingerprints this device's vault does not hold.
 */
export interface OtherDeviceKeysView {
  added: string[];
  withdrawn: string[];
  /** Keys of this vault found revoked on the account's key node (another device, or before a restore). */
  revoked: string[];
  /**
   * Keys of this vault found on the account's key node while this vault recorded them as not published
   * (a publish cut off after the server took it, before it was recorded; or a key restored from a
   * backup): now recorded as published, to the node's audience as the server reports it.
   */
  found: string[];
  at: string;
}

/**
 * Why the account's own key node could not be read: the server refused its owner (ejabberd 23.01 under
 * roster access), could not be reached in time, or failed otherwise.
 */
export interface KeyNodeUnreadView {
  reason: 'refused' | 'unreachable' | 'failed';
  at: string;
}

/**
 * Who may read the keys already published: one audience for the whole node (XEP-0060 §4.5 configures
 * access per node, not per item). From the server when online; offline, as this app last recorded it.
 * `access` is absent when no key is published (the node is missing or empty as far as we know).
 */
export interface KeyAudience {
  source: 'server' | 'saved';
  access?: AccessRequest;
  /** How many of the user's keys are published there now (what a change of audience affects). */
  publishedKeys: number;
}

/**
 * What renewing answers: the successor's fingerprint; whether it was published (when the old key was,
 * to the same audience) and the old one then withdrawn; the list as it now stands.
 */
export interface RenewOutcome {
  fingerprint: string;
  published: boolean;
  withdrawn: boolean;
  config?: EffectiveNodeConfig;
}
export type RenewAnswer = RenewOutcome & { keys: OwnKeyView[] };

/**
 * What revoking did: whether the revocation was published (to the key node's audience: it is where
 * contacts read keys) and the key's own item then withdrawn.
 */
export interface RevokeOutcome {
  /** The revocation went to the key node, for contacts to read. */
  published: boolean;
  /** The key's own item was withdrawn from the key node just after. */
  withdrawn: boolean;
  /**
   * The key's own item is still on the key node: its withdrawal was cut off (the connection lost, the
   * server refusing). The key is revoked all the same; its withdrawal is tried again at the next
   * connection (done only if the server lets the app read the key node: keys:keyNodeUnread says not).
   */
  withdrawalPending: boolean;
  /**
   * The account's other certificates of the same public key, revoked with it: a revocation as
   * compromised (or for no reason given) condemns the key, and a renewal keeps it (docs/key-lifecycle.md).
   * Each is withdrawn from the key node too; one whose withdrawal was cut off makes withdrawalPending.
   */
  alsoRevoked?: string[];
  config?: EffectiveNodeConfig;
}
/** Revoked now, or queued while offline; and the key list as it now stands. */
export type RevokeAnswer =
  | ({ outcome: 'revoked'; keys: OwnKeyView[] } & RevokeOutcome)
  | { outcome: 'queued'; action: QueuedActionView; keys: OwnKeyView[] };

/** What deleting answers: whether the key was withdrawn from the account first, and the list as it now stands. */
export interface DeleteAnswer {
  retracted: boolean;
  keys: OwnKeyView[];
}

const byFingerprint = z.object({ fingerprint: fingerprintText }).strict();
/** A key's name: trimmed; empty takes the name away. */
const keyLabel = z
  .string()
  .max(OWN_KEY_LABEL_CHARS * 2)
  .transform((s) => s.trim())
  .pipe(z.string().max(OWN_KEY_LABEL_CHARS, `A key's name has at most ${OWN_KEY_LABEL_CHARS} characters.`).regex(/^[^\p{Cc}]*$/u, 'A name is one line of text.'));

export const keys = {
  requests: {
    generate: accountChange(
      z
        .object({
          bits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]),
          validityDays: z.number().int().min(1).max(36_500).optional(),
          label: keyLabel.optional(),
        })
        .strict(),
    ).returns<OwnKeyView>(),
    /** Newest first. */
    list: request(NoParams).returns<OwnKeyView[]>(),
    rename: accountChange(z.object({ fingerprint: fingerprintText, label: keyLabel }).strict()).returns<OwnKeyView[]>(),
    /**
     * Erases a key from the vault, private half included. A published key is retracted first (XEP-0060
     * §7.2), so contacts are not left with a key nobody holds; that needs the connection.
     */
    delete: accountChange(byFingerprint).returns<DeleteAnswer>(),
    /**
     * A fresh certificate for the same key, or a new key (newKey), with a succession statement signed by
     * the old key; published to the old one's audience, then the old one withdrawn. Needs the connection.
     */
    renew: accountChange(z.object({ fingerprint: fingerprintText, newKey: z.boolean().optional() }).strict()).returns<RenewAnswer>(),
    /**
     * Revokes a key for good (docs/key-lifecycle.md): a revocation signed by the key is published to the
     * key node, then the key's own item withdrawn; queued while offline. Reason: why, in RFC 5280's terms.
     */
    revoke: accountChange(z.object({ fingerprint: fingerprintText, reason: z.enum(REVOCATION_REASONS) }).strict()).returns<RevokeAnswer>(),
    /** Who may read the keys already published: where the publish panel starts. */
    audience: request(NoParams).returns<KeyAudience>(),
    import: accountChange(
      z
        .object({
          /** The files' bytes, base64: PEM key + certificate, or one PKCS#12 (1 MiB each at most). */
          files: z.array(z.string().max(1_400_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Files are sent as base64')).min(1).max(4),
          password: z.string().max(1024).optional(),
        })
        .strict(),
    ).returns<OwnKeyView>(),
    /** XEP-0222 publish now, or once online: the core decides (PublishAnswer). */
    publish: accountChange(z.object({ fingerprint: fingerprintText, access: AccessParams, reconfigure: z.boolean().optional() }).strict()).returns<PublishAnswer>(),
    /** XEP-0060 §7.2 retract now, or once online. */
    retract: accountChange(byFingerprint).returns<RetractAnswer>(),
    exportCertificate: request(z.object({ fingerprint: fingerprintText, format: z.enum(['pem', 'der']) }).strict()).returns<ExportedCertificate>(),
  },
  events: {
    /** Another device of the account changed the key node (main/services/own-devices.ts). */
    otherDevice: event<OtherDeviceKeysView>(),
    /**
     * The account's keys as they now stand, after any change of them written to the vault (made,
     * imported, named, published, withdrawn, renewed, revoked, deleted, restored, found on the server),
     * whoever asked: every window and tab shows the same list.
     */
    changed: event<OwnKeyView[]>(),
    /**
     * The account's key node could not be read (main/services/own-revocations.ts): revocations made on
     * other devices are not seen, and a revoked key's item left on it is not withdrawn, until it can be.
     */
    keyNodeUnread: event<KeyNodeUnreadView>(),
  },
};
