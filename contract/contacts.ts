/**
 * What contacts publish: their keys (checked, trusted by the policy the user chose, verified by
 * comparing fingerprints) and their profiles, fetched when asked and received live from PEP
 * notifications (main/services/contact-keys.ts, profile.ts).
 */
import { z } from 'zod';
import { accountChange, event, request } from './define.js';
import {
  bareJidText,
  ByJid,
  fingerprintText,
  TRUST_POLICIES,
  verificationClaimText,
  type ContactKeyStatus,
  type RevocationReasonName,
  type KeyTrustDecision,
  type TrustPolicy,
  type TrustState,
} from './domain.js';
import { QR_IMAGE_LIMITS } from './limits.js';
import type { ContactProfileView } from './profile.js';

export interface ContactKeyView {
  fingerprint: string;
  /** 'revoked': its owner published a revocation that verified; never valid again. */
  status: ContactKeyStatus;
  reason: string;
  notBefore?: string;
  notAfter?: string;
  bits?: number;
  /** What happened to the key (seen, verified, replaced one, withdrawn). */
  trust: TrustState;
  /** What the contact's trust policy makes of it: whether the app counts on it. */
  decision: KeyTrustDecision;
  verifiedAt?: string;
  /** When the user accepted it (a changed key) without comparing. */
  acceptedAt?: string;
  firstSeen: string;
  lastSeen: string;
  /** For 'changed': the keys it appeared to replace. */
  replaces?: string[];
  /**
   * The known key it continues (docs/key-lifecycle.md): by a succession statement that key signed
   * (checked against its certificate as stored here), or the same public key under a new certificate.
   * `verified`: that key was one the user verified ("continues a key you verified").
   */
  continues?: { fingerprint: string; basis: 'succession' | 'same-key'; verified: boolean };
  /** Why its claim to continue a known key did not hold (forged, unverifiable): for the warning's Details. */
  continuityProblem?: string;
  /** Its owner's revocation, when it is revoked: the reason and the date the statement gives. */
  revocation?: { reason: RevocationReasonName; date: string };
}

export interface KeyChangeView {
  /** 'continued': a new key that continues a known one; 'revoked': its owner revoked it. */
  kind: 'new' | 'changed' | 'retracted' | 'reappeared' | 'continued' | 'revoked';
  fingerprint: string;
  replaces?: string[];
  /** For 'continued': the known key it continues. */
  continues?: string;
}

export interface ContactKeysView {
  jid: string;
  /** What the last fetch found: keys, no key node, the contact's access model excludes us, or their
   *  server could not be reached (then nothing is known: not "no keys"); 'cached': what the vault
   *  remembers from earlier fetches and notifications, the network not asked. */
  fetch: 'ok' | 'none' | 'refused' | 'unreachable' | 'failed' | 'notified' | 'cached';
  detail?: string;
  keys: ContactKeyView[];
  /**
   * Items that could not be read as keys (hostile or broken), with why; `tooMany` marks keys left out
   * because the contact publishes more than the app keeps (CONTACT_KEY_LIMITS.currentKeys).
   */
  invalid: { itemId: string; reason: string; tooMany?: true }[];
  changes: KeyChangeView[];
  /** The trust policy that applies to this contact, and whether it is theirs or the account's. */
  policy: TrustPolicy;
  policySource: 'contact' | 'account';
  /** Comparisons that matched no current key, newest first (at most CONTACT_KEY_LIMITS.mismatches). */
  mismatches: MismatchView[];
  /**
   * When a comparison last matched one of their keys: a mismatch before it was answered by it, and its
   * alarm stays gone even once that verification is taken back (the key's verifiedAt goes then).
   */
  lastMatchAt?: string;
}

/** A comparison that matched none of the contact's current keys: never verifies anything. */
export interface MismatchView {
  /** The fingerprint the user offered (typed, pasted or scanned). */
  offered: string;
  at: string;
  via: 'typed' | 'uri' | 'qr';
}

/**
 * What a comparison found: the offered fingerprint is one of the contact's current keys (now verified),
 * or none of them (recorded as a mismatch; nothing is verified).
 */
export type VerifyAnswer =
  | { outcome: 'verified'; fingerprint: string; view: ContactKeysView }
  | { outcome: 'mismatch'; offered: string; view: ContactKeysView };

