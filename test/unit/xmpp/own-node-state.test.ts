/**
 * Reading one of the account's own nodes for the drift comparison, and asking the server for
 * configuration notifications where it has them, against a small PEP service in memory that behaves as
 * measured on the real ones (test/support/fake-pep-service.ts; the integration suite,
 * test/integration/drift-protocol.test.ts, runs the same on Prosody 0.12 and ejabberd 23.01).
 */
import { describe, expect, it } from 'vitest';
import { NS } from '../../../main/xmpp/namespaces.js';
import { ensurePersistentNode, publishPersistent } from '../../../main/xmpp/persistent-node.js';
import { readNodeState, sharedRosterRead, watchOwnNode } from '../../../main/xmpp/node-state.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { fetchItems } from '../../../main/xmpp/fetch-items.js';
import { BASE_FIELDS, EJABBERD_FIELDS, fakePep, JULIET, stanzaError } from '../../support/fake-pep-service.js';

const KEYS = NS.pubkey;

const key = (id: string) => ({ id, payload: pubkeyPayload(Buffer.from(id)) });

describe('asking for configuration and deletion notifications while publishing (XEP-0060 §8.2.5.3, §8.4.2)', () => {
  it('where the form offers them (ejabberd 23.01), a new node gets notify_config and notify_delete on', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    expect([pep.value(KEYS, 'pubsub#notify_config'), pep.value(KEYS, 'pubsub#notify_delete')]).toEqual(['1', '1']);
  });

  it('an existing node published before without them is reconfigured once, not as an access change', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    pep.nodes.get(KEYS)?.config.set('pubsub#notify_config', ['0']);
    const outcome = await ensurePersistentNode(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 });
    expect(outcome.reconfigured).toBe(false);
    expect(pep.value(KEYS, 'pubsub#notify_config')).toBe('1');
    const before = pep.configSets();
    await ensurePersistentNode(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 });
    expect(pep.configSets()).toBe(before);
  });

  it('a roster node keeps configuration notifications off: they would name the roster groups to every subscriber', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    await ensurePersistentNode(pep.ctx, { node: KEYS, access: { model: 'roster', groups: ['Friends'] }, maxItems: 32, reconfigure: true });
    expect([pep.value(KEYS, 'pubsub#notify_config'), pep.value(KEYS, 'pubsub#notify_delete')]).toEqual(['0', '1']);
    await publishPersistent(pep.ctx, { node: NS.vcard4, access: { model: 'roster', groups: ['Friends'] }, maxItems: 1 }, key('current'));
    expect(pep.value(NS.vcard4, 'pubsub#notify_config')).toBe('0');
  });

  it('where the form has no such fields (Prosody 0.12), a node with the XEP-0222 settings is left as it is', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    const before = pep.configSets();
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k2'));
    expect(pep.configSets()).toBe(before);
    expect(pep.nodes.get(KEYS)?.items).toEqual(['k1', 'k2']);
  });

  it('a server that refuses fields it does not know still gets the node made, and the key is published', async () => {
    const pep = fakePep({ fields: BASE_FIELDS, refuseUnknownFields: true });
    const outcome = await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    expect(outcome).toMatchObject({ created: true, config: { accessModel: 'presence', persistItems: true, maxItems: '32' } });
    expect(pep.nodes.get(KEYS)?.items).toEqual(['k1']);
    // And on the next publish nothing it refuses is asked again.
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k2'));
    expect(pep.nodes.get(KEYS)?.items).toEqual(['k1', 'k2']);
  });
});

