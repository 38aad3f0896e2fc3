/**
 * XEP-0115 Entity Capabilities: what this client is and what it wants pushed to it. The `+notify`
 * features are how XEP-0163 §4 (and XEP-0222) decide that we receive contacts' key and profile
 * events; the server learns them from our presence's caps hash by asking disco#info for node#ver.
 */
import { xml } from '@xmpp/client';
import { createHash } from 'node:crypto';
import type { Element } from '@xmpp/xml';
import type { IqCallee } from '@xmpp/iq/callee.js';
import { NS, NOTIFY_NODES } from './namespaces.js';

export interface CapsIdentity {
  category: string;
  type: string;
  lang?: string;
  name?: string;
}

export interface CapsForm {
  formType: string;
  fields: { var: string; values: string[] }[];
}

export interface CapsInput {
  identities: CapsIdentity[];
  features: string[];
  forms?: CapsForm[];
}

/** Identifies the software (XEP-0115 §4: a URI); the reserved .invalid TLD until the project has a home. */
export const CAPS_NODE = 'https://keyring-for-xmpp.invalid';

export const OWN_DISCO: CapsInput = {
  identities: [{ category: 'client', type: 'pc', name: 'Keyring for XMPP' }],
  features: [
    NS.caps,
    NS.discoInfo,
    NS.ping,
    ...NOTIFY_NODES.map((node) => `${node}+notify`),
  ],
};

/** XEP-0115 §5.1 steps 1–7: the verification string S (before hashing). */
export function capsVerificationString(input: CapsInput): string {
  const identities = input.identities
    .map((i) => `${i.category}/${i.type}/${i.lang ?? ''}/${i.name ?? ''}`)
    .sort(octetCompare);
  const features = [...input.features].sort(octetCompare);
  let s = identities.map((i) => `${i}<`).join('') + features.map((f) => `${f}<`).join('');
  const forms = [...(input.forms ?? [])].sort((a, b) => octetCompare(a.formType, b.formType));
  for (const form of forms) {
    s += `${form.formType}<`;
    const fields = [...form.fields].filter((f) => f.var !== 'FORM_TYPE').sort((a, b) => octetCompare(a.var, b.var));
    for (const field of fields) {
      s += `${field.var}<` + [...field.values].sort(octetCompare).map((v) => `${v}<`).join('');
    }
  }
  return s;
}

/** XEP-0115 §5.1 step 8: base64 of SHA-1 over the UTF-8 verification string. */
export function capsVer(input: CapsInput): string {
  return createHash('sha1').update(capsVerificationString(input), 'utf8').digest('base64');
}

/** The `<c/>` element for our presence (XEP-0115 §4). */
export function capsElement(input: CapsInput = OWN_DISCO): Element {
  return xml('c', { xmlns: NS.caps, hash: 'sha-1', node: CAPS_NODE, ver: capsVer(input) });
}

/** XEP-0030 §3.1 answer for our own disco#info (plain, or at node#ver as XEP-0115 §6.2 asks). */
export function discoInfoElement(input: CapsInput, node?: string): Element {
  return xml(
    'query',
    { xmlns: NS.discoInfo, node },
    ...input.identities.map((i) =>
      xml('identity', { category: i.category, type: i.type, name: i.name, 'xml:lang': i.lang }),
    ),
    ...input.features.map((f) => xml('feature', { var: f })),
  );
}

/**
 * Answers disco#info queries about us. Prosody asks right after our presence (docs/servers.md), echoing
 * the node attribute; an unknown node gets item-not-found (XEP-0030 §3.1).
 */
export function answerDiscoInfo(iqCallee: IqCallee, input: CapsInput = OWN_DISCO): void {
  const ownNode = `${CAPS_NODE}#${capsVer(input)}`;
  iqCallee.get(NS.discoInfo, 'query', (context) => {
    const node = context.element?.attrs.node;
    if (node !== undefined && node !== ownNode) {
      return xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: NS.stanzas }));
    }
    return discoInfoElement(input, node);
  });
}

/** XEP-0115 §5.1 says "sorted using 'i;octet'": compare UTF-8 bytes, not UTF-16 code units. */
function octetCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
