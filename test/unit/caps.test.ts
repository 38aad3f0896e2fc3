import { describe, expect, it } from 'vitest';
import { capsVer, capsVerificationString, OWN_DISCO, discoInfoElement } from '../../main/xmpp/caps.js';
import { parseDiscoInfo } from '../../main/xmpp/disco.js';

describe('XEP-0115 verification string', () => {
  it('matches the simple worked example (§5.2): QgayPKawpkPSDYmwT/WM94uAlu0=', () => {
    const input = {
      identities: [{ category: 'client', type: 'pc', name: 'Exodus 0.9.1' }],
      features: [
        'http://jabber.org/protocol/disco#info',
        'http://jabber.org/protocol/disco#items',
        'http://jabber.org/protocol/muc',
        'http://jabber.org/protocol/caps',
      ],
    };
    expect(capsVerificationString(input)).toBe(
      'client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<' +
        'http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<',
    );
    expect(capsVer(input)).toBe('QgayPKawpkPSDYmwT/WM94uAlu0=');
  });

  it('matches the complex worked example with languages and an extended form (§5.3): q07IKJEyjvHSyhy//CH0CxmKi8w=', () => {
    const input = {
      identities: [
        { category: 'client', type: 'pc', lang: 'en', name: 'Psi 0.11' },
        { category: 'client', type: 'pc', lang: 'el', name: 'Ψ 0.11' },
      ],
      features: [
        'http://jabber.org/protocol/caps',
        'http://jabber.org/protocol/disco#info',
        'http://jabber.org/protocol/disco#items',
        'http://jabber.org/protocol/muc',
      ],
      forms: [
        {
          formType: 'urn:xmpp:dataforms:softwareinfo',
          fields: [
            { var: 'ip_version', values: ['ipv6', 'ipv4'] },
            { var: 'os', values: ['Mac'] },
            { var: 'os_version', values: ['10.5.1'] },
            { var: 'software', values: ['Psi'] },
            { var: 'software_version', values: ['0.11'] },
          ],
        },
      ],
    };
    expect(capsVer(input)).toBe('q07IKJEyjvHSyhy//CH0CxmKi8w=');
  });

  it('advertises +notify for the key node, every profile node and other apps’ device and key lists, and answers disco with the same set', () => {
    expect(OWN_DISCO.features).toEqual(
      expect.arrayContaining([
        'urn:xmpp:tmp:pubkey+notify',
        'urn:xmpp:vcard4+notify',
        'http://jabber.org/protocol/nick+notify',
        'urn:xmpp:avatar:metadata+notify',
        'urn:xmpp:tmp:profile+notify',
        // Other apps' keys (XEP-0384 both versions, XEP-0373 §4.2), read only.
        'eu.siacs.conversations.axolotl.devicelist+notify',
        'urn:xmpp:omemo:2:devices+notify',
        'urn:xmpp:openpgp:0:public-keys+notify',
      ]),
    );
    // What we answer must hash to what we announce, or servers ignore our interest (§5.4).
    const answered = parseDiscoInfo(discoInfoElement(OWN_DISCO, 'x#y'));
    expect(capsVer({ identities: answered.identities, features: answered.features })).toBe(capsVer(OWN_DISCO));
  });
});
