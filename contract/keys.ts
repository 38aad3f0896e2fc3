/**
 * The user's own keys: made or imported into the vault (the private key never leaves main), published
 * to the account's PEP node the XEP-0222 way, retracted, exported as a public certificate.
 */
import { z } from 'zod';
import { request } from './define.js';
import { AccessParams, fingerprintText, NoParams, type EffectiveNodeConfig } from './domain.js';

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
    /** XEP-0222 publish; answers the node configuration read back from the server. */
    publish: request(z.object({ fingerprint: fingerprintText, access: AccessParams, reconfigure: z.boolean().optional() }).strict()).returns<EffectiveNodeConfig>(),
    retract: request(byFingerprint).returns<OwnKeyView[]>(),
    exportCertificate: request(z.object({ fingerprint: fingerprintText, format: z.enum(['pem', 'der']) }).strict()).returns<ExportedCertificate>(),
  },
  events: {},
};
