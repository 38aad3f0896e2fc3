/**
 * What a publish answers where the server will not show the account its own item back (XEP-0060
 * §6.5.8): ejabberd 23.01 under roster access hides the items from their owner unless she is in an
 * allowed group of her own roster (docs/drift.md), so the publish stands, unverified, and says so
 * (NodeConfigDeviation 'item-unverified', main/drift/read-back.ts). Elsewhere, nothing.
 */
import { expect } from 'vitest';
import type { NodeConfigDeviation } from '../../contract/index.js';

export function readBackDeviations(serverKind: string, accessModel: string): NodeConfigDeviation[] {
  // An asymmetric matcher, typed as what it matches.
  const unverified = expect.objectContaining({ code: 'item-unverified', detail: expect.stringContaining('not-authorized') as string }) as NodeConfigDeviation;
  return serverKind === 'ejabberd' && accessModel === 'roster' ? [unverified] : [];
}
