/**
 * Notifications about the account's own nodes, read as changes to watch: XEP-0060 §8.2.5.3
 * configuration (with and without the form), §7.1.2.1 items, §7.2.2.1 retract, §8.5.2 purge, §8.4.2
 * delete. Only from the account's own bare JID, only for the nodes watched; and the listener only
 * looks, so the PEP notifications the services use still arrive. And contacts' notifications, which a
 * server may send twice, are delivered once without losing a change that repeats earlier words.
 */
import { describe, expect, it } from 'vitest';
import parseXml from '@xmpp/xml/lib/parse.js';
import type { Element } from '@xmpp/xml';
import type { Middleware, MiddlewareApi, MiddlewareContext } from '@xmpp/middleware';
import { listenForOwnNodeChanges, listenForPepNotifications, parseOwnNodeChanges, type OwnNodeChange, type PepNotification } from '../../../main/xmpp/pep-events.js';
import { OWN_PUBLISHED_NODES } from '../../../main/xmpp/namespaces.js';

const parse = (text: string): Element => parseXml(text);
const JULIET = 'juliet@capulet.lit';
const KEYS = 'urn:xmpp:tmp:pubkey';

function event(inner: string, from = JULIET): Element {
  return parse(`<message from='${from}' to='${JULIET}/balcony' type='headline'><event xmlns='http://jabber.org/protocol/pubsub#event'>${inner}</event></message>`);
}

describe('own node changes', () => {
  it.each<[string, string, OwnNodeChange[]]>([
    ['a configuration notification without the form (notification-only)', `<configuration node='${KEYS}'/>`, [{ node: KEYS, kind: 'configuration' }]],
    [
      'a configuration notification with the form (ejabberd 23.01)',
      `<configuration node='${KEYS}'><x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field><field var='pubsub#access_model'><value>open</value></field></x></configuration>`,
      [{ node: KEYS, kind: 'configuration' }],
    ],
    ['an item published', `<items node='${KEYS}'><item id='k4'><key xmlns='${KEYS}'/></item></items>`, [{ node: KEYS, kind: 'items', itemIds: ['k4'] }]],
    ['an item retracted', `<items node='${KEYS}'><retract id='k1'/></items>`, [{ node: KEYS, kind: 'retract', itemIds: ['k1'] }]],
    [
      'items published and retracted in one notification',
      `<items node='${KEYS}'><item id='k4'/><retract id='k1'/><retract id='k2'/><retract/></items>`,
      [
        { node: KEYS, kind: 'items', itemIds: ['k4'] },
        { node: KEYS, kind: 'retract', itemIds: ['k1', 'k2'] },
      ],
    ],
    ['the node purged', `<purge node='${KEYS}'/>`, [{ node: KEYS, kind: 'purge' }]],
    ['the node deleted', `<delete node='${KEYS}'><redirect uri='xmpp:juliet@capulet.lit?;node=other'/></delete>`, [{ node: KEYS, kind: 'delete' }]],
    ['the avatar data node, which the app publishes but asks no +notify for', `<items node='urn:xmpp:avatar:data'><item id='abc'/></items>`, [{ node: 'urn:xmpp:avatar:data', kind: 'items', itemIds: ['abc'] }]],
  ])('reads %s', (_what, inner, expected) => {
    expect(parseOwnNodeChanges(event(inner), JULIET, OWN_PUBLISHED_NODES)).toEqual(expected);
  });

  it('knows its own address whatever the case of the local part', () => {
    expect(parseOwnNodeChanges(event(`<purge node='${KEYS}'/>`, 'Juliet@Capulet.lit'), JULIET, OWN_PUBLISHED_NODES)).toEqual([{ node: KEYS, kind: 'purge' }]);
  });

  it.each([
    ['a contact’s PEP service', event(`<configuration node='${KEYS}'/>`, 'romeo@montague.lit')],
    ['a full JID of the account (a resource, not its PEP service)', event(`<configuration node='${KEYS}'/>`, `${JULIET}/chamber`)],
    ['the domain', event(`<configuration node='${KEYS}'/>`, 'capulet.lit')],
    ['no sender', parse(`<message><event xmlns='http://jabber.org/protocol/pubsub#event'><delete node='${KEYS}'/></event></message>`)],
    ['a node the app does not publish', event(`<configuration node='urn:xmpp:omemo:2:devices'/>`)],
    ['no node named', event(`<configuration/>`)],
    ['an empty items notification', event(`<items node='${KEYS}'/>`)],
    ['an unknown event child', event(`<subscription node='${KEYS}' jid='${JULIET}' subscription='subscribed'/>`)],
    ['a chat message', parse(`<message from='${JULIET}'><body>hi</body></message>`)],
    ['an iq', parse(`<iq from='${JULIET}' type='result' id='1'/>`)],
  ])('ignores %s', (_what, stanza) => {
    expect(parseOwnNodeChanges(stanza, JULIET, OWN_PUBLISHED_NODES)).toEqual([]);
  });
});

