/**
 * Many real certificates, fast: each binds its own JID and is signed by main/keys/certificate.ts, but a
 * few RSA key pairs are reused (key generation is what takes time; a self-signed certificate only needs
 * the key it carries to sign it). The DERs are exactly what the app would make and publish.
 */
import { availableParallelism } from 'node:os';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { createSelfSignedCertificate } from '../../../main/keys/certificate.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../main/keys/generate.js';
import { mapConcurrent } from '../../support/map-concurrent.js';

export interface MadeCertificate {
  jid: string;
  der: Buffer;
  fingerprint: string;
}

export async function makeKeyPairs(count: number): Promise<RsaKeyPair[]> {
  return Promise.all(Array.from({ length: count }, () => generateRsaKeyPair(2048)));
}

export async function makeCertificates(jids: readonly string[], keyPairs: readonly RsaKeyPair[]): Promise<MadeCertificate[]> {
  // Signing runs on libuv's pool; a few in flight keep both cores busy.
  return mapConcurrent(
    jids.map((jid, index) => ({ jid, index })),
    availableParallelism() * 2,
    async ({ jid, index }) => {
      const pair = keyPairs[index % keyPairs.length];
      if (!pair) throw new Error('no key pair');
      const der = await createSelfSignedCertificate({ bareJid: jid, privateKey: pair.privateKey });
      return { jid, der, fingerprint: certificateFingerprint(der) };
    },
  );
}
