/**
 * What the server's read-back of a published node means for its readers, said as plain statements
 * (the publish panel on My keys, the profile's result). XEP-0222 §2 asks for pubsub#persist_items true
 * (the server keeps the item for readers to fetch) and pubsub#send_last_published_item "never" (the
 * item is not sent again when a reader signs in or subscribes: their app asks for it). Each statement
 * is made only when the read-back says it holds; where it does not, the deviation's ⚠ line says so.
 * Nothing here claims a live notification went out: the app does not read back whether the server
 * delivers them.
 */
import type { AccessRequest, EffectiveNodeConfig } from '../../../contract';
import { describeAccess, describeDeviation } from './format';
import { accessOf, sameAudience } from './own-keys';

type Delivery = Pick<EffectiveNodeConfig, 'persistItems' | 'sendLastPublishedItem'>;

/** One sentence about the nodes `configs` (all of them must hold what it says), '' when none holds; `it`: 'it' for one item, 'them' for several. */
export function deliveryWords(configs: readonly Delivery[], it: 'it' | 'them'): string {
  if (configs.length === 0) return '';
  const kept = configs.every((c) => c.persistItems === true);
  const notResent = configs.every((c) => c.sendLastPublishedItem === 'never');
  const notSent = `${it === 'it' ? 'it is' : 'they are'} not sent to readers when they sign in`;
  if (kept && notResent) return `Your server keeps ${it}, and readers’ apps get ${it} when they ask; ${notSent}.`;
  if (kept) return `Your server keeps ${it}, and readers’ apps get ${it} when they ask.`;
  if (notResent) return `${it === 'it' ? 'It is' : 'They are'} not sent to readers when they sign in.`;
  return '';
}

/**
 * The ⚠ lines of a publish's result: each way the nodes it wrote fell short of what was asked, in
 * describeDeviation's words (the Publish panel's and the CLI's), each said once: an avatar's two nodes
 * refused back for the same reason are one line, not two alike.
 */
export function deviationSentences(configs: readonly Pick<EffectiveNodeConfig, 'deviations'>[]): string[] {
  // Each shown as a sentence of its own: with its full stop (describeDeviation's words are clauses, for lists).
  return [...new Set(configs.flatMap((c) => c.deviations.map((d) => `${describeDeviation(d)}.`)))];
}

/** What a node of the profile's publish is called in its report. */
export type ProfilePartName = 'Profile' | 'Nickname' | 'Avatar';

/**
 * The profile publish's report, one line per part the user knows: the vCard ("Profile"), the nickname,
 * and the avatar, whose two nodes (XEP-0084 data and metadata) are one picture to the user and were made
 * readable by the same people, so they are said once (by the metadata's read-back when there is one).
 */
export function profileReportParts<C extends Pick<EffectiveNodeConfig, 'node'>>(configs: readonly C[]): { name: ProfilePartName; config: C }[] {
  const hasMetadata = configs.some((c) => c.node === 'urn:xmpp:avatar:metadata');
  return configs.flatMap((config) => {
    if (config.node === 'urn:xmpp:avatar:data' && hasMetadata) return [];
    const name: ProfilePartName = config.node.endsWith('vcard4') ? 'Profile' : config.node.startsWith('urn:xmpp:avatar:') ? 'Avatar' : 'Nickname';
    return [{ name, config }];
  });
}

/**
 * The published profile's readers (OwnProfileView.audience: the server's, or as last recorded), when the
 * audience chosen on the form is another: a publish changes who may read a profile already published
 * only when asked to (its checkbox; main refuses otherwise), so the form says so rather than offering
 * nothing to publish. Undefined when nothing is published yet, or the audience is the same.
 */
export function otherAudienceThanPublished(published: AccessRequest | undefined, chosen: AccessRequest | undefined): string | undefined {
  // Readers not known (a whitelist whose members could not be read): no claim that they differ.
  const now = publishedAudience(published);
  if (!now || !chosen || sameAudience(now, chosen)) return undefined;
  return describeAccess(now.model, now.groups ?? [], now.allow);
}

/**
 * Where the profile's audience picker starts: who may read the published profile, when known (a
 * whitelist or roster groups naming nobody known is no audience to start from).
 */
export function publishedAudience(published: AccessRequest | undefined): AccessRequest | undefined {
  return published && accessOf(published.model, published.groups, published.allow);
}