describe('reading a node’s state', () => {
  it('a node that does not exist reads as undefined', async () => {
    expect(await readNodeState(fakePep({ fields: EJABBERD_FIELDS }).ctx, KEYS, ['k1'])).toBeUndefined();
  });

  it('reads the configuration, the others affiliated (not the account, not outcasts) and the item ids (§5.5, no payloads)', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'whitelist', allow: ['romeo@montague.lit'] }, maxItems: 32 }, key('k1'));
    pep.nodes.get(KEYS)?.affiliations.set('tybalt@capulet.lit', 'outcast');
    pep.requests.length = 0;
    expect(await readNodeState(pep.ctx, KEYS, ['k1'])).toEqual({
      node: KEYS,
      owner: JULIET,
      accessModel: 'whitelist',
      rosterGroups: [],
      persistItems: true,
      sendLastPublishedItem: 'never',
      maxItems: '32',
      notifyConfig: true,
      affiliations: { status: 'listed', others: [{ jid: 'romeo@montague.lit', affiliation: 'member' }] },
      items: { status: 'listed', ids: ['k1'] },
      subscriptions: { status: 'listed', others: [] },
    });
    expect(pep.requests.some((r) => r.getChild('items'))).toBe(false);
  });

  it('notify_config reads as undefined where the form has no such field (Prosody 0.12)', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    expect((await readNodeState(pep.ctx, KEYS, ['k1']))?.notifyConfig).toBeUndefined();
  });

  it('ejabberd 23.01 hiding a roster node’s items from its owner: unknown (refused), not "no items"', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'roster', groups: ['Friends'] }, maxItems: 32 }, key('k1'));
    expect((await readNodeState(pep.ctx, KEYS, ['k1']))?.items).toEqual({ status: 'unknown', reason: 'refused', detail: expect.stringContaining('not-in-roster-group') as string });
  });

  it('given a §6.5.2 read of the node already made, its ids are taken and the items are not listed again', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k2'));
    const read = fetchItems(pep.ctx.iq, JULIET, KEYS);
    await read;
    pep.requests.length = 0;
    expect((await readNodeState(pep.ctx, KEYS, ['k1', 'k2'], { itemsRead: read }))?.items).toEqual({ status: 'listed', ids: ['k2'] });
    expect(pep.requests.filter((r) => r.getChild('items') || r.is('query', NS.discoItems))).toEqual([]);
  });

  it('a read already made that was refused, or found no node, is not taken: the node is read as without it', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true });
    const before = fetchItems(pep.ctx.iq, JULIET, KEYS); // no node yet: 'none'
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    expect((await readNodeState(pep.ctx, KEYS, ['k1'], { itemsRead: before }))?.items).toEqual({ status: 'listed', ids: ['k1'] });
    await ensurePersistentNode(pep.ctx, { node: KEYS, access: { model: 'roster', groups: ['Friends'] }, maxItems: 32, reconfigure: true });
    const refused = fetchItems(pep.ctx.iq, JULIET, KEYS);
    expect(await refused).toMatchObject({ status: 'refused' });
    expect((await readNodeState(pep.ctx, KEYS, ['k1'], { itemsRead: refused }))?.items).toEqual({ status: 'unknown', reason: 'refused', detail: expect.stringContaining('not-in-roster-group') as string });
  });

  it('an id missing from the §5.5 listing is confirmed by the items themselves (§6.5.2)', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k2'));
    pep.requests.length = 0;
    expect((await readNodeState(pep.ctx, KEYS, ['k1', 'k2']))?.items).toEqual({ status: 'listed', ids: ['k2'] });
    expect(pep.requests.filter((r) => r.getChild('items')).length).toBe(1);
  });

  it('a server that refuses §5.5 on the node is asked for the items', async () => {
    const pep = fakePep({ fields: BASE_FIELDS, discoItems: stanzaError('feature-not-implemented', 'cancel') });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    expect((await readNodeState(pep.ctx, KEYS, ['k1']))?.items).toEqual({ status: 'listed', ids: ['k1'] });
  });

  it('a node that keeps no items (Prosody 0.12 after persist_items is turned off) holds none: readers get nothing', async () => {
    const persistentItems = stanzaError('feature-not-implemented', 'cancel', 'persistent-items');
    const pep = fakePep({ fields: BASE_FIELDS, discoItems: persistentItems, items: persistentItems });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    expect((await readNodeState(pep.ctx, KEYS, ['k1']))?.items).toEqual({ status: 'listed', ids: [] });
  });

  it('any other failure to give the items is unknown, not "no items"', async () => {
    const pep = fakePep({ fields: BASE_FIELDS, discoItems: stanzaError('feature-not-implemented', 'cancel'), items: stanzaError('internal-server-error', 'wait') });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    expect((await readNodeState(pep.ctx, KEYS, ['k1']))?.items).toEqual({ status: 'unknown', reason: 'failed', detail: 'internal-server-error' });
  });

  it('no answer to §5.5 (a timeout) is unknown at once: the same request for items would wait as long', async () => {
    const timeout = Object.assign(new Error(), { name: 'TimeoutError' });
    const pep = fakePep({ fields: BASE_FIELDS, discoItems: timeout });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    pep.requests.length = 0;
    expect((await readNodeState(pep.ctx, KEYS, ['k1']))?.items).toEqual({ status: 'unknown', reason: 'failed', detail: 'timeout' });
    expect(pep.requests.some((r) => r.getChild('items'))).toBe(false);
  });

  it('affiliations the server will not list are unknown', async () => {
    const pep = fakePep({ fields: BASE_FIELDS, affiliations: stanzaError('feature-not-implemented', 'cancel') });
    // Open access needs no affiliations managed, so publishing goes ahead.
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'open' }, maxItems: 32 }, key('k1'));
    expect((await readNodeState(pep.ctx, KEYS, ['k1']))?.affiliations).toEqual({ status: 'unknown', reason: 'failed', detail: 'feature-not-implemented' });
  });
});

