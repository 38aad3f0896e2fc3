/**
 * Reading one of the account's own nodes for the drift comparison, and asking the server for
 * configuration notifications where it has them, against a small PEP service in memory that behaves as
 * measured on the real ones (the integration suite, test/integration/drift-protocol.test.ts, runs the
 * same on Prosody 0.12 and ejabberd 23.01): ejabberd's form offers notify_config and notify_delete,
 * Prosody's has neither and ignores fields it does not know; ejabberd lists no items of a node whose
 * access leaves the owner out, and refuses them when asked for the items themselves.
 */
import { describe, expect, it } from 'vitest';
import xml, { type Element } from '@xmpp/xml';
import type { IqCaller } from '@xmpp/iq/caller.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { ensurePersistentNode, publishPersistent } from '../../../main/xmpp/persistent-node.js';
import { readNodeState, watchOwnNode } from '../../../main/xmpp/node-state.js';
import { parseForm } from '../../../main/xmpp/data-form.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';

const JULIET = 'juliet@capulet.lit';
const KEYS = NS.pubkey;

function stanzaError(condition: string, type: string, pubsubCondition?: string): Error {
  const element = xml('error', { type }, xml(condition, { xmlns: NS.stanzas }), pubsubCondition ? xml(pubsubCondition, { xmlns: NS.pubsubErrors }) : undefined);
  return Object.assign(new Error(condition), { name: 'StanzaError', condition, element });
}

const BASE_FIELDS = ['pubsub#access_model', 'pubsub#persist_items', 'pubsub#send_last_published_item', 'pubsub#max_items', 'pubsub#notify_retract'];
const EJABBERD_FIELDS = [...BASE_FIELDS, 'pubsub#roster_groups_allowed', 'pubsub#notify_config', 'pubsub#notify_delete'];

interface FakeOptions {
  /** The fields the server's form has; a submitted field outside them is ignored, or refused. */
  fields: string[];
  refuseUnknownFields?: boolean;
  /** ejabberd 23.01 under roster access: §5.5 lists nothing, §6.5.2 says not-authorized. */
  hidesItemsFromOwner?: boolean;
  discoItems?: 'answer' | Error;
  affiliations?: 'answer' | Error;
  subscribe?: 'answer' | Error;
}

