/**
 * How the CLI prints: for people by default, one JSON document (or JSON lines for `watch`) with --json.
 * Contacts' data is untrusted: control characters are stripped before it reaches a terminal.
 */
import { groupFingerprint } from '../../preload/format.js';
import type { ContactKeysView, EffectiveNodeConfig, OwnKeyView, PepSupport, RosterContactView } from '../../preload/contract.js';

export interface Printer {
  json: boolean;
  out(text: string): void;
}

// eslint-disable-next-line no-control-regex -- stripping terminal control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
export const safe = (text: string): string => text.replace(CONTROL, '?');

export function printJson(p: Printer, value: unknown): void {
  p.out(JSON.stringify(value, null, p.json ? 2 : 0));
}

export function describeSupport(s: PepSupport): string {
  const yes = (b: boolean) => (b ? 'yes' : 'NO');
  return [
    `asked:            ${s.queried}`,
    `PEP (pubsub/pep): ${yes(s.pep)}`,
    `publish-options:  ${yes(s.publishOptions)}`,
    `access models:    ${s.accessModels.length ? s.accessModels.join(', ') : 'none advertised'}`,
    `pubsub features:  ${s.pubsubFeatures.join(', ') || 'none'}`,
  ].join('\n');
}

export function describeOwnKey(k: OwnKeyView): string {
  const published = k.publications.length
    ? k.publications.map((p) => `published to ${p.node} (${describeAccess(p.accessModel, p.groups, p.allow)})`).join('; ')
    : 'not published';
  return [
    groupFingerprint(k.fingerprint),
    `  RSA ${k.bits ?? '?'} bits, valid ${day(k.notBefore)} to ${day(k.notAfter)}, ${published}`,
  ].join('\n');
}

export function describeNodeConfig(c: EffectiveNodeConfig): string {
  return [
    `node:                      ${c.node}`,
    `access:                    ${describeAccess(c.accessModel, c.rosterGroupsAllowed, c.whitelist)}`,
    `persist_items:             ${String(c.persistItems)}`,
    `send_last_published_item:  ${c.sendLastPublishedItem ?? 'unknown'}`,
    `max_items:                 ${c.maxItems ?? 'unknown'}`,
    ...c.deviations.map((d) => `warning: ${d}`),
  ].join('\n');
}

export function describeContacts(contacts: RosterContactView[]): string {
  if (contacts.length === 0) return 'No contacts.';
  return contacts
    .map((c) => {
      const groups = c.groups.length ? c.groups.map(safe).join(', ') : '(no group)';
      return `${safe(c.jid)}${c.name ? ` "${safe(c.name)}"` : ''}  [${groups}]  subscription: ${c.subscription}${c.pending ? ' (request pending)' : ''}`;
    })
    .join('\n');
}

export function describeContactKeys(v: ContactKeysView): string {
  const lines: string[] = [];
  if (v.keys.length === 0 && v.invalid.length === 0) lines.push(`${safe(v.jid)} publishes no keys.`);
  for (const k of v.keys) {
    const warning = k.trust === 'changed' ? '  !! KEY CHANGED: compare fingerprints before trusting it' : '';
    lines.push(
      `${groupFingerprint(k.fingerprint)}`,
      `  ${k.status}: ${safe(k.reason)}`,
      `  trust: ${k.trust}${warning}; first seen ${day(k.firstSeen)}, valid ${day(k.notBefore)} to ${day(k.notAfter)}`,
    );
  }
  for (const bad of v.invalid) lines.push(`invalid item ${safe(bad.itemId)}: ${safe(bad.reason)}`);
  return lines.join('\n');
}

function describeAccess(model: string, groups?: string[], allow?: string[]): string {
  if (model === 'roster') return `roster groups: ${(groups ?? []).join(', ')}`;
  if (model === 'whitelist') return `whitelist: ${(allow ?? []).join(', ')}`;
  if (model === 'presence') return 'contacts who see your presence';
  if (model === 'open') return 'anyone';
  return model;
}

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '?');
