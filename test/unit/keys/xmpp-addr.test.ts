import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { certificateFingerprint } from '../../../main/keys/fingerprint.js';
import { checkPublishedCertificate } from '../../../main/keys/validate.js';
import {
  bareJidKey,
  isBareJid,
  MalformedCertificateError,
  readCertificateIdentities,
  xmppAddrSubjectAltName,
} from '../../../main/keys/xmpp-addr.js';
import { forgeCertificate as forgeMade } from './forge-made.js';

/** forge-made.ts's certificate, its DER only. */
const forgeCertificate = (extensions: object[], commonName?: string): Buffer => forgeMade(extensions, commonName).der;

describe('reading the JIDs a certificate binds', () => {
  it('returns every xmppAddr in order, ignoring other name forms', () => {
    const generalNames = (jids: string[]): string => {
      const first = forge.asn1.fromDer(xmppAddrSubjectAltName(jids[0] ?? ''));
      for (const jid of jids.slice(1)) {
        (first.value as forge.asn1.Asn1[]).push(...(forge.asn1.fromDer(xmppAddrSubjectAltName(jid)).value as forge.asn1.Asn1[]));
      }
      (first.value as forge.asn1.Asn1[]).splice(1, 0, forge.asn1.create(forge.asn1.Class.CONTEXT_SPECIFIC, 2, false, 'capulet.lit'));
      return forge.asn1.toDer(first).getBytes();
    };
    const der = forgeCertificate([{ name: 'subjectAltName', value: generalNames(['juliet@capulet.lit', 'nurse@capulet.lit']) }]);
    expect(readCertificateIdentities(der)).toEqual({
      xmppAddrs: ['juliet@capulet.lit', 'nurse@capulet.lit'],
      commonNames: ['juliet@capulet.lit'],
    });
  });

  it('reports no xmppAddr when the SAN holds only DNS names', () => {
    const der = forgeCertificate([{ name: 'subjectAltName', altNames: [{ type: 2, value: 'capulet.lit' }] }]);
    expect(readCertificateIdentities(der)).toEqual({ xmppAddrs: [], commonNames: ['juliet@capulet.lit'] });
  });

  it('calls two subjectAltName extensions malformed (RFC 5280 §4.2: one instance per extension)', () => {
    const san = { name: 'subjectAltName', value: xmppAddrSubjectAltName('juliet@capulet.lit') };
    const der = forgeCertificate([san, { ...san }]);
    expect(() => readCertificateIdentities(der)).toThrow(MalformedCertificateError);
    const result = checkPublishedCertificate({ der, publisherJid: 'juliet@capulet.lit', itemId: certificateFingerprint(der) });
    expect(result).toMatchObject({ status: 'malformed', reason: expect.stringMatching(/two subjectAltName/) as string });
  });

  it('calls an xmppAddr that is not a UTF8String malformed (RFC 6120 §13.7.1.4)', () => {
    const { create, Class, Type } = forge.asn1;
    const ia5 = create(Class.UNIVERSAL, Type.SEQUENCE, true, [
      create(Class.CONTEXT_SPECIFIC, 0, true, [
        create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer('1.3.6.1.5.5.7.8.5').getBytes()),
        create(Class.CONTEXT_SPECIFIC, 0, true, [create(Class.UNIVERSAL, Type.IA5STRING, false, 'juliet@capulet.lit')]),
      ]),
    ]);
    const der = forgeCertificate([{ name: 'subjectAltName', value: forge.asn1.toDer(ia5).getBytes() }]);
    expect(() => readCertificateIdentities(der)).toThrow(/not a UTF8String/);
  });

  it('throws only MalformedCertificateError for bytes that are not a certificate', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from([0x30, 0x00]), Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), Buffer.from('hello')]) {
      expect(() => readCertificateIdentities(bytes)).toThrow(MalformedCertificateError);
    }
  });
});

describe('bare JIDs', () => {
  it('compare without case and without a resource', () => {
    expect(bareJidKey('Juliet@Capulet.LIT/Balcony')).toBe('juliet@capulet.lit');
    expect(bareJidKey('JÜLIET@capulet.lit')).toBe(bareJidKey('jüliet@capulet.lit'));
    // NFC: a precomposed ü and u + combining diaeresis are the same JID.
    expect(bareJidKey('ju\u0308liet@capulet.lit')).toBe(bareJidKey('j\u00fcliet@capulet.lit'));
  });

  it('are told apart from full JIDs and junk', () => {
    for (const jid of ['juliet@capulet.lit', 'capulet.lit', 'jüliet@cäpulet.lit']) expect(isBareJid(jid)).toBe(true);
    for (const jid of ['', 'juliet@capulet.lit/balcony', 'a@b@c', '@capulet.lit', 'juliet@', 'jul iet@capulet.lit', 'a\u0000@b', 'x'.repeat(2048)]) {
      expect(isBareJid(jid)).toBe(false);
    }
  });
});
