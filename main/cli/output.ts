/**
 * How the CLI prints: for people by default, one JSON document (or JSON lines for `watch`) with --json.
 * Contacts' data is untrusted: control characters are stripped before it reaches a terminal.
 */
import { groupFingerprint } from '../../preload/format.js';
import type {
  ContactKeysView,
  ContactProfileView,
  EffectiveNodeConfig,
  OwnKeyView,
  PepSupport,
  Profile,
  RosterContactView,
} from '../../preload/contract.js';

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

/** Several nodes' configurations (a profile spans vCard4, nickname and avatar nodes), one block each. */
export function describeNodeConfigs(configs: readonly EffectiveNodeConfig[]): string {
  return configs.map(describeNodeConfig).join('\n\n');
}

/** A profile as read from the server; every value is the contact's text, so it goes through safe(). */
export function describeProfile(v: ContactProfileView): string {
  const lines = [safe(v.jid)];
  const row = (label: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    const [first = '', ...rest] = safe(value).split('\n');
    lines.push(`  ${label.padEnd(14)}${first}`, ...rest.map((l) => `  ${' '.repeat(14)}${l}`));
  };
  const profileRows = (p: Profile) => {
    row('name:', p.fullName);
    row('nickname:', p.nickname);
    for (const e of p.emails) row('e-mail:', e);
    for (const t of p.phones) row('phone:', t);
    for (const u of p.urls) row('web:', `${u}  (link, not opened)`);
    row('organisation:', p.organisation);
    const a = p.address;
    if (a) row('address:', [a.street, a.locality, [a.region, a.code].filter(Boolean).join(' '), a.country].filter(Boolean).join(', '));
    row('note:', p.note);
  };
  if (v.vcard) profileRows(v.vcard);
  if (v.nickname !== undefined && v.nickname !== v.vcard?.nickname) row('nickname:', `${v.nickname}  (XEP-0172)`);
  if (v.avatar) {
    const i = v.avatar.info;
    const size = i.width && i.height ? ` ${i.width}×${i.height}` : '';
    const state = v.avatar.dataBase64 !== undefined ? 'checked' : `no image: ${v.avatar.dataProblem ?? 'not fetched'}`;
    row('avatar:', `${i.type}${size}, ${i.bytes} bytes, id ${i.id} (${state})`);
  }
  if (v.xep0154) {
    lines.push('  XEP-0154 profile:');
    for (const f of v.xep0154.fields) row(`  ${f.name}:`.slice(0, 13), f.values.join(', '));
  }
  if (!v.vcard && v.nickname === undefined && !v.avatar && !v.xep0154) lines.push('  publishes no profile you can read.');
  lines.push(`  sources:      ${v.sources.map((s) => `${s.node} ${s.status}${s.detail ? ` (${safe(s.detail)})` : ''}`).join('; ')}`);
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
