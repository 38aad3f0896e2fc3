/**
 * A PEP service in memory for one account (juliet), answering the requests main/xmpp/persistent-node.ts
 * and node-state.ts make, and behaving as measured on the real servers where they differ: ejabberd
 * 23.01's form offers notify_config and notify_delete, Prosody 0.12's has neither and ignores fields it
 * does not know; ejabberd lists no items of a roster node to its owner (§5.5 empty, §6.5.2
 * not-authorized). For unit tests of what no real server here does (refusing unknown fields, a pinned
 * configuration) and of the readers' edge cases; the integration suite runs the real ones.
 */
import xml, { type Element } from '@xmpp/xml';
import type { IqCaller } from '@xmpp/iq/caller.js';
import type { SessionPort } from '../../main/services/session-port.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { parseForm } from '../../main/xmpp/data-form.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';

export const JULIET = 'juliet@capulet.lit';

/** A stanza error as xmpp.js's iq caller rejects with it (RFC 6120 §8.3), with a XEP-0060 condition when given. */
export function stanzaError(condition: string, type: string, pubsubCondition?: string): Error {
  const element = xml('error', { type }, xml(condition, { xmlns: NS.stanzas }), pubsubCondition ? xml(pubsubCondition, { xmlns: NS.pubsubErrors }) : undefined);
  return Object.assign(new Error(condition), { name: 'StanzaError', condition, element });
}

export const BASE_FIELDS = ['pubsub#access_model', 'pubsub#persist_items', 'pubsub#send_last_published_item', 'pubsub#max_items', 'pubsub#notify_retract'];
export const EJABBERD_FIELDS = [...BASE_FIELDS, 'pubsub#roster_groups_allowed', 'pubsub#notify_config', 'pubsub#notify_delete'];

export interface FakeOptions {
  /** Whose PEP service it is (juliet's unless named): the owner of every node made on it. */
  owner?: string;
  /** The fields the server's form has; a submitted field outside them is ignored, or refused. */
  fields: string[];
  refuseUnknownFields?: boolean;
  /** ejabberd 23.01 under roster access: §5.5 lists nothing, §6.5.2 says not-authorized. */
  hidesItemsFromOwner?: boolean;
  discoItems?: 'answer' | Error;
  items?: 'answer' | Error;
  affiliations?: 'answer' | Error;
  subscribe?: 'answer' | Error;
  /** The owner's §8.8.1 list of subscriptions: ejabberd 23.01 answers feature-not-implemented on PEP. */
  subscriptionsList?: 'answer' | Error;
  /** The account's roster (RFC 6121 §2.2), answered to a roster get; without it a roster get fails. */
  roster?: { jid: string; subscription: 'none' | 'to' | 'from' | 'both'; groups?: string[] }[];
  /** What the server keeps of a published payload (a server that alters it, or another client's publish racing ours). */
  onPublish?: (id: string, payload: Element) => Element;
  /** An administrator pinned the access model (ejabberd's force_node_config): configure answers success and keeps it. */
  pinnedAccessModel?: string;
  /**
   * A publish drops the oldest items past pubsub#max_items, as both real servers do (a new avatar, under
   * a new id, pushes the old one out). Off by default: most tests here list every item published.
   */
  keepsMaxItems?: boolean;
  /**
   * A publish whose publish-options name a value the node's configuration does not hold is refused with
   * conflict + precondition-not-met (XEP-0060 §7.1.5), as both real servers do. Off by default: most
   * tests here change the configuration behind the app's back and look at something else.
   */
  checksPreconditions?: boolean;
}