/**
 * A change of trust made here, for every window and tab (the one that asked gets the answer as well):
 * a contact's keys after a verification, a comparison that matched nothing, a verification taken back,
 * a changed key accepted, a policy set, trust brought back from a backup, or a fetch one window asked
 * for that found their keys changed (`view`'s keys, policy and mismatches are the news; what the last
 * fetch said stays as it was, and Activity hears of it in the asking window only); or the account's
 * trust policy.
 */
export type TrustChangeView = { kind: 'contact'; view: ContactKeysView } | { kind: 'account-policy'; policy: TrustPolicy };

/** XEP-0084 §4.2.1: an avatar's id is the SHA-1 (hex) of its image; main reads it lowercase. */
const avatarIdText = z.string().regex(/^[0-9a-f]{40}$/, 'An avatar id is a SHA-1 in hex');

/** A picture of the contact's QR code (their verification URI), decoded in main, never trusted. */
const qrImageBase64 = z
  .string()
  .min(4, 'The image is empty')
  .max(Math.ceil(QR_IMAGE_LIMITS.bytes / 3) * 4, `The picture is larger than ${QR_IMAGE_LIMITS.bytes / (1024 * 1024)} MiB.`)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'The image must be base64');

export const contacts = {
  requests: {
    /** Fetches the contact's keys now and records what they hold. */
    fetchKeys: request(ByJid).returns<ContactKeysView>(),
    /** What the vault remembers of the contact's keys, without asking the network (offline too). */
    knownKeys: request(ByJid).returns<ContactKeysView>(),
    /**
     * Compares what the user offers (a fingerprint typed or pasted, or a verification URI) with the
     * contact's current keys: the matching key is verified; no match is recorded and verifies nothing.
     */
    verify: accountChange(z.object({ jid: bareJidText, claim: verificationClaimText }).strict()).returns<VerifyAnswer>(),
    /**
     * The same, with a picture of the contact's QR code (PNG or JPEG, as its bytes say: no type is sent,
     * a browser's would come from the file's name) holding their verification URI.
     */
    verifyQrImage: accountChange(z.object({ jid: bareJidText, dataBase64: qrImageBase64 }).strict()).returns<VerifyAnswer>(),
    /**
     * Takes a verification back: the key is as it was before it (a change it cleared warns again, an
     * acceptance made before counts again), and the policy decides its trust.
     */
    unverify: accountChange(z.object({ jid: bareJidText, fingerprint: fingerprintText }).strict()).returns<ContactKeysView>(),
    /** Accepts a changed key without comparing: the warning clears; the policy decides its trust. */
    accept: accountChange(z.object({ jid: bareJidText, fingerprint: fingerprintText }).strict()).returns<ContactKeysView>(),
    /** Sets the contact's trust policy; null goes back to the account's. */
    setPolicy: accountChange(z.object({ jid: bareJidText, policy: z.enum(TRUST_POLICIES).nullable() }).strict()).returns<ContactKeysView>(),
    /** The account's trust policy (every contact without one of their own). */
    accountPolicy: request(z.undefined()).returns<TrustPolicy>(),
    setAccountPolicy: accountChange(z.object({ policy: z.enum(TRUST_POLICIES) }).strict()).returns<TrustPolicy>(),
    /** Fetches the contact's profile nodes now; `avatarData: false` leaves the image out. */
    fetchProfile: request(z.object({ jid: bareJidText, avatarData: z.boolean().optional() }).strict()).returns<ContactProfileView>(),
    /**
     * The picture of the contact's avatar `id` (XEP-0084: the SHA-1 of the image), for a screen that
     * dropped it. When main holds that avatar's metadata the answer refreshes the avatar part alone, at
     * most one request to the contact's server (none when the image is still held); otherwise it is a
     * whole fetch, as fetchProfile.
     */
    fetchAvatar: request(z.object({ jid: bareJidText, id: avatarIdText }).strict()).returns<ContactProfileView>(),
  },
  events: {
    /** A contact's keys as just fetched or notified. */
    keys: event<ContactKeysView>(),
    /** Trust changed (main/services/contact-keys.ts, backup.ts): TrustChangeView. */
    trust: event<TrustChangeView>(),
    /** A contact's profile as just fetched or notified (XEP-0292, XEP-0172, XEP-0084, XEP-0154). */
    profile: event<ContactProfileView>(),
  },
};