/** xmpp.js's middleware in miniature: handlers run in the order added, each deciding whether to call next. */
function chain() {
  const handlers: Middleware[] = [];
  const api: MiddlewareApi = { use: (fn) => handlers.push(fn), filter: () => undefined };
  /** Runs the stanza through the handlers; true when it got past all of them. */
  const deliver = async (stanza: Element): Promise<boolean> => {
    let reachedEnd = false;
    const run = (i: number): Promise<unknown> => {
      const handler = handlers[i];
      if (!handler) {
        reachedEnd = true;
        return Promise.resolve();
      }
      return Promise.resolve(handler({ stanza } as MiddlewareContext, () => run(i + 1)));
    };
    await run(0);
    return reachedEnd;
  };
  return { api, deliver };
}

describe('listening for own node changes, as the session wires it', () => {
  it('reports the change and still lets the PEP notification through to the services', async () => {
    const { api, deliver } = chain();
    const changes: OwnNodeChange[] = [];
    const notifications: PepNotification[] = [];
    listenForOwnNodeChanges(api, JULIET, OWN_PUBLISHED_NODES, (c) => changes.push(c));
    listenForPepNotifications(api, [KEYS], (n) => notifications.push(n));
    await deliver(event(`<items node='${KEYS}'><item id='k4'><key xmlns='${KEYS}'/></item></items>`));
    expect(changes).toEqual([{ node: KEYS, kind: 'items', itemIds: ['k4'] }]);
    expect(notifications.map((n) => [n.from, n.node, n.items.map((i) => i.id)])).toEqual([[JULIET, KEYS, ['k4']]]);
  });

  it('passes every other stanza on untouched, and reports the same change every time it comes', async () => {
    const { api, deliver } = chain();
    const changes: OwnNodeChange[] = [];
    listenForOwnNodeChanges(api, JULIET, OWN_PUBLISHED_NODES, (c) => changes.push(c));
    expect(await deliver(parse(`<message from='romeo@montague.lit/orchard'><body>hi</body></message>`))).toBe(true);
    expect(await deliver(event(`<configuration node='${KEYS}'/>`))).toBe(true);
    expect(await deliver(event(`<configuration node='${KEYS}'/>`))).toBe(true);
    expect(changes).toEqual([
      { node: KEYS, kind: 'configuration' },
      { node: KEYS, kind: 'configuration' },
    ]);
  });
});

describe('contacts’ notifications delivered twice (to the bare and the full JID)', () => {
  const ROMEO = 'romeo@montague.lit';
  const published = event(`<items node='${KEYS}'><item id='k4'><key xmlns='${KEYS}'/></item></items>`, ROMEO);
  const withdrawn = event(`<items node='${KEYS}'><retract id='k4'/></items>`, ROMEO);
  const seen = (notifications: PepNotification[]) => notifications.map((n) => (n.items.length > 0 ? `+${n.items.map((i) => i.id).join()}` : `-${n.retracted.join()}`));

  it('a repeat of the last notification is delivered once', async () => {
    const { api, deliver } = chain();
    const notifications: PepNotification[] = [];
    listenForPepNotifications(api, [KEYS], (n) => notifications.push(n));
    await deliver(published);
    await deliver(published);
    await deliver(withdrawn);
    await deliver(withdrawn);
    expect(seen(notifications)).toEqual(['+k4', '-k4']);
  });

  it('a key published, withdrawn, published and withdrawn again within the window: every change is delivered, the last withdrawal too', async () => {
    const { api, deliver } = chain();
    const notifications: PepNotification[] = [];
    listenForPepNotifications(api, [KEYS], (n) => notifications.push(n));
    for (const stanza of [published, published, withdrawn, withdrawn, published, published, withdrawn, withdrawn]) await deliver(stanza);
    // Before, the second publish and the second withdrawal matched the first ones and were dropped: the
    // app, whose fetch after the first withdrawal saw the key back, kept showing a key its owner withdrew.
    expect(seen(notifications)).toEqual(['+k4', '-k4', '+k4', '-k4']);
  });

  it('the same words from another publisher are another notification', async () => {
    const { api, deliver } = chain();
    const notifications: PepNotification[] = [];
    listenForPepNotifications(api, [KEYS], (n) => notifications.push(n));
    await deliver(published);
    await deliver(event(`<items node='${KEYS}'><item id='k4'><key xmlns='${KEYS}'/></item></items>`, 'benvolio@montague.lit'));
    expect(notifications.map((n) => n.from)).toEqual([ROMEO, 'benvolio@montague.lit']);
  });
});
