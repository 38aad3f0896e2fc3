/**
 * The account's PEP nodes and their audiences in a person's words, for the messages that reach the
 * screens and the CLI: "Publishing your keys failed", not "Publishing to urn:xmpp:tmp:pubkey failed".
 * The same words as the access picker's (renderer/src/components/AccessPicker.svelte).
 */
import type { AccessRequest } from '../../contract/index.js';
import { NS } from './namespaces.js';

const TITLES: Readonly<Record<string, string>> = {
  [NS.pubkey]: 'your keys',
  [NS.vcard4]: 'your profile card',
  [NS.nick]: 'your nickname',
  [NS.avatarMetadata]: 'your picture’s description',
  [NS.avatarData]: 'your picture',
  [NS.profile]: 'your profile',
  [NS.backup]: 'your key backup',
};

/** What a node holds, as a noun phrase in the middle of a sentence ("your keys"); unknown ones by name. */
export function nodeTitle(node: string): string {
  return TITLES[node] ?? `the node “${node}”`;
}

/** The same at the start of a sentence. */
export function nodeTitleFirst(node: string): string {
  const title = nodeTitle(node);
  return title.charAt(0).toUpperCase() + title.slice(1);
}

/**
 * Who an access model lets read (XEP-0060 §4.5), with the roster groups or people it names; `allow`
 * undefined when not known (a node's form names no whitelist: its affiliations do).
 */
export function audienceWords(model: string, groups: readonly string[] = [], allow?: readonly string[]): string {
  switch (model) {
    case 'open':
      return 'anyone';
    case 'presence':
      return 'contacts who see your presence';
    case 'roster':
      return groups.length === 0 ? 'people in roster groups you choose' : `people in the roster group${groups.length === 1 ? '' : 's'} ${groups.join(', ')}`;
    case 'whitelist':
      return allow === undefined ? 'only contacts you choose' : allow.length === 0 ? 'only you' : `only ${allow.join(', ')}`;
    case 'authorize':
      return 'people you approve one by one';
    default:
      return `“${model}”`;
  }
}

/** An access the user asked for, in the same words. */
export function requestedAudience(access: AccessRequest): string {
  return audienceWords(access.model, access.groups ?? [], access.allow ?? []);
}
