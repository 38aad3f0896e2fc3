/**
 * Publishing the profile keeps what the form does not edit (XEP-0292 §4.1.2: the whole vCard goes out each
 * time). Found by a UI walk: a new nickname erased the birthday, gender, title, role, chat address,
 * language, structured name and a phone's type=work another app had published.
 */
import { describe, expect, it } from 'vitest';
import parseXml from '@xmpp/xml/lib/parse.js';
import type { Element } from '@xmpp/xml';
import { parseVcard4, VCARD_NS, MAX_VCARD_CHILDREN } from '../../../main/profile/vcard4.js';
import { MAX_KEPT_BYTES, vcard4OtherDetails, vcard4PayloadKeeping } from '../../../main/profile/vcard4-kept.js';
import { ownText } from '../../../contract/own-text.js';

const parse = (text: string): Element => parseXml(text.trim());
const vcard = (inner: string) => parse(`<vcard xmlns='${VCARD_NS}'>${inner}</vcard>`);
/** The payload as the server would store it and give it back: its XML text, parsed again. */
const sent = (payload: Element) => parse(payload.toString());
const names = (card: Element) => card.getChildElements().map((c) => c.name);

const otherApps = vcard(
  `<fn><text>Juliet Capulet</text></fn>` +
    `<n><surname>Capulet</surname><given>Juliet</given><additional/><prefix/><suffix/></n>` +
    `<bday><date>1999-07-31</date></bday>` +
    `<gender><sex>F</sex></gender>` +
    `<title><text>Heiress</text></title>` +
    `<role><text>Daughter</text></role>` +
    `<impp><uri>xmpp:juliet@capulet.lit</uri></impp>` +
    `<lang><language-tag>it</language-tag></lang>` +
    `<tel><parameters><type><text>work</text></type></parameters><uri>tel:+39-045-555-0199</uri></tel>` +
    `<email><parameters><pref><integer>1</integer></pref></parameters><text>juliet@capulet.lit</text></email>` +
    `<note><text>From my phone app</text></note>`,
);

