/**
 * The keys other apps publish for an account: OMEMO devices (XEP-0384, both the
 * eu.siacs.conversations.axolotl nodes and urn:xmpp:omemo:2) and OpenPGP for XMPP keys (XEP-0373).
 * The app only reads them (main/services/other-app-keys.ts); of the user's own account it can also take
 * a device off the published device list. Each key carries its state as data (new, known, changed,
 * removed) so a trust policy can be applied on top.
 */
import { z } from 'zod';
import { accountChange, event, request } from './define.js';
import type { MismatchView } from './contacts.js';
import { bareJidText, ByJid, NoParams, otherKeyFingerprintText, type KeyTrustDecision } from './domain.js';

/** 'omemo': XEP-0384 v0.3 (eu.siacs.conversations.axolotl); 'omemo2': urn:xmpp:omemo:2; 'openpgp': XEP-0373. */
export type OtherKeyProtocol = 'omemo' | 'omemo2' | 'openpgp';

/**
 * - 'known': seen before, or seen at the first look at this account (trust on first use);
 * - 'new': a device or key that appeared after the first look (for a week after it appeared);
 * - 'changed': the same OMEMO device id now has another identity key, or an OpenPGP key took the place of
 *   one that went in the same reading: the warning (stays until a trust decision clears it);
 * - 'removed': the list no longer names it.
 */
export type OtherKeyState = 'new' | 'known' | 'changed' | 'removed';

export interface OtherKeyView {
  protocol: OtherKeyProtocol;
  /** OMEMO only. */
  deviceId?: number;
  /**
   * OMEMO: the identity key's Curve25519 form, 64 lowercase hex digits (the same in both versions and in
   * every client); OpenPGP: the v4 fingerprint, 40 uppercase hex digits. Empty when no bundle or key data
   * could ever be read for it.
   */
  fingerprint: string;
  /** For 'changed': the fingerprints it had before, most recent first. */
  previous?: string[];
  firstSeen: string;
  lastSeen: string;
  /** When it changed ('changed') or left the list ('removed'). */
  since?: string;
  state: OtherKeyState;
  /**
   * What the contact's trust policy (the same one as for their X.509 keys, main/keys/trust-policy.ts)
   * makes of it: 'changed' until the user verifies or accepts it; 'withdrawn' once removed.
   */
  decision: KeyTrustDecision;
  /** When the user verified this fingerprint (compared it with the one their app shows). */
  verifiedAt?: string;
  /** When the user accepted it (a changed key) without comparing. */
  acceptedAt?: string;
  /** OMEMO 2 device label, only when its signature verifies (XEP-0384 §5.3.1). Untrusted text. */
  label?: string;
  /** OpenPGP: the key's creation time and algorithm. */
  created?: string;
  algorithm?: string;
  bits?: number;
  /**
   * OMEMO: on the last reading, the device's app had published no bundle for it (the device is listed,
   * its keys are nowhere), as opposed to a bundle that was there but could not be read.
   */
  noBundle?: true;
  /** OMEMO: the bundle's signed prekey signature verified against the identity key. */
  signatureValid?: boolean;
  /**
   * OpenPGP: none of the key's User IDs is "xmpp:" + this account's address (XEP-0373 §5.1): issued for
   * someone else. Never trusted, and comparing its fingerprint cannot verify it.
   */
  forAnotherAddress?: true;
  /** What the last reading found wrong with it (untrusted details, already cleaned). */
  problems: string[];
  /**
   * Own account only (devices:own): why a device looks abandoned. 'no-bundle': listed, but no readable
   * bundle (nobody can start a session with it); 'quiet': its bundle has not changed for
   * OTHER_KEY_LIMITS.staleAfterDays while the app watched (a device in use republishes its bundle as
   * prekeys are used and its signed prekey is rotated).
   */
  stale?: 'no-bundle' | 'quiet';
}

/** What one node gave on the last reading. */
export interface OtherKeysSourceView {
  protocol: OtherKeyProtocol;
  status: 'ok' | 'none' | 'refused' | 'unreachable' | 'failed' | 'invalid';
  detail?: string;
}

export interface OtherKeysView {
  jid: string;
  /** One per protocol: the device list or key list. */
  sources: OtherKeysSourceView[];
  keys: OtherKeyView[];
  /** Devices or keys left out because the account publishes more than the app keeps. */
  leftOut: number;
  /** Comparisons of OMEMO or OpenPGP fingerprints that matched none of these keys, newest first. */
  mismatches: MismatchView[];
  /**
   * When a comparison last matched one of these devices or keys: a mismatch before it was answered by
   * it, and its alarm stays gone even once that verification is taken back (as ContactKeysView.lastMatchAt).
   */
  lastMatchAt?: string;
}

/**
 * What comparing a fingerprint with the account's current OMEMO devices and OpenPGP keys found: the
 * keys with that fingerprint are verified, or none has it (recorded as a mismatch; nothing is verified).
 */
export type OtherKeyVerifyAnswer =
  | { outcome: 'verified'; fingerprint: string; view: OtherKeysView }
  | { outcome: 'mismatch'; offered: string; view: OtherKeysView };

const deviceId = z.number().int().min(1).max(2 ** 31 - 1);

export const devices = {
  requests: {
    /** Reads a contact's OMEMO devices and OpenPGP keys now and records what changed. */
    fetchContact: request(ByJid).returns<OtherKeysView>(),
    /** The user's own account: what their other clients published, with stale ones flagged. */
    own: request(NoParams).returns<OtherKeysView>(),
    /** Republishes the own device list without this device (XEP-0384), the node's access unchanged. */
    removeOwn: accountChange(z.object({ protocol: z.enum(['omemo', 'omemo2']), deviceId }).strict()).returns<OtherKeysView>(),
    /**
     * Compares a fingerprint (as Conversations, Gajim, Dino or gpg print it) with the contact's current
     * devices and keys, as contacts:verify does for X.509 keys: those with it are verified and a 'changed'
     * warning clears; no match is recorded as a mismatch and verifies nothing.
     */
    verify: accountChange(z.object({ jid: bareJidText, fingerprint: otherKeyFingerprintText }).strict()).returns<OtherKeyVerifyAnswer>(),
    /**
     * Takes back the verification of the contact's current devices or keys with that fingerprint, as
     * contacts:unverify does for X.509 keys: the policy decides their trust again, and a change the
     * verification had cleared warns again. Refused for a fingerprint none of them has or none verified.
     */
    unverify: accountChange(z.object({ jid: bareJidText, fingerprint: otherKeyFingerprintText }).strict()).returns<OtherKeysView>(),
    /** Accepts a changed device or key without comparing: the warning clears; the policy decides its trust. */
    accept: accountChange(z.object({ jid: bareJidText, fingerprint: otherKeyFingerprintText }).strict()).returns<OtherKeysView>(),
  },
  events: {
    /** A contact's devices and keys as a background fetch or a notification found them. */
    contact: event<OtherKeysView>(),
  },
};
