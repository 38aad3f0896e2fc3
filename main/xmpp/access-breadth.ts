/**
 * Whether a change of a node's access lets more in, or leaves some out: drift judges another client's
 * change with it (main/drift/compare.ts), publishing whether a narrowing may leave subscribers behind
 * (persistent-node.ts). One ordering for both.
 */

/** How many an access model admits by itself, for ordering (XEP-0060 §4.5). */
const BREADTH: Readonly<Record<string, number>> = { whitelist: 0, roster: 1, presence: 2, open: 3 };
const WIDEST = Number.POSITIVE_INFINITY;

export interface AccessShift {
  widened: boolean;
  narrowed: boolean;
  /** Between two roster accesses: the groups allowed after that were not before, and those no longer allowed. */
  groupsAdded: string[];
  groupsRemoved: string[];
}

/**
 * How who may read changes from `before` to `after` (a model, and its roster groups under roster
 * access); undefined when it does not. A model the app does not know may admit anyone: a change to one
 * is a widening even from open.
 */
export function accessShift(before: { model: string; groups: readonly string[] }, after: { model: string; groups: readonly string[] }): AccessShift | undefined {
  if (before.model === 'roster' && after.model === 'roster') {
    const was = [...new Set(before.groups)];
    const now = [...new Set(after.groups)];
    const groupsAdded = now.filter((g) => !was.includes(g));
    const groupsRemoved = was.filter((g) => !now.includes(g));
    if (groupsAdded.length === 0 && groupsRemoved.length === 0) return undefined;
    return { widened: groupsAdded.length > 0, narrowed: groupsRemoved.length > 0, groupsAdded, groupsRemoved };
  }
  if (before.model === after.model) return undefined;
  const was = BREADTH[before.model] ?? WIDEST;
  const now = BREADTH[after.model] ?? WIDEST;
  const widened = now > was || !(after.model in BREADTH);
  return { widened, narrowed: !widened && now < was, groupsAdded: [], groupsRemoved: [] };
}