/** A PEP service in memory for one account, answering the requests persistent-node and node-state make. */
function fakePep(options: FakeOptions) {
  const nodes = new Map<string, { config: Map<string, string[]>; items: string[]; affiliations: Map<string, string> }>();
  const requests: Element[] = [];
  const subscriptions: { node: string; jid: string }[] = [];

  function submitted(x: Element | undefined): Map<string, string[]> {
    const fields = new Map<string, string[]>();
    for (const [name, field] of parseForm(x).fields) fields.set(name, field.values);
    return fields;
  }
  function apply(config: Map<string, string[]>, fields: Map<string, string[]>): void {
    for (const [name, values] of fields) {
      if (options.fields.includes(name)) config.set(name, values);
      else if (options.refuseUnknownFields) throw stanzaError('bad-request', 'modify');
    }
  }
  function node(name: string | undefined) {
    const found = name === undefined ? undefined : nodes.get(name);
    if (!found) throw stanzaError('item-not-found', 'cancel');
    return found;
  }
  function visibleItems(name: string | undefined): string[] | undefined {
    const n = node(name);
    const model = n.config.get('pubsub#access_model')?.[0];
    return options.hidesItemsFromOwner && model === 'roster' ? undefined : n.items;
  }

  const iq: IqCaller = {
    request: () => Promise.reject(new Error('not used')),
    get: (element) => {
      requests.push(element);
      return Promise.resolve().then(() => {
        const child = element.getChildElements()[0];
        if (element.is('query', NS.discoItems)) {
          if (options.discoItems instanceof Error) throw options.discoItems;
          const ids = visibleItems(element.attrs.node) ?? [];
          return xml('query', { xmlns: NS.discoItems, node: element.attrs.node }, ...ids.map((id) => xml('item', { jid: JULIET, name: id })));
        }
        if (element.is('pubsub', NS.pubsubOwner) && child?.name === 'configure') {
          const n = node(child.attrs.node);
          const form = xml(
            'x',
            { xmlns: NS.dataForms, type: 'form' },
            ...options.fields.map((f) => xml('field', { var: f }, ...(n.config.get(f) ?? []).map((v) => xml('value', {}, v)))),
          );
          return xml('pubsub', { xmlns: NS.pubsubOwner }, xml('configure', { node: child.attrs.node }, form));
        }
        if (element.is('pubsub', NS.pubsubOwner) && child?.name === 'affiliations') {
          if (options.affiliations instanceof Error) throw options.affiliations;
          const n = node(child.attrs.node);
          return xml('pubsub', { xmlns: NS.pubsubOwner }, xml('affiliations', { node: child.attrs.node }, ...[...n.affiliations].map(([jid, affiliation]) => xml('affiliation', { jid, affiliation }))));
        }
        if (element.is('pubsub', NS.pubsub) && child?.name === 'items') {
          const ids = visibleItems(child.attrs.node);
          if (ids === undefined) throw stanzaError('not-authorized', 'auth', 'not-in-roster-group');
          return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: child.attrs.node }, ...ids.map((id) => xml('item', { id }, pubkeyPayload(Buffer.from(id))))));
        }
        throw new Error(`unexpected get ${element.toString()}`);
      });
    },
    set: (element) => {
      requests.push(element);
      return Promise.resolve().then(() => {
        const [first, second] = element.getChildElements();
        if (element.is('pubsub', NS.pubsub) && first?.name === 'create') {
          const config = new Map<string, string[]>([['pubsub#notify_retract', ['0']]]);
          apply(config, submitted(second?.getChild('x', NS.dataForms)));
          nodes.set(first.attrs.node ?? '', { config, items: [], affiliations: new Map([[JULIET, 'owner']]) });
          return undefined;
        }
        if (element.is('pubsub', NS.pubsubOwner) && first?.name === 'configure') {
          apply(node(first.attrs.node).config, submitted(first.getChild('x', NS.dataForms)));
          return undefined;
        }
        if (element.is('pubsub', NS.pubsubOwner) && first?.name === 'affiliations') {
          const n = node(first.attrs.node);
          for (const a of first.getChildren('affiliation')) n.affiliations.set(a.attrs.jid ?? '', a.attrs.affiliation ?? '');
          return undefined;
        }
        if (element.is('pubsub', NS.pubsub) && first?.name === 'publish') {
          const n = node(first.attrs.node);
          const id = first.getChild('item')?.attrs.id ?? '';
          n.items = [...n.items.filter((i) => i !== id), id];
          return undefined;
        }
        if (element.is('pubsub', NS.pubsub) && first?.name === 'subscribe') {
          if (options.subscribe instanceof Error) throw options.subscribe;
          node(first.attrs.node);
          subscriptions.push({ node: first.attrs.node ?? '', jid: first.attrs.jid ?? '' });
          return xml('pubsub', { xmlns: NS.pubsub }, xml('subscription', { node: first.attrs.node, jid: first.attrs.jid, subscription: 'subscribed' }));
        }
        throw new Error(`unexpected set ${element.toString()}`);
      });
    },
  };
  return {
    ctx: { iq, owner: JULIET },
    nodes,
    requests,
    subscriptions,
    configSets: () => requests.filter((r) => r.is('pubsub', NS.pubsubOwner) && r.getChild('configure')?.getChild('x', NS.dataForms)).length,
    value: (name: string, field: string) => nodes.get(name)?.config.get(field)?.[0],
  };
}

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
      accessModel: 'whitelist',
      rosterGroups: [],
      persistItems: true,
      sendLastPublishedItem: 'never',
      maxItems: '32',
      notifyConfig: true,
      affiliations: { status: 'listed', others: [{ jid: 'romeo@montague.lit', affiliation: 'member' }] },
      items: { status: 'listed', ids: ['k1'] },
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

  it('an id missing from the §5.5 listing is confirmed by the items themselves (§6.5.2)', async () => {
    const pep = fakePep({ fields: EJABBERD_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k2'));
    pep.requests.length = 0;
    expect((await readNodeState(pep.ctx, KEYS, ['k1', 'k2']))?.items).toEqual({ status: 'listed', ids: ['k2'] });
    expect(pep.requests.filter((r) => r.getChild('items')).length).toBe(1);
  });

  it('a server without §5.5 on the node (Prosody on a node that keeps no items) is asked for the items', async () => {
    const pep = fakePep({ fields: BASE_FIELDS, discoItems: stanzaError('feature-not-implemented', 'cancel', 'persistent-items') });
    await publishPersistent(pep.ctx, { node: KEYS, access: { model: 'presence' }, maxItems: 32 }, key('k1'));
    expect((await readNodeState(pep.ctx, KEYS, ['k1']))?.items).toEqual({ status: 'listed', ids: ['k1'] });
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