describe('reading who is subscribed to a node (XEP-0060 §8.8.1)', () => {
  const BENVOLIO = 'benvolio@montague.lit';
  const subscriptionGets = (pep: ReturnType<typeof fakePep>) => pep.requests.filter((r) => r.is('pubsub', NS.pubsubOwner) && r.getChild('subscriptions')).length;
  const rosterGets = (pep: ReturnType<typeof fakePep>) => pep.requests.filter((r) => r.is('query', NS.roster)).length;

  it('lists everyone subscribed but the account itself (its bare JID is subscribed to hear of changes), one request per read', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'whitelist', allow: [BENVOLIO] }, maxItems: 32 }, key('k1'));
    pep.subscriptions.push({ node: KEYS, jid: JULIET }, { node: KEYS, jid: `${JULIET}/balcony` }, { node: KEYS, jid: BENVOLIO });
    pep.requests.length = 0;
    const state = await readNodeState(pep.ctx, KEYS, ['k1'], { audiences: [{ model: 'whitelist', allow: [BENVOLIO] }] });
    expect(state?.subscriptions).toEqual({ status: 'listed', others: [{ jid: BENVOLIO, subscription: 'subscribed' }] });
    expect(subscriptionGets(pep)).toBe(1);
    // A whitelist is judged by its members: no roster read.
    expect(rosterGets(pep)).toBe(0);
  });

  it('ejabberd 23.01 will not list them on PEP (feature-not-implemented): unknown, never "nobody"', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS, subscriptionsList: stanzaError('feature-not-implemented', 'cancel', 'unsupported') });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'open' }, maxItems: 32 }, key('k1'));
    expect((await readNodeState(pep.ctx, KEYS, ['k1'], { audiences: [{ model: 'presence' }] }))?.subscriptions).toEqual({
      status: 'unknown',
      reason: 'failed',
      detail: 'feature-not-implemented + unsupported',
    });
  });

  it('presence access with someone else subscribed: the roster is read too, once for every node of a check', async () => {
    const roster = [{ jid: BENVOLIO, subscription: 'to' as const }];
    const pep = fakePep({ fields: BASE_FIELDS, roster });
    for (const node of [KEYS, NS.nick]) {
      await publishPersistent(pep.ctx, { node, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
      pep.subscriptions.push({ node, jid: BENVOLIO });
    }
    pep.requests.length = 0;
    const shared = sharedRosterRead(pep.ctx);
    for (const node of [KEYS, NS.nick]) {
      const state = await readNodeState(pep.ctx, node, ['k1'], { audiences: [{ model: 'presence' }], roster: shared });
      expect(state?.subscriptions).toEqual({ status: 'listed', others: [{ jid: BENVOLIO, subscription: 'subscribed' }], roster: { status: 'listed', items: [{ jid: BENVOLIO, groups: [], subscription: 'to' }] } });
    }
    expect(rosterGets(pep)).toBe(1);
  });

  it('presence access with only the account subscribed: no roster read', async () => {
    const pep = fakePep({ fields: BASE_FIELDS, roster: [] });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    pep.subscriptions.push({ node: KEYS, jid: JULIET });
    pep.requests.length = 0;
    expect((await readNodeState(pep.ctx, KEYS, ['k1'], { audiences: [{ model: 'presence' }] }))?.subscriptions).toEqual({ status: 'listed', others: [] });
    expect(rosterGets(pep)).toBe(0);
  });

  it('a roster the server will not give is unknown, not "nobody on it"', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    pep.subscriptions.push({ node: KEYS, jid: BENVOLIO });
    const read = await readNodeState(pep.ctx, KEYS, ['k1'], { audiences: [{ model: 'presence' }], roster: () => Promise.reject(stanzaError('internal-server-error', 'wait')) });
    expect(read?.subscriptions).toMatchObject({ status: 'listed', roster: { status: 'unknown', reason: 'failed', detail: 'internal-server-error' } });
  });
});

describe('watching an own node for configuration changes', () => {
  it('where the form has no notify_config (Prosody 0.12): nothing is asked, configuration changes go unannounced', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    expect(await watchOwnNode(pep.ctx, { node: KEYS, notifyConfig: undefined })).toEqual({ configuration: false, reason: 'not-offered' });
    expect(pep.subscriptions).toEqual([]);
  });

  it('where it has (ejabberd 23.01): the account’s bare JID subscribes, and configuration changes will be announced', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    const state = await readNodeState(pep.ctx, KEYS, ['k1']);
    expect(state && (await watchOwnNode(pep.ctx, state))).toEqual({ configuration: true });
    expect(pep.subscriptions).toEqual([{ node: KEYS, jid: JULIET }]);
  });

  it('a roster node is subscribed to (deletions are announced) but its configuration changes are not', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'roster', groups: ['Friends'] }, maxItems: 32 }, key('k1'));
    const state = await readNodeState(pep.ctx, KEYS, ['k1']);
    expect(state && (await watchOwnNode(pep.ctx, state))).toEqual({ configuration: false, reason: 'off' });
    expect(pep.subscriptions).toEqual([{ node: KEYS, jid: JULIET }]);
  });

  it('a refused subscription is reported, not thrown', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS, subscribe: stanzaError('not-allowed', 'cancel', 'closed-node') });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    expect(await watchOwnNode(pep.ctx, { node: KEYS, notifyConfig: true })).toEqual({ configuration: false, reason: 'refused', detail: 'not-allowed + closed-node' });
  });
});
