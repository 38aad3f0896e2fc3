/** Pure helpers for the My keys screen: how a key is named, and audiences compared. */
import type { AccessModel, AccessRequest, KeyExpiry, OwnKeyView } from '../../../contract';
import { formatDay } from './format';

/** How a key is named on screen: its label, or the day it was made. */
export function keyName(key: Pick<OwnKeyView, 'label' | 'createdAt'>): string {
  if (key.label) return key.label;
  const made = formatDay(key.createdAt);
  return made === '—' ? 'Unnamed key' : `Key made ${made}`;
}

const MODELS: readonly AccessModel[] = ['open', 'presence', 'roster', 'whitelist'];

/** A recorded publication's audience as a request; undefined for a model the app does not offer. */
export function accessOf(model: string, groups?: readonly string[], allow?: readonly string[]): AccessRequest | undefined {
  const known = MODELS.find((m) => m === model);
  if (!known) return undefined;
  if (known === 'roster') return groups?.length ? { model: known, groups: [...groups] } : undefined;
  if (known === 'whitelist') return allow?.length ? { model: known, allow: [...allow] } : undefined;
  return { model: known };
}

/** Whether two audiences let in the same people (order of groups and addresses aside). */
export function sameAudience(a: AccessRequest, b: AccessRequest): boolean {
  if (a.model !== b.model) return false;
  // Roster group names are compared as written (XEP-0060 matches them exactly), addresses without case.
  const same = (x: readonly string[] = [], y: readonly string[] = [], fold = (v: string) => v) => {
    const left = new Set(x.map(fold));
    const right = new Set(y.map(fold));
    return left.size === right.size && [...left].every((v) => right.has(v));
  };
  if (a.model === 'roster') return same(a.groups, b.groups);
  if (a.model === 'whitelist') return same(a.allow, b.allow, (v) => v.toLowerCase());
  return true;
}

/** A published key whose certificate expires within 30 days, or has expired: time to renew it. */
export function needsRenewal(key: Pick<OwnKeyView, 'expiry' | 'publications'>): boolean {
  return key.publications.length > 0 && key.expiry.level !== 'none' && key.expiry.level !== 'unknown';
}

/** "expires in 3 days", "expires within a day", "expired 2 days ago"; empty when there is nothing to say. */
export function expiryText(expiry: KeyExpiry): string {
  switch (expiry.level) {
    case 'within-30-days':
    case 'within-7-days':
      return `expires in ${expiry.daysLeft} days`;
    case 'within-1-day':
      return 'expires within a day';
    case 'expired':
      return expiry.daysAgo === 0 ? 'expired today' : `expired ${expiry.daysAgo} day${expiry.daysAgo === 1 ? '' : 's'} ago`;
    default:
      return '';
  }
}
