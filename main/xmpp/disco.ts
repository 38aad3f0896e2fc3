/**
 * XEP-0030 §3.1: disco#info requests and defensive parsing of the answer. Every attribute may be
 * missing on the wire; unknown children are ignored.
 */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { Iq } from './iq-requests.js';
import { NS } from './namespaces.js';

export interface DiscoIdentity {
  category: string;
  type: string;
  name?: string;
}

export interface DiscoInfo {
  identities: DiscoIdentity[];
  features: string[];
}

export function parseDiscoInfo(query: Element | undefined): DiscoInfo {
  const identities: DiscoIdentity[] = [];
  const features: string[] = [];
  if (!query) return { identities, features };
  for (const child of query.getChildElements()) {
    if (child.name === 'identity') {
      const { category, type, name } = child.attrs;
      if (category && type) identities.push(name ? { category, type, name } : { category, type });
    } else if (child.name === 'feature') {
      const v = child.attrs.var;
      if (v) features.push(v);
    }
  }
  return { identities, features };
}

/** XEP-0030 §3.1: ask `to` (optionally one of its nodes) what it is and what it supports. */
export async function queryDiscoInfo(iq: Iq, to: string, node?: string): Promise<DiscoInfo> {
  const query = await iq.get(xml('query', { xmlns: NS.discoInfo, node }), to);
  return parseDiscoInfo(query);
}