describe('publishing onto the vCard the server holds', () => {
  it('writes back every property the form does not edit, in its place and as it was, with a new nickname', () => {
    const shown = parseVcard4(otherApps, ownText);
    const payload = sent(vcard4PayloadKeeping({ ...shown, nickname: 'Jules' }, otherApps));
    expect(names(payload)).toEqual(['fn', 'n', 'bday', 'gender', 'title', 'role', 'impp', 'lang', 'tel', 'email', 'note', 'nickname']);
    for (const held of otherApps.getChildElements()) expect(payload.toString()).toContain(held.toString());
    expect(parseVcard4(payload, ownText)).toEqual({ ...shown, nickname: 'Jules' });
  });

  it('keeps a phone’s parameters while its number stays, and writes a changed number anew', () => {
    const shown = parseVcard4(otherApps, ownText);
    const added = sent(vcard4PayloadKeeping({ ...shown, phones: [...shown.phones, '+39 045 555 0100'] }, otherApps));
    const tels = added.getChildren('tel');
    expect(tels.map((t) => t.getChild('parameters')?.toString())).toEqual(['<parameters><type><text>work</text></type></parameters>', undefined]);
    const changed = sent(vcard4PayloadKeeping({ ...shown, phones: ['+39 045 555 0100'] }, otherApps));
    expect(changed.getChildren('tel').map((t) => t.toString())).toEqual(['<tel><uri>tel:+39-045-555-0100</uri></tel>']);
    // The e-mail, unchanged, keeps its pref; the removed note goes, and nothing else does.
    const noNote = sent(vcard4PayloadKeeping({ ...shown, note: undefined }, otherApps));
    expect(names(noNote)).toEqual(['fn', 'n', 'bday', 'gender', 'title', 'role', 'impp', 'lang', 'tel', 'email']);
    expect(noNote.getChild('email')?.getChild('parameters')).toBeDefined();
  });

  it('keeps a property on a namespace prefix, and another namespace’s element, meaning the same outside the vCard', () => {
    const prefixed = parse(
      `<v:vcard xmlns:v='${VCARD_NS}' xmlns:x='urn:example:x'><v:fn><v:text>J</v:text></v:fn><v:bday><v:date>1999-07-31</v:date></v:bday><x:mood x:level='3'>fine</x:mood><other xmlns='urn:example:y'><a/></other></v:vcard>`,
    );
    const payload = sent(vcard4PayloadKeeping({ ...parseVcard4(prefixed, ownText), nickname: 'Jules' }, prefixed));
    const [fn, bday, mood, other] = payload.getChildElements();
    expect(fn?.getNS()).toBe(VCARD_NS);
    expect(bday?.getNS()).toBe(VCARD_NS);
    expect(bday?.getChildElements()[0]?.getNS()).toBe(VCARD_NS);
    expect(mood?.getNS()).toBe('urn:example:x');
    expect(mood?.toString()).toContain(`x:level="3"`);
    expect(other?.getNS()).toBe('urn:example:y');
    expect(parseVcard4(payload, ownText)).toMatchObject({ fullName: 'J', nickname: 'Jules' });
  });

  it('keeps the person’s own bytes: nothing in a kept property is cleaned', () => {
    const odd = vcard(`<title><text>a&#x202e;b&#x9b;c</text></title>`);
    const payload = sent(vcard4PayloadKeeping({ emails: [], phones: [], urls: [], nickname: 'J' }, odd));
    expect(payload.getChild('title')?.getChildText('text')).toBe('a\u202eb\u009bc');
  });

  it('keeps no more than MAX_KEPT_BYTES of a hostile card, and says beforehand what it leaves out', () => {
    const photo = `<photo><uri>data:image/png;base64,${'A'.repeat(MAX_KEPT_BYTES)}</uri></photo>`;
    const hostile = vcard(`<bday><date>1999-07-31</date></bday>${photo}<fn><text>J</text></fn><fn><text>Giulietta</text></fn><role><text>Daughter</text></role>`);
    const payload = vcard4PayloadKeeping({ ...parseVcard4(hostile, ownText), nickname: 'Jules' }, hostile);
    expect(names(payload)).toEqual(['bday', 'fn', 'role', 'nickname']);
    expect(payload.toString().length).toBeLessThan(MAX_KEPT_BYTES);
    expect(vcard4OtherDetails(hostile)).toEqual({ kept: ['birthday', 'role'], notKept: ['photo', 'another full name'] });
    // Children beyond those looked at are neither read nor kept.
    const many = vcard(`${'<x-a><text>1</text></x-a>'.repeat(MAX_VCARD_CHILDREN)}<bday><date>1</date></bday>`);
    expect(vcard4OtherDetails(many)).toEqual({ kept: ['other details'], notKept: ['birthday'] });
    expect(vcard4PayloadKeeping({ emails: [], phones: [], urls: [] }, many).getChildElements()).toHaveLength(MAX_VCARD_CHILDREN);
  });

  it('names in words what a publish keeps that the form does not show', () => {
    expect(vcard4OtherDetails(otherApps)).toEqual({
      kept: ['structured name (surname, given name)', 'birthday', 'gender', 'job title', 'role', 'chat addresses', 'languages'],
      notKept: [],
    });
  });

  it('without a held vCard, writes the profile alone', () => {
    expect(names(vcard4PayloadKeeping({ emails: ['j@c.lit'], phones: [], urls: [], nickname: 'J' }, undefined))).toEqual(['nickname', 'email']);
  });
});

describe('what the person sees is what goes out', () => {
  it('a full name taken off the card takes the structured name along: no reader shows it any more', () => {
    const held = parseXml(`<vcard xmlns='${VCARD_NS}'><fn><text>Juliet Capulet</text></fn><n><surname>Capulet</surname><given>Juliet</given></n><nickname><text>Jules</text></nickname></vcard>`);
    const shown = parseVcard4(held, ownText);
    const payload = parseXml(vcard4PayloadKeeping({ ...shown, fullName: undefined }, held).toString());
    expect(parseVcard4(payload, ownText).fullName).toBeUndefined();
    expect(payload.getChild('n')).toBeUndefined();
    // Kept while the full name stays.
    expect(parseXml(vcard4PayloadKeeping({ ...shown, nickname: 'Jo' }, held).toString()).getChild('n')).toBeDefined();
  });

  it('a field whose held text is not what the form shows (a hidden direction control) goes out as the form shows it', () => {
    const held = parseXml(`<vcard xmlns='${VCARD_NS}'><fn><text>Juliet&#x202E;evil</text></fn></vcard>`);
    const shown = parseVcard4(held, ownText);
    expect(shown.fullName).toBe('Julietevil');
    const payload = vcard4PayloadKeeping({ ...shown, nickname: 'Jules' }, held);
    expect(payload.getChild('fn')?.getChildText('text')).toBe('Julietevil');
  });
});
