/**
 * What contacts publish: their keys (checked, with trust on first use) and their profiles, fetched when
 * asked and received live from PEP notifications (main/services/contact-keys.ts, profile.ts).
 */
import { z } from 'zod';
import { event, request } from './define.js';
import { bareJidText, fingerprintText, type CertificateStatus, type TrustState } from './domain.js';
import type { ContactProfileView } from './profile.js';

export interface ContactKeyView {
  fingerprint: string;
  status: CertificateStatus;
  reason: string;
  notBefore?: string;
  notAfter?: string;
  bits?: number;
  trust: TrustState;
  firstSeen: string;
  lastSeen: string;
  /** For 'changed': the keys it appeared to replace. */
  replaces?: string[];
}

export interface KeyChangeView {
  kind: 'new' | 'changed' | 'retracted' | 'reappeared';
  fingerprint: string;
  replaces?: string[];
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
}

export const contacts = {
  requests: {
    /** Fetches the contact's keys now and records what they hold. */
    fetchKeys: request(z.object({ jid: bareJidText }).strict()).returns<ContactKeysView>(),
    /** What the vault remembers of the contact's keys, without asking the network (offline too). */
    knownKeys: request(z.object({ jid: bareJidText }).strict()).returns<ContactKeysView>(),
    /** The user compared the fingerprint with the contact and it matched. */
    markVerified: request(z.object({ jid: bareJidText, fingerprint: fingerprintText }).strict()).returns<ContactKeysView>(),
    /** Fetches the contact's profile nodes now; `avatarData: false` leaves the image out. */
    fetchProfile: request(z.object({ jid: bareJidText, avatarData: z.boolean().optional() }).strict()).returns<ContactProfileView>(),
  },
  events: {
    /** A contact's keys as just fetched or notified. */
    keys: event<ContactKeysView>(),
    /** A contact's profile as just fetched or notified (XEP-0292, XEP-0172, XEP-0084, XEP-0154). */
    profile: event<ContactProfileView>(),
  },
};
