/** XEP-0172 nicknames and XEP-0154 data-form profiles: read defensively, hostile input cut, never thrown. */
import { describe, expect, it } from 'vitest';
import parseXml from '@xmpp/xml/lib/parse.js';
import type { Element } from '@xmpp/xml';
import { nickPayload, readNickItem } from '../../../main/profile/nickname.js';
import { MAX_XEP0154_FIELDS, mergeFields, readXep0154Item, xep0154ToProfile } from '../../../main/profile/xep0154.js';
import { parseItems } from '../../../main/xmpp/pubsub.js';
import { PROFILE_LIMITS } from '../../../contract/limits.js';

const parse = (text: string): Element => parseXml(text.trim());
const itemOf = (inner: string) => parseItems(parse(`<items node='n'><item id='current'>${inner}</item></items>`))[0];
const read154 = (inner: string) => {
  const item = itemOf(inner);
  if (!item) throw new Error('no item');
  return readXep0154Item(item);
};
const form = (fields: string, type = 'result') => `<profile xmlns='urn:xmpp:tmp:profile'><x xmlns='jabber:x:data' type='${type}'>${fields}</x></profile>`;
const FORM_TYPE = `<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:tmp:profile</value></field>`;

describe('XEP-0172 nickname', () => {
  it('round-trips and reads the §4.3 example', () => {
    const ours = itemOf(nickPayload('Jules').toString());
    expect(ours && readNickItem(ours)).toEqual({ nickname: 'Jules' });
    const example = itemOf(`<nick xmlns='http://jabber.org/protocol/nick'>CallMeIshmael</nick>`);
    expect(example && readNickItem(example)).toEqual({ nickname: 'CallMeIshmael' });
  });

  it('cuts, cleans and keeps markup as text; an empty nick is none; a foreign payload is a problem', () => {
    const huge = itemOf(`<nick xmlns='http://jabber.org/protocol/nick'>&lt;script&gt;${'n'.repeat(1024 * 1024)}</nick>`);
    const read = huge && readNickItem(huge);
    expect(read && 'nickname' in read && read.nickname).toMatch(/^<script>n+$/);
    expect(read && 'nickname' in read && read.nickname?.length).toBe(PROFILE_LIMITS.fieldChars);
    const empty = itemOf(`<nick xmlns='http://jabber.org/protocol/nick'> &#x202e; </nick>`);
    expect(empty && readNickItem(empty)).toEqual({ nickname: undefined });
    const foreign = itemOf(`<nick xmlns='urn:example'>x</nick>`);
    expect(foreign && readNickItem(foreign)).toHaveProperty('problem');
  });
});

describe('XEP-0154 profile (urn:xmpp:tmp:profile)', () => {
  it('reads the §3.2 example and maps registered fields onto the profile', () => {
    const read = read154(
      form(`${FORM_TYPE}<field var='common_name'><value>Peter Saint-Andre</value></field>
            <field var='nickname'><value>stpeter</value></field>
            <field var='x-favorite_painters'><value>Joaquin Sorolla</value><value>Jan Vermeer</value></field>`),
    );
    expect(read).toEqual({
      fields: [
        { name: 'common_name', values: ['Peter Saint-Andre'] },
        { name: 'nickname', values: ['stpeter'] },
        { name: 'x-favorite_painters', values: ['Joaquin Sorolla', 'Jan Vermeer'] },
      ],
    });
    const hamlet = read154(
      form(
        `${FORM_TYPE}<field var='nickname'><value>Hamlet</value></field><field var='country'><value>DK</value></field>
         <field var='locality'><value>Elsinore</value></field><field var='email'><value>hamlet@denmark.lit</value></field>
         <field var='weblog'><value>http://www.denmark.lit/blogs/princely_musings</value></field>`,
      ),
    );
    expect('fields' in hamlet && xep0154ToProfile(hamlet.fields)).toEqual({
      nickname: 'Hamlet',
      emails: ['hamlet@denmark.lit'],
      phones: [],
      urls: ['http://www.denmark.lit/blogs/princely_musings'],
      address: { locality: 'Elsinore', country: 'DK' },
    });
  });

  it('reads a PEP update without FORM_TYPE (§4.2) and merges items, the later field winning', () => {
    const update = read154(form(`<field var='weblog'><value>http://new.lit/</value></field>`));
    expect(update).toEqual({ fields: [{ name: 'weblog', values: ['http://new.lit/'] }] });
    const merged = mergeFields([
      [{ name: 'weblog', values: ['http://old.lit/'] }, { name: 'nickname', values: ['Hamlet'] }],
      'fields' in update ? update.fields : [],
    ]);
    expect(merged).toEqual([{ name: 'weblog', values: ['http://new.lit/'] }, { name: 'nickname', values: ['Hamlet'] }]);
  });

  it('refuses another FORM_TYPE and a profile without a form', () => {
    expect(read154(form(`<field var='FORM_TYPE'><value>urn:example:evil</value></field>`))).toMatchObject({ problem: /another type/ });
    expect(read154(`<profile xmlns='urn:xmpp:tmp:profile'/>`)).toMatchObject({ problem: /no data form/ });
    expect(read154(`<x xmlns='jabber:x:data'/>`)).toMatchObject({ problem: /no <profile/ });
  });

  it('handles a hostile form: huge values cut, too many fields and values capped, odd names and binary fields skipped', () => {
    const many = Array.from({ length: 300 }, (_, i) => `<field var='x-f${i}'><value>${i}</value></field>`).join('');
    const values = Array.from({ length: 100 }, (_, i) => `<value>v${i}</value>`).join('');
    const read = read154(
      form(`<field var='description'><value>&lt;script&gt;alert(1)&lt;/script&gt;${'d'.repeat(1024 * 1024)}</value></field>
            <field var='email'>${values}</field>
            <field var='avatar_data'><value>${'A'.repeat(1000)}</value></field>
            <field var='bad name&#x202e;'><value>x</value></field><field><value>no var</value></field>
            <field var='nickname'><value>first</value></field><field var='nickname'><value>second</value></field>
            <field var='empty'><value>&#x85;</value></field>${many}`),
    );
    if (!('fields' in read)) throw new Error(read.problem);
    expect(read.fields).toHaveLength(MAX_XEP0154_FIELDS);
    const byName = new Map(read.fields.map((f) => [f.name, f.values]));
    expect(byName.get('description')?.[0]).toMatch(/^<script>alert\(1\)<\/script>d+$/);
    expect(byName.get('description')?.[0]?.length).toBe(PROFILE_LIMITS.fieldChars);
    expect(byName.get('email')).toHaveLength(PROFILE_LIMITS.entries);
    expect(byName.get('nickname')).toEqual(['first']);
    for (const skipped of ['avatar_data', 'bad name\u202e', 'empty']) expect(byName.has(skipped)).toBe(false);
  });
});
