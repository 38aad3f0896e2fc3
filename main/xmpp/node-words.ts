/**
 * The account's PEP nodes and their audiences in a person's words, for the messages that reach the
 * screens and the CLI: "Publishing your keys failed", not "Publishing to urn:xmpp:tmp:pubkey failed".
 * The words are drift watch's (contract/format.ts WATCHED_NODE_NAME, describeAudience), so a node and
 * an audience are named alike in every message.
 */
import type { AccessRequest, WatchedNodeKind } from '../../contract/index.js';
import { capitalized, describeAudience, WATCHED_NODE_NAME } from '../../contract/format.js';
import { NS } from './namespaces.js';

/** The nodes drift watch watches, by the kind its findings name (main/services/drift-watch.ts). */
export const KIND_OF_NODE: Readonly<Record<string, WatchedNodeKind>> = {
  [NS.pubkey]: 'keys',
  [NS.vcard4]: 'vcard',
  [NS.nick]: 'nickname',
  [NS.avatarMetadata]: 'avatar',
  [NS.avatarData]: 'avatar-data',
};

/** The account's other nodes a message may name. */
const OTHER_TITLES: Readonly<Record<string, string>> = {
  [NS.profile]: 'your profile',
  [NS.backup]: 'your key backup',
};

/** What a node holds, as a noun phrase in the middle of a sentence ("your keys"); unknown ones by name. */
export function nodeTitle(node: string): string {
  const kind = KIND_OF_NODE[node];
  return kind !== undefined ? WATCHED_NODE_NAME[kind] : (OTHER_TITLES[node] ?? `the node “${node}”`);
}

/** The same at the start of a sentence. */
export function nodeTitleFirst(node: string): string {
  return capitalized(nodeTitle(node));
}

/**
 * An access the app asked for, in drift watch's words ("Anyone", "Friends, Family"); a whitelist of
 * nobody (the backup's node, XEP-0223) is the owner alone.
 */
export function requestedAudience(access: AccessRequest): string {
  if (access.model === 'whitelist' && (access.allow ?? []).length === 0) return 'Only you';
  return describeAudience({ model: access.model, groups: access.groups ?? [], allow: access.allow ?? [] });
}
