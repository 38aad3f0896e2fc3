/**
 * How the contacts' keys events wait for the next batch (event-batch.ts) and are applied, as plain
 * functions. Two kinds arrive: `contacts:keys`, a contact's keys as just fetched or notified (the whole
 * view, whose `changes` go to Activity once), and `contacts:trust`, a change of trust made in any
 * window (the keys, policy and mismatches as they now stand; what the last fetch said stays, and
 * nothing goes to Activity: the window that asked wrote its own line).
 */
import type { ContactKeysView } from '../../../contract';
import { byJid } from './event-batch';

export interface PendingKeyViews {
  /** Whole views (contacts:keys), by contact: the latest wins. */
  full: Record<string, ContactKeysView>;
  /** Trust changes (contacts:trust) with no whole view waiting for the same contact. */
  trust: Record<string, ContactKeysView>;
}

export function noPendingKeyViews(): PendingKeyViews {
  return { full: byJid(), trust: byJid() };
}

/** A view the last fetch made, with the trust a later change gave its keys. */
export function withTrust(before: ContactKeysView | undefined, trust: ContactKeysView): ContactKeysView {
  if (!before) return trust;
  const { lastMatchAt: _before, ...rest } = before;
  return { ...rest, keys: trust.keys, policy: trust.policy, policySource: trust.policySource, mismatches: trust.mismatches, ...(trust.lastMatchAt ? { lastMatchAt: trust.lastMatchAt } : {}) };
}

/** A whole view arrived: it is newer than any trust change still waiting for that contact, and holds it. */
export function whole(pending: PendingKeyViews, view: ContactKeysView): void {
  delete pending.trust[view.jid];
  pending.full[view.jid] = view;
}

/** A trust change arrived: newer than a whole view still waiting, it goes into that one. */
export function trustChange(pending: PendingKeyViews, view: ContactKeysView): void {
  const waiting = pending.full[view.jid];
  if (waiting) pending.full[view.jid] = withTrust(waiting, view);
  else pending.trust[view.jid] = view;
}

/**
 * The views after what waited is applied, and the whole views whose changes Activity is to hear of
 * (undefined when nothing waited: the same map, nothing to redraw).
 */
export function applyPending(shown: Readonly<Record<string, ContactKeysView>>, pending: PendingKeyViews): { keys: Record<string, ContactKeysView>; report: ContactKeysView[] } | undefined {
  const report = Object.values(pending.full);
  const trust = Object.values(pending.trust);
  if (report.length === 0 && trust.length === 0) return undefined;
  const merged = { ...shown, ...pending.full };
  // Spread, not assigned: an address is only ever an own key, never a prototype's name.
  const trusted = byJid<ContactKeysView>();
  for (const view of trust) trusted[view.jid] = withTrust(Object.hasOwn(merged, view.jid) ? merged[view.jid] : undefined, view);
  return { keys: { ...merged, ...trusted }, report };
}
