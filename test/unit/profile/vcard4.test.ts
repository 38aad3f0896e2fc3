/** XEP-0292 vCard4 payloads: what we publish reads back the same; a hostile vCard is cut and cleaned, never thrown. */
import { describe, expect, it } from 'vitest';
import parseXml from '@xmpp/xml/lib/parse.js';
import xml, { type Element } from '@xmpp/xml';
import { parseVcard4, readVcard4Item, vcard4Payload, VCARD_NS, MAX_VCARD_CHILDREN } from '../../../main/profile/vcard4.js';
import { cleanText } from '../../../main/untrusted-text.js';
import { nickPayload, readNickItem } from '../../../main/profile/nickname.js';
import { ownText } from '../../../contract/own-text.js';
import { parseItems } from '../../../main/xmpp/pubsub.js';
import { PROFILE_LIMITS } from '../../../contract/limits.js';
import type { Profile } from '../../../contract/index.js';

const parse = (text: string): Element => parseXml(text.trim());
const vcard = (inner: string) => parse(`<vcard xmlns='${VCARD_NS}'>${inner}</vcard>`);
const itemOf = (inner: string) => parseItems(parse(`<items node='urn:xmpp:vcard4'><item id='current'>${inner}</item></items>`))[0];

const juliet: Profile = {
  fullName: 'Juliet Capulet',
  nickname: 'Jules',
  emails: ['juliet@capulet.lit', 'balcony@capulet.lit'],
  phones: ['+39 045 800 0000'],
  urls: ['https://capulet.lit/juliet'],
  note: 'What’s in a name?\nThat which we call a rose…',
  organisation: 'House Capulet',
  address: { street: 'Via Cappello 23', locality: 'Verona', region: 'VR', code: '37121', country: 'Italy' },
};

