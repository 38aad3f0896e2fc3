/**
 * Which mechanism and channel binding the app picks from a server's offer (main/xmpp/sasl-login.ts,
 * chooseLogin; main/xmpp/channel-binding.ts), on recorded TLS connections: every -PLUS before any plain
 * SCRAM, and never "n" or "y" when the server offered a -PLUS whose binding the app can compute.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { channelBindingData, endPointHash, type TlsChannel } from '../../../main/xmpp/channel-binding.js';
import { announcedChannelBindings, chooseLogin, SASL_MECHANISMS } from '../../../main/xmpp/sasl-login.js';
import parse from '@xmpp/xml/lib/parse.js';

const EXPORTER = Buffer.alloc(32, 0xe1);
const FINISHED = Buffer.alloc(12, 0xf1);

/** A self-signed certificate whose signature uses `digest` (forge message digest name). */
function certificate(digest: 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512'): Buffer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'capulet.lit' }]);
  cert.setIssuer([{ name: 'commonName', value: 'capulet.lit' }]);
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  cert.sign(key, forge.md[digest].create());
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

const SHA256_CERT = certificate('sha256');

/** A TLS connection as channel-binding.ts reads it. */
function channel(protocol: 'TLSv1.3' | 'TLSv1.2', der: Buffer = SHA256_CERT, reused = false): TlsChannel {
  return {
    getProtocol: () => protocol,
    getFinished: () => FINISHED,
    isSessionReused: () => reused,
    exportKeyingMaterial: (length: number, label: string) => {
      expect(label).toBe('EXPORTER-Channel-Binding');
      return EXPORTER.subarray(0, length);
    },
    getPeerCertificate: () => ({ raw: der }),
  };
}

const ALL_SCRAM = SASL_MECHANISMS.filter((m) => m !== 'PLAIN');

describe('the mechanism: every -PLUS first, then the strongest hash', () => {
  it.each([
    [['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], 'SCRAM-SHA-1-PLUS'],
    [['SCRAM-SHA-1-PLUS', 'SCRAM-SHA-256-PLUS', 'SCRAM-SHA-512-PLUS'], 'SCRAM-SHA-512-PLUS'],
    [['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-512'], 'SCRAM-SHA-256-PLUS'],
    [['SCRAM-SHA-1', 'SCRAM-SHA-256', 'PLAIN'], 'SCRAM-SHA-256'],
    [['SCRAM-SHA-512', 'SCRAM-SHA-1'], 'SCRAM-SHA-512'],
    [['PLAIN', 'X-OAUTH2'], 'PLAIN'],
  ])('offered %j: %s', (offered, expected) => {
    expect(chooseLogin(offered, undefined, channel('TLSv1.3'), 'capulet.lit').mechanism).toBe(expected);
  });

  it('nothing the app knows: auth-required', () => {
    expect(() => chooseLogin(['X-OAUTH2', 'EXTERNAL'], undefined, channel('TLSv1.3'), 'capulet.lit')).toThrow(
      expect.objectContaining({ code: 'auth-required' }) as Error,
    );
  });
});

describe('the channel binding', () => {
  const plus = ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'];
  const binding = (announced: string[] | undefined, tls: TlsChannel) => chooseLogin(plus, announced, tls, 'capulet.lit').scram?.binding;

  it('TLS 1.3 with tls-exporter and tls-server-end-point announced (XEP-0440): tls-exporter (RFC 9266)', () => {
    expect(binding(['tls-server-end-point', 'tls-exporter'], channel('TLSv1.3'))).toEqual({ flag: 'p', type: 'tls-exporter', data: EXPORTER });
  });

  it('TLS 1.2: tls-exporter is not used (unsafe without the extended master secret), tls-server-end-point is', () => {
    expect(binding(['tls-exporter', 'tls-server-end-point'], channel('TLSv1.2'))).toEqual({
      flag: 'p',
      type: 'tls-server-end-point',
      data: createHash('sha256').update(SHA256_CERT).digest(),
    });
  });

  it('no XEP-0440 list: SCRAM\'s default, tls-unique (our Finished message), on TLS 1.2 and, as ejabberd 23.01 checks it, 1.3', () => {
    expect(binding(undefined, channel('TLSv1.2'))).toEqual({ flag: 'p', type: 'tls-unique', data: FINISHED });
    expect(binding(undefined, channel('TLSv1.3'))).toEqual({ flag: 'p', type: 'tls-unique', data: FINISHED });
  });

  it('-PLUS offered but no binding the app can compute: it does not sign in, and says why', () => {
    for (const [announced, tls] of [
      [['tls-exporter'], channel('TLSv1.2')],
      [['tls-unique-for-telnet'], channel('TLSv1.3')],
      [[], channel('TLSv1.3')],
      [undefined, channel('TLSv1.2', SHA256_CERT, true)], // a resumed session: tls-unique would be the server's Finished
    ] as const) {
      let error: unknown;
      try {
        binding(announced === undefined ? undefined : [...announced], tls);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KeyringError);
      expect((error as KeyringError).code).toBe('auth-required');
      expect((error as KeyringError).message).toMatch(/cannot compute/);
    }
  });

  it('no -PLUS offered: "y", since the app can bind and the server appears not to (RFC 5802 §6)', () => {
    expect(chooseLogin(['SCRAM-SHA-256', 'PLAIN'], ['tls-exporter'], channel('TLSv1.3'), 'capulet.lit').scram?.binding).toEqual({ flag: 'y' });
  });

  it('never "n" or "y" when the server offered a -PLUS whose binding is computable, whatever else it offered', () => {
    const announcements: (string[] | undefined)[] = [undefined, ['tls-exporter'], ['tls-server-end-point'], ['tls-unique'], ['tls-exporter', 'tls-server-end-point', 'tls-unique']];
    let checked = 0;
    // Every subset of the SCRAM mechanisms that holds at least one -PLUS.
    for (let mask = 1; mask < 1 << ALL_SCRAM.length; mask++) {
      const offered = ALL_SCRAM.filter((_, i) => mask & (1 << i));
      if (!offered.some((m) => m.endsWith('-PLUS'))) continue;
      for (const announced of announcements) {
        const choice = chooseLogin([...offered, 'PLAIN'], announced, channel('TLSv1.3'), 'capulet.lit');
        expect(choice.mechanism).toMatch(/-PLUS$/);
        expect(choice.scram?.binding.flag).toBe('p');
        checked++;
      }
    }
    expect(checked).toBe(7 * 8 * 5);
  });
});

describe('tls-server-end-point: the hash named by the certificate signature (RFC 5929 §4.1)', () => {
  it.each([
    ['md5', 'sha256'],
    ['sha1', 'sha256'],
    ['sha256', 'sha256'],
    ['sha384', 'sha384'],
    ['sha512', 'sha512'],
  ] as const)('signed with %s: %s', (digest, expected) => {
    const der = certificate(digest);
    expect(endPointHash(der)).toBe(expected);
    expect(channelBindingData(channel('TLSv1.3', der), 'tls-server-end-point')).toEqual(createHash(expected).update(der).digest());
  });

  it('no certificate, or one that does not parse: not computable', () => {
    expect(channelBindingData(channel('TLSv1.3', Buffer.alloc(0)), 'tls-server-end-point')).toBeUndefined();
    expect(endPointHash(Buffer.from('not a certificate'))).toBeUndefined();
  });
});

describe('reading XEP-0440 from the stream features', () => {
  it('as a top-level feature (XEP-0440 0.4), or inside <mechanisms/> (earlier versions)', () => {
    const topLevel = parse(
      "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>" +
        "<channel-binding type='tls-server-end-point'/><channel-binding type='tls-exporter'/></sasl-channel-binding>" +
        "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1-PLUS</mechanism></mechanisms></stream:features>",
    );
    expect(announcedChannelBindings(topLevel)).toEqual(['tls-server-end-point', 'tls-exporter']);
    const inside = parse(
      "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" +
        "<mechanism>SCRAM-SHA-1-PLUS</mechanism><sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'><channel-binding type='tls-unique'/>" +
        '</sasl-channel-binding></mechanisms></stream:features>',
    );
    expect(announcedChannelBindings(inside)).toEqual(['tls-unique']);
    const none = parse("<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:features>");
    expect(announcedChannelBindings(none)).toBeUndefined();
  });
});