/** A PEP service in memory for one account (`owner`, juliet unless named), answering the requests persistent-node and node-state make. */
export function fakePep(options: FakeOptions) {
  /**
   * `payloads`: what each item holds, as published (or put there by a test as another client); an item
   * without one answers a key payload made of its id, as the tests that list ids alone expect.
   */
  const nodes = new Map<string, { config: Map<string, string[]>; items: string[]; payloads: Map<string, Element>; affiliations: Map<string, string> }>();
  const requests: Element[] = [];
  const subscriptions: { node: string; jid: string }[] = [];
  const owner = options.owner ?? JULIET;

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
  function itemPayload(name: string | undefined, id: string): Element {
    return node(name).payloads.get(id) ?? pubkeyPayload(Buffer.from(id));
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
          return xml('query', { xmlns: NS.discoItems, node: element.attrs.node }, ...ids.map((id) => xml('item', { jid: owner, name: id })));
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
        if (element.is('pubsub', NS.pubsubOwner) && child?.name === 'subscriptions') {
          // §8.8.1, as Prosody answers it: every subscription to the node.
          if (options.subscriptionsList instanceof Error) throw options.subscriptionsList;
          node(child.attrs.node);
          const held = subscriptions.filter((s) => s.node === child.attrs.node);
          return xml('pubsub', { xmlns: NS.pubsubOwner }, xml('subscriptions', { node: child.attrs.node }, ...held.map((s) => xml('subscription', { jid: s.jid, subscription: 'subscribed' }))));
        }
        if (element.is('query', NS.roster) && options.roster) {
          return xml('query', { xmlns: NS.roster }, ...options.roster.map((i) => xml('item', { jid: i.jid, subscription: i.subscription }, ...(i.groups ?? []).map((g) => xml('group', {}, g)))));
        }
        if (element.is('pubsub', NS.pubsub) && child?.name === 'items') {
          if (options.items instanceof Error) throw options.items;
          const ids = visibleItems(child.attrs.node);
          if (ids === undefined) throw stanzaError('not-authorized', 'auth', 'not-in-roster-group');
          return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: child.attrs.node }, ...ids.map((id) => xml('item', { id }, itemPayload(child.attrs.node, id)))));
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
          nodes.set(first.attrs.node ?? '', { config, items: [], payloads: new Map(), affiliations: new Map([[owner, 'owner']]) });
          return undefined;
        }
        if (element.is('pubsub', NS.pubsubOwner) && first?.name === 'configure') {
          const config = node(first.attrs.node).config;
          apply(config, submitted(first.getChild('x', NS.dataForms)));
          if (options.pinnedAccessModel) config.set('pubsub#access_model', [options.pinnedAccessModel]);
          return undefined;
        }
        if (element.is('pubsub', NS.pubsubOwner) && first?.name === 'affiliations') {
          const n = node(first.attrs.node);
          for (const a of first.getChildren('affiliation')) n.affiliations.set(a.attrs.jid ?? '', a.attrs.affiliation ?? '');
          return undefined;
        }
        if (element.is('pubsub', NS.pubsubOwner) && first?.name === 'subscriptions') {
          // §8.8.2: 'none' ends a subscription.
          node(first.attrs.node);
          for (const s of first.getChildren('subscription')) {
            if (s.attrs.subscription !== 'none') continue;
            const at = subscriptions.findIndex((held) => held.node === first.attrs.node && held.jid === s.attrs.jid);
            if (at >= 0) subscriptions.splice(at, 1);
          }
          return undefined;
        }
        if (element.is('pubsub', NS.pubsub) && first?.name === 'publish') {
          const n = node(first.attrs.node);
          if (options.checksPreconditions) {
            for (const [name, values] of submitted(element.getChild('publish-options')?.getChild('x', NS.dataForms))) {
              if (!sameValues(n.config.get(name) ?? [], values)) throw stanzaError('conflict', 'cancel', 'precondition-not-met');
            }
          }
          const item = first.getChild('item');
          const id = item?.attrs.id ?? '';
          n.items = [...n.items.filter((i) => i !== id), id];
          const payload = item?.getChildElements()[0];
          if (payload) n.payloads.set(id, options.onPublish?.(id, payload) ?? payload);
          const max = Number(n.config.get('pubsub#max_items')?.[0]);
          if (options.keepsMaxItems && Number.isInteger(max) && max > 0) {
            for (const dropped of n.items.slice(0, -max)) n.payloads.delete(dropped);
            n.items = n.items.slice(-max);
          }
          return undefined;
        }
        if (element.is('pubsub', NS.pubsub) && first?.name === 'retract') {
          const n = node(first.attrs.node);
          const id = first.getChild('item')?.attrs.id ?? '';
          if (!n.items.includes(id)) throw stanzaError('item-not-found', 'cancel');
          n.items = n.items.filter((i) => i !== id);
          n.payloads.delete(id);
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
    ctx: { iq, owner },
    nodes,
    requests,
    subscriptions,
    configSets: () => requests.filter((r) => r.is('pubsub', NS.pubsubOwner) && r.getChild('configure')?.getChild('x', NS.dataForms)).length,
    value: (name: string, field: string) => nodes.get(name)?.config.get(field)?.[0],
    /** Another client of the account sets the node's access model (XEP-0060 §8.2.4), with no one's consent here. */
    setAccessModel: (node: string, model: string) =>
      iq.set(
        xml('pubsub', { xmlns: NS.pubsubOwner }, xml('configure', { node }, xml('x', { xmlns: NS.dataForms, type: 'submit' }, xml('field', { var: 'pubsub#access_model' }, xml('value', {}, model))))),
        owner,
      ),
  };
}


/** XEP-0004 §3.3: a boolean is '1' or 'true', '0' or 'false'; other values compare as they are. */
function sameValues(held: readonly string[], asked: readonly string[]): boolean {
  const norm = (v: string) => (v === 'true' ? '1' : v === 'false' ? '0' : v);
  return held.length === asked.length && held.every((v, i) => norm(v) === norm(asked[i] ?? ''));
}

/** Juliet signed in, with `pep` as her PEP service: the session port the services are given. */
export function pepSession(pep: { ctx: { iq: IqCaller } }): SessionPort {
  return {
    iq: pep.ctx.iq,
    ownJid: JULIET,
    state: { status: 'online', account: JULIET },
    sessionGeneration: 1,
    send: () => Promise.resolve(),
    requireXep0222Support: () => Promise.resolve(),
  };
}