describe('building and reading vCard4 (XEP-0292)', () => {
  it('round-trips every profile field through the XML', () => {
    const payload = vcard4Payload(juliet);
    expect(payload.attrs.xmlns).toBe(VCARD_NS);
    const item = itemOf(payload.toString());
    // RFC 6350 §6.4.1: phones become tel: URIs (spaces as RFC 3966 visual separators), and read back as typed.
    expect(item && readVcard4Item(item)).toEqual({ profile: juliet });
  });

  it('writes the RFC 6351 elements other clients read', () => {
    const text = vcard4Payload(juliet).toString();
    expect(text).toContain('<fn><text>Juliet Capulet</text></fn>');
    expect(text).toContain('<nickname><text>Jules</text></nickname>');
    expect(text).toContain('<email><text>juliet@capulet.lit</text></email>');
    expect(text).toContain('<tel><uri>tel:+39-045-800-0000</uri></tel>');
    expect(text).toContain('<url><uri>https://capulet.lit/juliet</uri></url>');
    expect(text).toContain('<adr><pobox/><ext/><street>Via Cappello 23</street>');
    expect(vcard4Payload({ emails: [], phones: [], urls: [] }).toString()).toBe(`<vcard xmlns="${VCARD_NS}"/>`);
  });

  it('keeps text that is no phone number (never refused before: a publish queued by an older version) as text, and cleans what the user typed', () => {
    const text = vcard4Payload({ emails: [' a@b.c\u0007 '], phones: ['ext. 12'], urls: [], fullName: '\u202eevil' }).toString();
    expect(text).toContain('<tel><text>ext. 12</text></tel>');
    expect(text).toContain('<email><text>a@b.c</text></email>');
    expect(text).toContain('<fn><text>evil</text></fn>');
  });

  it('gives another client a tel: URI for an international number, and text for one without its country code', () => {
    const typed = ['+39 045 123 4567', '+1 (418) 656-9254 ext. 102', '+44 20.7946.0000', '045 123 4567'];
    const text = vcard4Payload({ emails: [], phones: typed, urls: [] }).toString();
    expect(text).toContain('<tel><uri>tel:+39-045-123-4567</uri></tel>');
    // RFC 3966 §5.3: the extension as a parameter; parentheses and dots are visual separators too (§5.1.1).
    expect(text).toContain('<tel><uri>tel:+1-(418)-656-9254;ext=102</uri></tel>');
    expect(text).toContain('<tel><uri>tel:+44-20.7946.0000</uri></tel>');
    // A local number is no tel: URI without a phone-context (RFC 3966 §5.1.5): TEL text, as typed.
    expect(text).toContain('<tel><text>045 123 4567</text></tel>');
    // Read back: what was typed, dashes and spaces between groups as one space, the extension as "ext.".
    const item = itemOf(text);
    expect(item && readVcard4Item(item)).toEqual({
      profile: { emails: [], urls: [], phones: ['+39 045 123 4567', '+1 (418) 656 9254 ext. 102', '+44 20.7946.0000', '045 123 4567'] },
    });
  });

  it('reads the XEP-0292 §4.1.1 example (structured values, parameters, several of a kind)', () => {
    const example = vcard(`
      <fn><text>Peter Saint-Andre</text></fn>
      <n><surname>Saint-Andre</surname><given>Peter</given><additional></additional></n>
      <nickname><text>stpeter</text></nickname><nickname><text>psa</text></nickname>
      <photo><uri>https://stpeter.im/images/stpeter_oscon.jpg</uri></photo>
      <adr><parameters><type><text>work</text></type></parameters><ext>Suite 600</ext><street>1899 Wynkoop Street</street>
        <locality>Denver</locality><region>CO</region><code>80202</code><country>USA</country></adr>
      <tel><parameters><type><text>work</text><text>voice</text></type></parameters><uri>tel:+1-303-308-3282</uri></tel>
      <tel><uri>tel:+1-303-308-3219</uri></tel>
      <org><parameters><type><text>work</text></type></parameters><text>XMPP Standards Foundation</text></org>
      <url><uri>https://stpeter.im/</uri></url>
      <note><text>
              More information about me is located on my
              personal website: https://stpeter.im/
              </text></note>
      <email><parameters><type><text>work</text></type></parameters><text>psaintan@cisco.com</text></email>
      <email><text>stpeter@jabber.org</text></email>
      <impp><uri>xmpp:stpeter@jabber.org</uri></impp>`);
    expect(parseVcard4(example)).toEqual({
      fullName: 'Peter Saint-Andre',
      nickname: 'stpeter',
      emails: ['psaintan@cisco.com', 'stpeter@jabber.org'],
      // RFC 3966 visual separators shown as the spaces people write between groups.
      phones: ['+1 303 308 3282', '+1 303 308 3219'],
      urls: ['https://stpeter.im/'],
      note: 'More information about me is located on my\n              personal website: https://stpeter.im/',
      organisation: 'XMPP Standards Foundation',
      address: { street: '1899 Wynkoop Street', locality: 'Denver', region: 'CO', code: '80202', country: 'USA' },
    });
  });

  it('reads a vCard whose namespace is on a prefix (the same XML to every reader, as a server may store it) like the plain one', () => {
    const plain = vcard4Payload(juliet).toString();
    const prefixed = plain.replace(/<(\/?)([a-z]+)/g, '<$1v:$2').replace(`xmlns="${VCARD_NS}"`, `xmlns:v="${VCARD_NS}"`);
    expect(prefixed).toContain('<v:fn><v:text>');
    expect(parseVcard4(parse(prefixed))).toEqual(juliet);
  });

  it('falls back to the structured name when there is no fn', () => {
    expect(parseVcard4(vcard('<n><surname>Capulet</surname><given>Juliet</given></n>')).fullName).toBe('Juliet Capulet');
  });
});

describe('the user’s own profile goes out as typed (walk 3: the window showed it so, the server got it otherwise)', () => {
  const own: Profile = {
    fullName: 'Nilufar Ahmadi',
    // Persian "I want", spelt with ZWNJ U+200C; an emoji family and a couple with heart, joined by ZWJ.
    nickname: 'می\u200Cخواهم 👨\u200D👩\u200D👧',
    emails: [],
    phones: [],
    urls: [],
    note: 'With love 👩\u200D❤\uFE0F\u200D👨\n\n\nשלום\u200F!',
    organisation: '\u200Fבית קפולט\u200F',
  };

  it('keeps ZWNJ, ZWJ, VS16 and RLM in the payload, and reads back the same as her own', () => {
    const payload = vcard4Payload(own);
    const text = payload.toString();
    expect(text).toContain('<nickname><text>می\u200Cخواهم 👨\u200D👩\u200D👧</text></nickname>');
    expect(text).toContain('<note><text>With love 👩\u200D❤\uFE0F\u200D👨\n\n\nשלום\u200F!</text></note>');
    expect(text).toContain('<org><text>\u200Fבית קפולט\u200F</text></org>');
    const item = itemOf(text);
    expect(item && readVcard4Item(item, ownText)).toEqual({ profile: own });
  });

  it('a contact reading it gets the joiners too, and loses only the marks (names are not isolated on the contact’s screen)', () => {
    const item = itemOf(vcard4Payload(own).toString());
    const read = item && readVcard4Item(item);
    expect(read).toMatchObject({ profile: { nickname: own.nickname, note: 'With love 👩\u200D❤\uFE0F\u200D👨\n\nשלום!', organisation: 'בית קפולט' } });
  });

  it('still loses what could act in a contact’s app: overrides, isolates, controls, hidden tags', () => {
    const text = vcard4Payload({ emails: [], phones: [], urls: [], fullName: 'Juliet\u202E\u2066\u0007\u{E0041}', note: 'a\u009B[2Jb' }).toString();
    expect(text).toContain('<fn><text>Juliet</text></fn>');
    expect(text).toContain('<note><text>a[2Jb</text></note>');
  });

  it('the nickname node’s payload keeps the same', () => {
    const item = itemOf(nickPayload('\u200Fרומיאו\u200F 👨\u200D👩\u200D👧\u202E').toString());
    expect(item && readNickItem(item, ownText)).toEqual({ nickname: '\u200Fרומיאו\u200F 👨\u200D👩\u200D👧' });
  });
});

