/**
 * What the OMEMO and OpenPGP readers share: picking the one item of a singleton node, and quoting a
 * hostile value in a problem message without letting it fake anything (cut, control characters gone).
 */
import { cleanText } from '../untrusted-text.js';
import type { RawItem } from '../xmpp/pubsub.js';

/** A short, printable rendering of a contact's value for a problem message. */
export function quoted(value: string | undefined, maxChars = 24): string {
  return JSON.stringify(cleanText(value, maxChars) ?? '');
}

/** XEP-0060 §12.20: a singleton node's item is 'current'; otherwise the first, with a note. */
export function pickSingletonItem(items: readonly RawItem[]): { item: RawItem | undefined; problems: string[] } {
  if (items.length === 0) return { item: undefined, problems: [] };
  const item = items.find((i) => i.id === 'current') ?? items[0];
  const problems = items.length > 1 ? [`the node holds ${items.length} items; read ${quoted(item?.id)}`] : [];
  return { item, problems };
}
