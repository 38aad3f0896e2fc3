/**
 * A certificate built and signed entirely by forge (slow JavaScript RSA, fine for a 1024-bit test key):
 * PrintableString names, forge's own DER, and shapes main/keys would never write itself.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export function forgeCertificate(extensions: object[], commonName = 'juliet@capulet.lit'): { der: Buffer; privateKey: KeyObject } {
  // A throwaway test key: private key material passes here, never log it.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer([{ name: 'commonName', value: commonName }]);
  cert.setExtensions(extensions);
  cert.sign(key, forge.md.sha256.create());
  return { der: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'), privateKey };
}
