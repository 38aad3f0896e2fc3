/**
 * TLS channel bindings for SCRAM-*-PLUS (RFC 5802 §6): data both ends of *this* TLS connection derive
 * and a man in the middle cannot, even one holding a certificate for the server's name that a CA
 * mis-issued, because its connection to us and its connection to the server are different channels.
 *
 * Which types we compute, best first (XEP-0440 §4 recommends tls-exporter over tls-server-end-point):
 * - tls-exporter (RFC 9266 §2): the TLS exporter with label "EXPORTER-Channel-Binding", no context,
 *   32 bytes. Only on TLS 1.3: on TLS 1.2 it is safe only with the extended master secret (RFC 9266
 *   §4.2), which Node does not let us check.
 * - tls-server-end-point (RFC 5929 §4.1): a hash of the server's certificate, with the hash of the
 *   certificate's signature algorithm, SHA-256 when that is MD5 or SHA-1. Undefined (so not offered)
 *   for a certificate whose signature uses no single hash (Ed25519, Ed448, RSASSA-PSS).
 * - tls-unique (RFC 5929 §3.1): the first Finished message of the handshake, ours in a full handshake
 *   (we never resume sessions). RFC 5929 defines it up to TLS 1.2 only (RFC 8446 §C.5). On TLS 1.3
 *   ejabberd 23.01 (Debian 12's, measured: p1_xmpp xmpp_sasl_scram) still offers SCRAM-SHA-1-PLUS with
 *   tls-unique only, and checks it against the Finished message its TLS library received from the
 *   client, which is Node's getFinished(). That message is a MAC over this connection's whole
 *   handshake under keys only its two ends hold, so it binds the channel as tls-unique means to; the
 *   app computes it so on TLS 1.3 too, and prefers either type above whenever the server offers one.
 */
import { createHash } from 'node:crypto';
import forge from 'node-forge';

export type ChannelBindingType = 'tls-exporter' | 'tls-server-end-point' | 'tls-unique';

/** Our preference among the types both sides support. */
export const CHANNEL_BINDING_PREFERENCE: readonly ChannelBindingType[] = ['tls-exporter', 'tls-server-end-point', 'tls-unique'];

/** The parts of a TLS connection (a TLSSocket) channel binding reads; tests give a recorded one. */
export interface TlsChannel {
  getProtocol(): string | null;
  getFinished(): Buffer | undefined;
  isSessionReused(): boolean;
  exportKeyingMaterial(length: number, label: string, context: Buffer): Buffer;
  /** The server's certificate; `raw` is its DER. */
  getPeerCertificate(): { raw?: Buffer };
}

/** The binding data of `type` for this connection, or undefined when it is not defined for it. */
export function channelBindingData(channel: TlsChannel, type: ChannelBindingType): Buffer | undefined {
  switch (type) {
    case 'tls-exporter':
      // RFC 9266 §2: label "EXPORTER-Channel-Binding", empty context, 32 bytes; TLS 1.3 only (see above).
      if (channel.getProtocol() !== 'TLSv1.3') return undefined;
      return channel.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
    case 'tls-server-end-point': {
      const der = channel.getPeerCertificate().raw;
      if (!der || der.length === 0) return undefined;
      const hash = endPointHash(der);
      return hash === undefined ? undefined : createHash(hash).update(der).digest();
    }
    case 'tls-unique': {
      // RFC 5929 §3.1: the first Finished message of the latest handshake: the client's in a full
      // handshake. After a resumption it would be the server's; we never resume, so refuse rather than guess.
      const protocol = channel.getProtocol();
      if (protocol === null || channel.isSessionReused()) return undefined;
      const finished = channel.getFinished();
      return finished && finished.length > 0 ? finished : undefined;
    }
  }
}

/** The channel binding types this connection can give, best first. */
export function computableChannelBindings(channel: TlsChannel): ChannelBindingType[] {
  return CHANNEL_BINDING_PREFERENCE.filter((type) => channelBindingData(channel, type) !== undefined);
}

/** Signature algorithm OID → the hash RFC 5929 §4.1 names for it (MD5 and SHA-1 are replaced by SHA-256). */
const SIGNATURE_HASHES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224', // sha224WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'sha512', // sha512WithRSAEncryption
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224', // ecdsa-with-SHA224
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': 'sha512', // ecdsa-with-SHA512
  '1.2.840.10040.4.3': 'sha256', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'sha224', // dsa-with-sha224
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
};

/** The hash for tls-server-end-point, from the certificate's signatureAlgorithm (RFC 5280 §4.1.1.2). */
export function endPointHash(der: Buffer): string | undefined {
  try {
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue }
    const certificate = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    const algorithm = Array.isArray(certificate.value) ? certificate.value[1] : undefined;
    const oid = algorithm && Array.isArray(algorithm.value) ? algorithm.value[0] : undefined;
    if (!oid || oid.type !== forge.asn1.Type.OID || typeof oid.value !== 'string') return undefined;
    return SIGNATURE_HASHES[forge.asn1.derToOid(forge.util.createBuffer(oid.value))];
  } catch {
    return undefined;
  }
}
