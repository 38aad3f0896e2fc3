/** Hostile and malformed input from the network is classified, never thrown. */
import { describe, expect, it } from 'vitest';
import parseXml from '@xmpp/xml/lib/parse.js';
import type { Element } from '@xmpp/xml';
import { parsePepNotification } from '../../main/xmpp/pep-events.js';
import { MAX_ITEM_BYTES, pubkeyPayload, readPubkeyItem } from '../../main/xmpp/pubkey-items.js';
import { parseItems } from '../../main/xmpp/pubsub.js';
import { parseRosterItem } from '../../main/xmpp/roster.js';
import { parseForm, submitForm, fieldBoolean } from '../../main/xmpp/data-form.js';
import { mapConcurrent } from '../support/map-concurrent.js';
import { reconnectDelay, BACKOFF_MAX_MS } from '../../main/xmpp/backoff.js';

const parse = (text: string): Element => parseXml(text.trim());
const itemsOf = (inner: string) => parseItems(parse(`<items node='urn:xmpp:tmp:pubkey'>${inner}</items>`));

describe('reading public key items (XEP-0222’s <key><x509cert/></key>)', () => {
  it('reads XEP-0222’s payload, whitespace-wrapped base64 included', () => {
    const der = Buffer.from('certificate bytes');
    const b64 = der.toString('base64');
    const [item] = itemsOf(
      `<item id='abc'><key xmlns='urn:xmpp:tmp:pubkey'><x509cert>\n  ${b64.slice(0, 8)}\n  ${b64.slice(8)}\n</x509cert></key></item>`,
    );
    expect(item && readPubkeyItem(item)).toEqual({ id: 'abc', der });
    // And what we publish reads back the same.
    const [ours] = parseItems(parse(`<items node='x'><item id='i'>${pubkeyPayload(der).toString()}</item></items>`));
    expect(ours && readPubkeyItem(ours)).toEqual({ id: 'i', der });
  });

  it.each([
    ['no payload', `<item id='a'/>`, /no <key/],
    ['a foreign payload', `<item id='a'><entry xmlns='http://www.w3.org/2005/Atom'/></item>`, /no <key/],
    ['two payloads', `<item id='a'><key xmlns='urn:xmpp:tmp:pubkey'/><key xmlns='urn:xmpp:tmp:pubkey'/></item>`, /no <key/],
    ['no certificate', `<item id='a'><key xmlns='urn:xmpp:tmp:pubkey'/></item>`, /found 0/],
    ['two certificates', `<item id='a'><key xmlns='urn:xmpp:tmp:pubkey'><x509cert>AA==</x509cert><x509cert>AA==</x509cert></key></item>`, /found 2/],
    ['an empty certificate', `<item id='a'><key xmlns='urn:xmpp:tmp:pubkey'><x509cert> </x509cert></key></item>`, /empty/],
    ['non-base64', `<item id='a'><key xmlns='urn:xmpp:tmp:pubkey'><x509cert>&lt;script&gt;alert(1)&lt;/script&gt;</x509cert></key></item>`, /not base64/],
    ['truncated base64', `<item id='a'><key xmlns='urn:xmpp:tmp:pubkey'><x509cert>QUJD=</x509cert></key></item>`, /not base64/],
  ])('classifies %s as invalid with a reason', (_what, xmlText, reason) => {
    const [item] = itemsOf(xmlText);
    const read = item ? readPubkeyItem(item) : undefined;
    expect(read && 'problem' in read && read.problem).toMatch(reason);
  });

  it('refuses an oversized item before decoding it', () => {
    const huge = 'A'.repeat(MAX_ITEM_BYTES + 4);
    const [item] = itemsOf(`<item id='big'><key xmlns='urn:xmpp:tmp:pubkey'><x509cert>${huge}</x509cert></key></item>`);
    const read = item ? readPubkeyItem(item) : undefined;
    expect(read && 'problem' in read && read.problem).toMatch(/over the 65536-byte limit/);
  });
});

