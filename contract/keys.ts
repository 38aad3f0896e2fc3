/**
 * The user's own keys: made or imported into the vault (the private key never leaves main), published
 * to the account's PEP node the XEP-0222 way, retracted, exported as a public certificate.
 */
import { z } from 'zod';
import { event, request } from './define.js';
import { AccessParams, fingerprintText, NoParams, type EffectiveNodeConfig } from './domain.js';
import type { QueuedActionView } from './queue.js';

/** What the renderer and CLI see of an own key: public data only. */
export interface OwnKeyView {
  fingerprint: string;
  bits: number | undefined;
  notBefore: string | undefined;
  notAfter: string | undefined;
  createdAt: string;
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
  at: string;
}

const byFingerprint = z.object({ fingerprint: fingerprintText }).strict();

export const keys = {
  requests: {
    generate: request(
      z
        .object({
          bits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]),
          validityDays: z.number().int().min(1).max(36_500).optional(),
        })
        .strict(),
    ).returns<OwnKeyView>(),
    list: request(NoParams).returns<OwnKeyView[]>(),
    import: request(
      z
        .object({
          /** The files' bytes, base64: PEM key + certificate, or one PKCS#12 (1 MiB each at most). */
          files: z.array(z.string().max(1_400_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Files are sent as base64')).min(1).max(4),
          password: z.string().max(1024).optional(),
        })
        .strict(),
    ).returns<OwnKeyView>(),
    /** XEP-0222 publish now, or once online: the core decides (PublishAnswer). */
    publish: request(z.object({ fingerprint: fingerprintText, access: AccessParams, reconfigure: z.boolean().optional() }).strict()).returns<PublishAnswer>(),
    /** XEP-0060 §7.2 retract now, or once online. */
    retract: request(byFingerprint).returns<RetractAnswer>(),
    exportCertificate: request(z.object({ fingerprint: fingerprintText, format: z.enum(['pem', 'der']) }).strict()).returns<ExportedCertificate>(),
  },
  events: {
    /** Another device of the account changed the key node (main/services/own-devices.ts). */
    otherDevice: event<OtherDeviceKeysView>(),
  },
};
