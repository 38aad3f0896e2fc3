/**
 * Renewal: a fresh certificate for the same key and the same account, when the current one nears its
 * end (expiry.ts says when). The key stays, so whatever was encrypted to it still opens; the
 * certificate, and so the fingerprint people compare, is new: publish it with a succession statement
 * (succession.ts) signed by the same key, so contacts see it continue the old one.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { KeyringError } from '../errors.js';
import { createSelfSignedCertificate } from './certificate.js';
import { certificateFingerprint } from './fingerprint.js';
import { requireOwnKey } from './signed-statement.js';
import { isBareJid, readCertificateIdentities } from './xmpp-addr.js';

const DAY_MS = 86_400_000;

export interface RenewalRequest {
  /** The certificate to renew (one of our own). */
  currentCertificateDer: Uint8Array;
  /** Its private key: never logged; it signs the new certificate and stays here. */
  privateKey: KeyObject;
  /**
   * Default: as many whole days as the current certificate was valid (at least one), rounded: the hour
   * a certificate made here starts early (clock-tolerance.ts CERTIFICATE_BACKDATE_MS) adds no day.
   */
  validityDays?: number;
  /** Default: now (the lifetime counts from now; the certificate starts a little earlier, certificate.ts). */
  notBefore?: Date;
}

export interface Renewal {
  der: Buffer;
  fingerprint: string;
  /** The JID the new certificate binds: the one the current certificate bound. */
  bareJid: string;
}

/** Throws KeyringError('invalid-argument') when the certificate is not ours to renew. */
export async function renewCertificate(request: RenewalRequest): Promise<Renewal> {
  const { currentCertificateDer, privateKey } = request;
  requireOwnKey(currentCertificateDer, privateKey);
  const bareJid = boundJid(currentCertificateDer);
  const current = new X509Certificate(currentCertificateDer);
  const previousDays = Math.round((Date.parse(current.validTo) - Date.parse(current.validFrom)) / DAY_MS);
  const der = await createSelfSignedCertificate({
    bareJid,
    privateKey,
    validityDays: request.validityDays ?? Math.max(1, previousDays),
    ...(request.notBefore ? { notBefore: request.notBefore } : {}),
  });
  return { der, fingerprint: certificateFingerprint(der), bareJid };
}

/** The JID the certificate binds: its xmppAddr (RFC 6120 §13.7.1.4), else its subject CN. */
function boundJid(der: Uint8Array): string {
  let names;
  try {
    names = readCertificateIdentities(der);
  } catch {
    throw new KeyringError('invalid-argument', 'The certificate’s names cannot be read.', 'certificate');
  }
  const candidates = names.xmppAddrs.length > 0 ? names.xmppAddrs : names.commonNames;
  const jid = candidates.find(isBareJid);
  if (jid === undefined) throw new KeyringError('invalid-argument', 'The certificate names no account to renew it for.', 'certificate');
  return jid;
}