describe('reading PEP notifications (XEP-0060 §7.1.2.1, §7.2.2.1)', () => {
  it('reads items and retracts from a bare-JID publisher', () => {
    const n = parsePepNotification(
      parse(`<message from='juliet@capulet.lit' to='romeo@montague.lit/orchard' type='headline'>
        <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:tmp:pubkey'>
          <item id='k1'><key xmlns='urn:xmpp:tmp:pubkey'><x509cert>AA==</x509cert></key></item><retract id='k0'/><retract/>
        </items></event></message>`),
    );
    expect(n).toMatchObject({ from: 'juliet@capulet.lit', node: 'urn:xmpp:tmp:pubkey', retracted: ['k0'] });
    expect(n?.items.map((i) => i.id)).toEqual(['k1']);
  });

  it.each([
    ['a full-JID sender (not a PEP service)', `<message from='juliet@capulet.lit/balcony'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='n'/></event></message>`],
    ['no sender', `<message><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='n'/></event></message>`],
    ['an invalid sender', `<message from='@@@'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='n'/></event></message>`],
    ['no node', `<message from='juliet@capulet.lit'><event xmlns='http://jabber.org/protocol/pubsub#event'><items/></event></message>`],
    ['a chat message', `<message from='juliet@capulet.lit'><body>hi</body></message>`],
  ])('ignores %s', (_what, text) => {
    expect(parsePepNotification(parse(text))).toBeUndefined();
  });
});

describe('reading roster items (RFC 6121 §2.1.2)', () => {
  it('reads groups (deduplicated, blanks dropped), subscription and pending ask', () => {
    const item = parseRosterItem(
      parse(`<item jid='Romeo@Montague.lit/orchard' name='Romeo' subscription='to' ask='subscribe'><group>Friends</group><group>Friends</group><group> </group></item>`),
    );
    expect(item).toEqual({ jid: 'romeo@montague.lit', name: 'Romeo', groups: ['Friends'], subscription: 'to', ask: 'subscribe' });
  });

  it('reads removals, treats unknown subscriptions as none, and drops invalid JIDs', () => {
    expect(parseRosterItem(parse(`<item jid='a@b.c' subscription='remove'/>`))).toEqual({ kind: 'remove', jid: 'a@b.c' });
    expect(parseRosterItem(parse(`<item jid='a@b.c' subscription='everything'/>`))).toMatchObject({ subscription: 'none' });
    expect(parseRosterItem(parse(`<item/>`))).toBeUndefined();
  });
});

describe('data forms (XEP-0004)', () => {
  it('builds a submit form with FORM_TYPE and reads it back, lists and booleans included', () => {
    const form = parseForm(
      submitForm('http://jabber.org/protocol/pubsub#publish-options', {
        'pubsub#persist_items': true,
        'pubsub#roster_groups_allowed': ['Friends', 'Family'],
        'pubsub#max_items': 32,
      }),
    );
    expect(form.formType).toBe('http://jabber.org/protocol/pubsub#publish-options');
    expect(form.type).toBe('submit');
    expect(fieldBoolean(form, 'pubsub#persist_items')).toBe(true);
    expect(form.fields.get('pubsub#roster_groups_allowed')?.values).toEqual(['Friends', 'Family']);
    expect(form.fields.get('pubsub#max_items')?.values).toEqual(['32']);
  });

  it('reads list options and tolerates fields without a name', () => {
    const form = parseForm(
      parse(`<x xmlns='jabber:x:data' type='form'><field/><field var='pubsub#access_model' type='list-single'><option><value>open</value></option><option><value>roster</value></option><value>open</value></field></x>`),
    );
    expect(form.fields.get('pubsub#access_model')).toEqual({ var: 'pubsub#access_model', type: 'list-single', values: ['open'], options: ['open', 'roster'] });
    expect(parseForm(undefined).fields.size).toBe(0);
  });
});

describe('bounded concurrency (the benchmarks’ lanes) and backoff', () => {
  it('never runs more than the limit at once and keeps results in input order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapConcurrent([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 3));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
  });

  it('backs off exponentially with bounded jitter, capped so that a returning server is reached within 10 s', () => {
    expect(reconnectDelay(0, () => 0.5)).toBe(1000);
    expect(reconnectDelay(2, () => 0.5)).toBe(4000);
    expect(reconnectDelay(3, () => 0.5)).toBe(BACKOFF_MAX_MS);
    expect(reconnectDelay(3, () => 0)).toBe(6400);
    expect(reconnectDelay(30, () => 1)).toBe(9600);
    expect(reconnectDelay(1000, () => 0.999)).toBeLessThanOrEqual(10_000);
  });
});