describe('a hostile vCard', () => {
  it('keeps markup as text, never as structure', () => {
    const profile = parseVcard4(
      vcard(`<fn><text>&lt;script&gt;alert(1)&lt;/script&gt;</text></fn>
             <note><text>hi<script xmlns='http://www.w3.org/1999/xhtml'>alert(2)</script></text></note>
             <url><uri>javascript:alert(3)</uri></url>`),
    );
    expect(profile.fullName).toBe('<script>alert(1)</script>');
    // Only the note's own character data counts; the element inside it is not text.
    expect(profile.note).toBe('hi');
    // A link is text to show, never opened: kept as the contact wrote it.
    expect(profile.urls).toEqual(['javascript:alert(3)']);
  });

  it('cuts a 1 MB field to the cap and a 1 MB note to its cap', () => {
    const huge = 'A'.repeat(1024 * 1024);
    const profile = parseVcard4(vcard(`<fn><text>${huge}</text></fn><note><text>${huge}</text></note><email><text>${huge}</text></email>`));
    expect(profile.fullName).toHaveLength(PROFILE_LIMITS.fieldChars);
    expect(profile.note).toHaveLength(PROFILE_LIMITS.noteChars);
    expect(profile.emails[0]).toHaveLength(PROFILE_LIMITS.fieldChars);
  });

  it('strips control and bidi-override characters, and never splits a surrogate pair', () => {
    // XML cannot carry most C0 controls (the parser refuses them), but C1 controls such as CSI and the
    // bidi overrides are legal XML characters.
    const profile = parseVcard4(vcard(`<fn><text>Ju&#x9b;31mliet&#x202e;txt.exe&#x85;</text></fn><nickname><text>a&#x9;b&#xa;c</text></nickname>`));
    expect(profile.fullName).toBe('Ju31mliettxt.exe');
    const built = xml('vcard', { xmlns: VCARD_NS }, xml('fn', {}, xml('text', {}, 'a\u001b[2Jb\u0000')));
    expect(parseVcard4(built).fullName).toBe('a[2Jb');
    expect(profile.nickname).toBe('a b c');
    expect(cleanText(`${'x'.repeat(9)}😀`, 10)).toBe('x'.repeat(9));
  });

  it('caps list fields, ignores unknown and foreign elements, and looks at only so many children', () => {
    const emails = Array.from({ length: 100 }, (_, i) => `<email><text>e${i}@x.lit</text></email>`).join('');
    const profile = parseVcard4(
      vcard(`${emails}<x-custom><text>?</text></x-custom><fn xmlns='urn:example:other'><text>Mallory</text></fn>
             <nickname><uri xmlns='urn:example:other'>evil</uri></nickname><tel/><org></org><adr><street><b>x</b></street></adr>`),
    );
    expect(profile.emails).toHaveLength(PROFILE_LIMITS.entries);
    expect(profile).toEqual({ emails: profile.emails, phones: [], urls: [] });
    const late = Array.from({ length: MAX_VCARD_CHILDREN }, () => '<bday><date>1</date></bday>').join('');
    expect(parseVcard4(vcard(`${late}<fn><text>too late</text></fn>`)).fullName).toBeUndefined();
  });

  it('reports a foreign or missing payload as a problem', () => {
    for (const inner of ['', `<vcard xmlns='vcard-temp'/>`, `<vCard xmlns='${VCARD_NS}'/>`, `<vcards xmlns='${VCARD_NS}'><vcard/></vcards>`]) {
      const item = itemOf(inner);
      expect(item && readVcard4Item(item), inner).toMatchObject({ problem: expect.stringMatching(/no <vcard/) as string });
    }
    const two = itemOf(`<vcard xmlns='${VCARD_NS}'/><vcard xmlns='${VCARD_NS}'/>`);
    expect(two && readVcard4Item(two)).toHaveProperty('problem');
  });
});
