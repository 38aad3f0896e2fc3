import type { DriftReport, NodeDriftView, WatchedNodeKind } from '../../../contract';
import { capitalized, describeDriftFinding, WATCHED_NODE_NAME } from './format';

/**
 * What the drift banner, the screens under it and Activity say about a drifted node (docs/drift.md),
 * in one place so that they say the same: a key card never calls "Published" what the banner right
 * above says another app deleted.
 */

/** "it" or "them": your keys are many, your profile card is one. */
function pronoun(kind: WatchedNodeKind): 'it' | 'them' {
  return kind === 'keys' ? 'them' : 'it';
}

/** The banner's heading: "Your keys: not as you published them". */
export function driftHeading(node: Pick<NodeDriftView, 'kind'>): string {
  return `${capitalized(WATCHED_NODE_NAME[node.kind])}: not as you published ${pronoun(node.kind)}`;
}

/** The node is gone from the server (the only finding then): its Accept keeps it deleted. */
function deleted(node: Pick<NodeDriftView, 'findings'>): boolean {
  return node.findings.some((f) => f.code === 'node-deleted');
}

/** What the banner's second button says: keeping a deletion is not "accepting a change" of a setting. */
export function acceptLabel(node: Pick<NodeDriftView, 'kind' | 'findings'>): string {
  return deleted(node) ? `Keep ${pronoun(node.kind)} deleted` : 'Accept the change';
}

/**
 * The banner's hint: what Restore does, and what the other answer means. A deletion is spoken of as
 * one: Restore publishes it again; keeping it deleted records it as not published, and what the app
 * holds stays here.
 */
export function driftHint(node: Pick<NodeDriftView, 'kind' | 'findings' | 'acceptable' | 'revocationAtStake'>, online: boolean): string {
  if (!online) return 'Sign in to put it back.';
  const it = pronoun(node.kind);
  if (deleted(node)) {
    const restore = `Restore publishes ${it} again as you published ${it}.`;
    if (!node.acceptable) {
      // Only the key node holds revocations (main/drift/restore-plan.ts deletionAcceptable).
      return `${restore} This app cannot keep ${it} deleted: the revocation of one of your keys belongs there, and contacts must still be able to read it.`;
    }
    const keep = `If you deleted ${it} yourself in another app, keep ${it} deleted: this app then records ${it} as not published`;
    // The keys stay in the vault; a profile part's copy was the record of what was published, which goes.
    return node.kind === 'keys'
      ? `${restore} ${keep} (your keys stay in this app, and you can publish them again).`
      : `${restore} ${keep} and no longer offers to put ${it} back.`;
  }
  if (node.acceptable) return `Restore puts ${it} back as you published ${it}. If you made this change yourself in another app, accept it.`;
  // A revocation removed (main/drift/restore-plan.ts 'revocation-removed'): accepted, contacts would never be told again.
  if (node.revocationAtStake) {
    return `Restore puts ${it} back as you published ${it}. This app cannot accept the change: the revocation of one of your keys was removed, and contacts must still be able to read it.`;
  }
  if (node.findings.every((f) => f.code === 'subscribers-outside')) {
    return 'Restore ends the subscriptions of anyone your audience leaves out, so they are sent nothing more.';
  }
  const subscribers = node.findings.some((f) => f.code === 'subscribers-outside') ? ' and ends the subscriptions of anyone your audience leaves out' : '';
  return `Restore puts ${it} back as you published ${it}${subscribers}. This app cannot keep the new setting.`;
}

/**
 * Whether drift watch's last reading found what the app published on `node` gone: the node deleted,
 * or (with `itemId`, a key's fingerprint) that item removed; without `itemId`, any of its items
 * removed (a profile part is one item). Said where the screen would otherwise say "Published":
 * "Not on your server now: deleted by another app. Restore, on the banner above, publishes it again."
 * Undefined when it was found there, or not read.
 */
export function goneFromServer(report: DriftReport, node: string, itemId?: string): string | undefined {
  const view = report.nodes.find((n) => n.node === node);
  if (!view) return undefined;
  const how = deleted(view)
    ? 'deleted'
    : view.findings.some((f) => f.code === 'items-removed' && (itemId === undefined || f.itemIds.includes(itemId)))
      ? 'removed'
      : undefined;
  if (how === undefined) return undefined;
  // A change this app started and did not finish may be what is seen: not called another app's then.
  const byWhom = view.unfinishedChange ? '' : ' by another app';
  return `Not on your server now: ${how}${byWhom}. Restore, on the banner above, publishes it again.`;
}

/**
 * The Activity lines for what a report found that was not found before (`told`: each node's findings
 * as last told, updated here), once per change: a re-check that finds the same says nothing again.
 * A node found fine again is forgotten, so a later change to it is told anew; a node that could not
 * be read is left as it was told (unknown is not fine).
 */
export function newDriftLines(told: Map<string, string>, report: DriftReport): string[] {
  const lines: string[] = [];
  for (const node of report.nodes) {
    if (node.error) continue;
    if (node.severity === undefined) {
      told.delete(node.node);
      continue;
    }
    const sentences = node.findings.map((f) => describeDriftFinding(node.kind, f, node.unfinishedChange ? 'unknown' : 'another-app'));
    const said = `${driftHeading(node)}. ${sentences.join(' ')}`;
    if (told.get(node.node) === said) continue;
    told.set(node.node, said);
    lines.push(said);
  }
  // A node no longer recorded (kept deleted, withdrawn) is forgotten too.
  for (const node of [...told.keys()]) if (!report.nodes.some((n) => n.node === node)) told.delete(node);
  return lines;
}
