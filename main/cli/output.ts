/**
 * How the CLI prints: for people by default, one JSON document (or JSON lines for `watch`) with --json.
 *
 * What the network sends is untrusted (contacts' data, item ids, server error texts, what the server
 * reads back), so two guards stand between it and a terminal (main/untrusted-text.ts):
 * - every remote string in a human-readable line goes through safe(): one line, no control, bidi or
 *   invisible character, so it can neither forge a line ("  trust: verified") nor move the cursor;
 * - everything the CLI writes, human or JSON, stdout or stderr, goes through forTerminal() in runCli,
 *   so a path that forgot safe() still cannot send an escape sequence; JSON carries such characters as
 *   \uXXXX escapes (jsonText), the same data without the effect.
 */
import { compareWithKeys, describeComparison, openMismatches } from '../../contract/comparison.js';
import {
  describeDeviation,
  describeEmptyGroups,
  describeOtherKeysLeftOut,
  describeRevocationAudience,
  fingerprintGroups,
  formatOtherKeyFingerprint,
  quotedGroups,
  groupFingerprint,
  otherKeyStyleOf,
  REVOCATION_REASON_TEXT,
  shortFingerprint,
  TRUST_POLICY_TEXT,
  X509_STYLE,
  type FingerprintStyle,
} from '../../contract/format.js';
import type {
  ContactKeysView,
  ContactProfileView,
  EffectiveNodeConfig,
  KeyExpiry,
  MismatchView,
  NodeConfigDeviation,
  OtherKeysView,
  OtherKeyView,
  OwnKeyView,
  NotificationDelivery,
  PepSupport,
  Profile,
  RenewOutcome,
  RevokeOutcome,
  RosterContactView,
} from '../../contract/index.js';
import { escapeUnsafeInJson, keepingLines, oneLineShowingHiddenInAddresses } from '../untrusted-text.js';
import { MAX_CURRENT_KEYS } from '../vault/contact-keys.js';
import { nodeTitle } from '../xmpp/node-words.js';

/**
 * A remote string for a human-readable line: one line, nothing that is not plain text, and no address
 * that reads as another (a character in it that shows as nothing is printed as U+FFFD).
 */
export const safe = (text: string | number | undefined): string => oneLineShowingHiddenInAddresses(String(text ?? ''));

/** The last guard before the terminal: no control, bidi or invisible character, newlines kept. */
export const forTerminal = (text: string): string => keepingLines(text);

/** JSON with unsafe characters escaped (JSON.stringify escapes only C0 controls itself). */
export const jsonText = (value: unknown, indent = 0): string => escapeUnsafeInJson(JSON.stringify(value, null, indent));

export function describeSupport(s: PepSupport): string {
  const yes = (b: boolean) => (b ? 'yes' : 'NO');
  return [
    `asked:            ${safe(s.queried)}`,
    `PEP (pubsub/pep): ${yes(s.pep)}`,
    `publish-options:  ${yes(s.publishOptions)}`,
    `publishes with:   ${s.acceptedAccessModels?.length ? s.acceptedAccessModels.join(', ') : 'not known (no configuration form)'}`,
    `access models:    ${s.accessModels.length ? s.accessModels.map(safe).join(', ') : 'none advertised'}`,
    `pubsub features:  ${s.pubsubFeatures.map(safe).join(', ') || 'none'}`,
    `server software:  ${s.software ? `${safe(s.software.name)} ${safe(s.software.version)}` : 'not named (XEP-0092)'}`,
    `notifies contacts on other servers:     ${delivery(s.notifications.remoteContacts)}`,
    `notifies whitelisted non-contacts:      ${delivery(s.notifications.whitelistMembers)}`,
    `notifies when a key is withdrawn:       ${delivery(s.notifications.retractions)}`,
    `  (${s.notifications.measuredOn ? `as measured on ${s.notifications.measuredOn}` : 'not measured on this server software'})`,
  ].join('\n');
}

function delivery(d: NotificationDelivery): string {
  return d === 'delivered' ? 'yes' : d === 'not-delivered' ? 'NO (they see changes when they fetch)' : 'unknown';
}

/**
 * One own key for `keys list`. `all`: the whole list, so an older certificate names the one that
 * renewed it (the list says its successor by `continues`); left out, only the key's own line says it.
 */
export function describeOwnKey(k: OwnKeyView, all: readonly OwnKeyView[] = []): string {
  const successor = all.find((o) => o.continues === k.fingerprint);
  const published = k.publications.length
    ? k.publications.map((p) => `published to ${safe(p.node)} (${describeAccess(p.accessModel, p.groups, p.allow)})`).join('; ')
    : 'not published';
  const warning = describeExpiry(k.expiry, k.publications.length > 0);
  return [
    `${groupFingerprint(k.fingerprint)}${k.label ? `  "${safe(k.label)}"` : ''}${k.current ? '  (current)' : ''}${k.revoked ? '  (REVOKED)' : k.notYetValid ? '  (NOT VALID YET)' : ''}`,
    `  RSA ${k.bits ?? '?'} bits, valid ${day(k.notBefore)} to ${day(k.notAfter)}, ${published}`,
    // A renewal's two certificates, named from both sides: the successor is the one to publish or renew.
    ...(k.continues ? [`  successor of ${shortFingerprint(k.continues)}`] : []),
    ...(successor ? [`  renewed: its successor is ${shortFingerprint(successor.fingerprint)}${successor.current ? ' (current)' : ''}`] : []),
    ...(k.revoked
      ? [
          `  revoked: ${REVOCATION_REASON_TEXT[k.revoked.reason]} (${k.revoked.reason}), ${day(k.revoked.date)}${
            k.revoked.underCertificate ? `, under its other certificate ${shortFingerprint(k.revoked.underCertificate)} (the same key)` : ''
          }`,
          // Held back (OwnKeyView.revocationUnpublished): "revoked" must not read as "contacts were told".
          ...(k.revocationUnpublished
            ? [
                '  warning: its revocation is not published yet, so contacts are not told: their apps still show this key as yours.' +
                  ' When it was revoked, the key node was set outside this app to an audience the app cannot publish to; once that is' +
                  ' put back (`keyring doctor --repair`), the revocation goes out at the next sign-in',
              ]
            : []),
        ]
      : [
          // Main said its certificate has not started (OwnKeyView.notYetValid): never current until then.
          ...(k.notYetValid ? [`  warning: not valid until ${day(k.notBefore)}: contacts' apps may refuse it until then, so it is not your current key`] : []),
          ...(warning ? [`  warning: ${warning}`] : []),
        ]),
  ].join('\n');
}

/** The 30/7/1-day expiry warning of a key (docs/key-lifecycle.md), undefined when there is none to give. */
export function describeExpiry(expiry: KeyExpiry, published: boolean): string | undefined {
  const renew = published ? '; renew it with `keyring keys renew FINGERPRINT`' : '';
  switch (expiry.level) {
    case 'within-30-days':
    case 'within-7-days':
    case 'within-1-day':
      return `expires in ${expiry.daysLeft} day${expiry.daysLeft === 1 ? '' : 's'}${renew}`;
    case 'expired':
      return `expired${expiry.daysAgo > 0 ? ` ${expiry.daysAgo} day${expiry.daysAgo === 1 ? '' : 's'} ago` : ''}: contacts no longer accept it${renew}`;
    default:
      return undefined;
  }
}

export function describeNodeConfig(c: EffectiveNodeConfig): string {
  return [
    `node:                      ${safe(c.node)}`,
    `access:                    ${describeAccess(c.accessModel, c.rosterGroupsAllowed, c.whitelist)}`,
    `persist_items:             ${String(c.persistItems)}`,
    `send_last_published_item:  ${safe(c.sendLastPublishedItem ?? 'unknown')}`,
    `max_items:                 ${safe(c.maxItems ?? 'unknown')}`,
    // Who else holds an affiliation, read back (on a whitelist node: the whitelist; elsewhere: nobody).
    ...(c.members.length > 0 && c.accessModel !== 'whitelist' ? [`also affiliated:           ${c.members.map(safe).join(', ')}`] : []),
    ...deviationLines(c.deviations),
    // Roster groups nobody is in (main/services/roster-reach.ts): published all the same, read by no one through them.
    ...emptyGroupsLines(c),
  ].join('\n');
}

/**
 * A `warning:` line for each way a node, read back, fell short of what was asked: every success that
 * published something prints them, so one the app could not check ('item-unverified') never reads as
 * checked.
 */
export function deviationLines(deviations: readonly NodeConfigDeviation[] | undefined): string[] {
  return (deviations ?? []).map((d) => `warning: ${safe(describeDeviation(d))}`);
}

/** What `keys renew` prints: the successor, where it went, and what the server's read-back fell short of. */
export function describeRenew(answer: RenewOutcome): string {
  return [
    answer.fingerprint,
    answer.published ? `published to the same audience${answer.withdrawn ? '; the old key was withdrawn' : ''}` : 'not published (the old key was not)',
    ...(answer.published ? deviationLines(answer.config?.deviations) : []),
  ].join('\n');
}

/** What `keys revoke` prints once revoked now (a queued one says so instead). */
export function describeRevoke(answer: RevokeOutcome, fingerprint: string): string {
  return [
    `Revoked ${fingerprint}.`,
    answer.published
      ? `The revocation was published ${safe(describeRevocationAudience(answer.config))}${
          answer.withdrawn
            ? '; the key was withdrawn'
            : answer.withdrawalPending
              ? '. The key is still listed on your server (its withdrawal was cut off): it is tried again at the next connection'
              : ''
        }.`
      : 'No key of yours is published, so nothing was sent: contacts never got this key from you.',
    // What the server did not take or would not show back (an unchecked revocation is not told as checked).
    ...(answer.published ? deviationLines(answer.config?.deviations) : []),
    // Published to roster groups nobody is in, the revocation reaches nobody either (main/services/roster-reach.ts).
    ...(answer.published && answer.config
      ? [describeEmptyGroups(answer.config.emptyGroups, answer.config.rosterGroupsAllowed, 'the revocation')].flatMap((w) => (w ? [`warning: ${safe(w)}`] : []))
      : []),
    // A compromised key is revoked under every certificate it has (a renewal keeps the key).
    ...(answer.alsoRevoked?.length ? [`Also revoked, the same key under another certificate: ${answer.alsoRevoked.join(', ')}.`] : []),
  ].join('\n');
}

/** The `warning:` line for roster groups of a node's audience that no contact is in; none when there are none. */
export function emptyGroupsLines(c: Pick<EffectiveNodeConfig, 'node' | 'rosterGroupsAllowed' | 'emptyGroups'>): string[] {
  const words = describeEmptyGroups(c.emptyGroups, c.rosterGroupsAllowed, nodeTitle(c.node));
  return words === undefined ? [] : [`warning: ${safe(words)}`];
}

export function describeContacts(contacts: RosterContactView[]): string {
  if (contacts.length === 0) return 'No contacts.';
  return contacts
    .map((c) => {
      const groups = c.groups.length ? c.groups.map(safe).join(', ') : '(no group)';
      return `${safe(c.jid)}${c.name ? ` "${safe(c.name)}"` : ''}  [${groups}]  subscription: ${safe(c.subscription)}${c.pending ? ' (request pending)' : ''}`;
    })
    .join('\n');
}

export function describeContactKeys(v: ContactKeysView): string {
  const lines: string[] = [];
  if (v.keys.length === 0 && v.invalid.length === 0) {
    lines.push(v.fetch === 'cached' ? `No keys known for ${safe(v.jid)}: none seen before.` : `${safe(v.jid)} publishes no keys.`);
  }
  const policy = TRUST_POLICY_TEXT[v.policy];
  lines.push(`policy: ${v.policy} (${policy.name}${v.policySource === 'account' ? ', the account’s' : ', set for this contact'}): ${policy.meaning}`);
  lines.push(...mismatchLines(v.mismatches, v.keys, currentX509(v), () => X509_STYLE, v.lastMatchAt));
  for (const k of v.keys) {
    const warning =
      k.status === 'revoked'
        ? '  !! REVOKED by its owner: never use it'
        : k.trust === 'changed'
          ? `  !! KEY CHANGED: compare fingerprints before trusting it${k.continuityProblem ? ` (its claim to continue an earlier key failed: ${safe(k.continuityProblem)})` : ''}`
          : '';
    const continues = k.continues
      ? [`  continues ${shortFingerprint(safe(k.continues.fingerprint))}${k.continues.verified ? ', a key you verified' : ''} (${k.continues.basis === 'same-key' ? 'same key, new certificate' : 'signed by that key'})`]
      : [];
    const revoked = k.revocation ? [`  revoked: ${REVOCATION_REASON_TEXT[k.revocation.reason]} (${safe(k.revocation.reason)}), statement dated ${day(k.revocation.date)}`] : [];
    const verified = k.verifiedAt && k.trust === 'verified' ? ` on ${day(k.verifiedAt)}` : '';
    lines.push(
      `${groupFingerprint(safe(k.fingerprint))}`,
      `  ${safe(k.status)}: ${safe(k.reason)}`,
      `  key: RSA ${safe(k.bits ?? '?')} bits${k.status === 'weak' ? ' (WEAK)' : ''}, valid ${day(k.notBefore)} to ${day(k.notAfter)}`,
      `  trust: ${safe(k.decision)} (${k.trust === 'verified' ? `verified${verified}` : k.trust === 'retracted' ? 'withdrawn by its owner' : k.trust === 'changed' ? 'changed' : 'not verified'})${warning}; first seen ${day(k.firstSeen)}${v.fetch === 'cached' ? `, last seen ${day(k.lastSeen)}` : ''}`,
      ...continues,
      ...revoked,
    );
  }
  const leftOut = v.invalid.filter((bad) => bad.tooMany);
  for (const bad of v.invalid) if (!bad.tooMany) lines.push(`invalid item ${safe(bad.itemId)}: ${safe(bad.reason)}`);
  if (leftOut.length > 0) {
    lines.push(`${leftOut.length} more key${leftOut.length > 1 ? 's' : ''} left out: the app keeps at most ${MAX_CURRENT_KEYS} current keys per contact.`);
  }
  return lines.join('\n');
}

/** Several nodes' configurations (a profile spans vCard4, nickname and avatar nodes), one block each. */
export function describeNodeConfigs(configs: readonly EffectiveNodeConfig[]): string {
  return configs.map(describeNodeConfig).join('\n\n');
}

/** A profile as read from the server; every value is the contact's text, so it goes through safe(). */
export function describeProfile(v: ContactProfileView): string {
  const lines = [safe(v.jid)];
  // One line per field: a multi-line note is folded too, so no value can start a line of its own.
  // `label` and `note` are ours (or already safe); `value` is the contact's.
  const row = (label: string, value: string | undefined, note = '') => {
    if (value === undefined || value === '') return;
    lines.push(`  ${label.padEnd(14)}${safe(value)}${note}`);
  };
  const profileRows = (p: Profile) => {
    row('name:', p.fullName);
    row('nickname:', p.nickname);
    for (const e of p.emails) row('e-mail:', e);
    for (const t of p.phones) row('phone:', t);
    for (const u of p.urls) row('web:', u, '  (link, not opened)');
    row('organisation:', p.organisation);
    const a = p.address;
    if (a) row('address:', [a.street, a.locality, [a.region, a.code].filter(Boolean).join(' '), a.country].filter(Boolean).join(', '));
    row('note:', p.note);
  };
  if (v.vcard) profileRows(v.vcard);
  if (v.nickname !== undefined && v.nickname !== v.vcard?.nickname) row('nickname:', v.nickname, '  (XEP-0172)');
  if (v.avatar) {
    const i = v.avatar.info;
    const size = i.width && i.height ? ` ${i.width}×${i.height}` : '';
    const state = v.avatar.dataBase64 !== undefined ? 'checked' : `no image: ${v.avatar.dataProblem ?? 'not fetched'}`;
    row('avatar:', `${i.type}${size}, ${i.bytes} bytes, id ${i.id} (${state})`);
  }
  if (v.xep0154) {
    lines.push('  XEP-0154 profile:');
    for (const f of v.xep0154.fields) row(`  ${safe(f.name)}:`.slice(0, 13), f.values.join(', '));
  }
  if (!v.vcard && v.nickname === undefined && !v.avatar && !v.xep0154) lines.push('  publishes no profile you can read.');
  lines.push(`  sources:      ${v.sources.map((s) => `${safe(s.node)} ${safe(s.status)}${s.detail ? ` (${safe(s.detail)})` : ''}`).join('; ')}`);
  // A part the server would not give back now is the vault's copy (storedAt): said, so that what was last
  // published or read here is not taken for what the server holds (ejabberd refuses the owner's own
  // roster-access node, docs/servers.md).
  const notGiven = v.sources.filter((s) => s.status !== 'ok' && s.status !== 'none');
  if (v.storedAt !== undefined && notGiven.length > 0) {
    lines.push(
      `  (not what the server holds now: it did not give back ${notGiven.map((s) => safe(s.node)).join(', ')}, so that part is shown as last published or read here, ${safe(v.storedAt.slice(0, 10))} ${safe(v.storedAt.slice(11, 16))} UTC)`,
    );
  }
  return lines.join('\n');
}

/** Who may read a node, for the CLI's lines: "anyone", 'roster groups "Friends", "Family"' (names quoted: a group may be called "Anyone"). */
export function describeAccess(model: string, groups?: string[], allow?: string[]): string {
  if (model === 'roster') return `roster group${(groups ?? []).length === 1 ? '' : 's'} ${quotedGroups((groups ?? []).map(safe))}`;
  if (model === 'whitelist') return `whitelist: ${(allow ?? []).map(safe).join(', ')}`;
  if (model === 'presence') return 'contacts who see your presence';
  if (model === 'open') return 'anyone';
  return safe(model);
}

/** The contact's X.509 keys a comparison is made with: their current ones (a withdrawn key is never verified). */
export const currentX509 = (v: ContactKeysView): string[] => v.keys.filter((k) => k.trust !== 'retracted').map((k) => k.fingerprint);

/** Their other apps' devices and keys a comparison is made with: those still listed, with a fingerprint. */
export const currentOtherKeys = (v: OtherKeysView): string[] => v.keys.filter((k) => k.state !== 'removed' && k.fingerprint !== '').map((k) => k.fingerprint);

/**
 * A fingerprint that matched none of `current`, for a line of text: the whole of it (in `style`'s
 * groups: a near miss begins exactly like the real key, so its beginning alone would look like theirs)
 * and, in words, where it differs from the closest key (contract/comparison.ts, as the window marks it).
 */
export function describeMismatch(offered: string, current: readonly string[], style: FingerprintStyle): { whole: string; difference: string } {
  return { whole: fingerprintGroups(safe(offered), style).join(' '), difference: `It ${describeComparison(compareWithKeys(safe(offered), current, style), style)}` };
}

/** Comparisons that matched nothing since the last match (contract/comparison.ts openMismatches): the red lines a contact's keys start with. */
function mismatchLines(
  mismatches: readonly MismatchView[],
  keys: readonly { verifiedAt?: string | undefined }[],
  current: readonly string[],
  styleOf: (offered: string) => FingerprintStyle,
  lastMatchAt?: string,
): string[] {
  // The window decides with the same function: a mismatch the terminal no longer shows is gone on screen too.
  return openMismatches(mismatches, keys, lastMatchAt).map((m) => {
    const { whole, difference } = describeMismatch(m.offered, current, styleOf(m.offered));
    return `!! MISMATCH: ${whole} (${safe(m.via)}, ${safe(m.at)}) matched none of their current keys. ${difference}.`;
  });
}

/**
 * A date as YYYY-MM-DD on this machine's calendar, as the screens show days (renderer/src/lib/format.ts
 * formatDay): a key published at 20:00 in Los Angeles was published that day, not the next. Anything
 * that is not a date is shown as given, made safe.
 */
const day = (iso: string | undefined) => {
  if (!iso) return '?';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return safe(iso.slice(0, 10));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
};

const PROTOCOL_NAMES = { omemo: 'OMEMO', omemo2: 'OMEMO 2', openpgp: 'OpenPGP' } as const;
const STATE_NOTES = {
  known: '',
  new: '  (new)',
  changed: '  !! CHANGED: compare fingerprints with the contact before trusting it',
  removed: '  (removed from the list)',
} as const;

/** Other apps' keys (OMEMO devices, OpenPGP keys) of an account; `own` adds the stale flags. */
export function describeOtherKeys(v: OtherKeysView): string {
  const lines: string[] = [];
  for (const source of v.sources) {
    if (source.status === 'ok' && source.detail === undefined) continue;
    const what = source.status === 'none' ? 'publishes nothing' : source.status;
    lines.push(`${PROTOCOL_NAMES[source.protocol]}: ${what}${source.detail ? ` (${safe(source.detail)})` : ''}`);
  }
  if (v.keys.length === 0) {
    // A list the server refused or did not hand out says nothing about what they publish.
    const unread = v.sources.some((source) => source.status !== 'ok' && source.status !== 'none');
    lines.push(unread ? `No OMEMO devices or OpenPGP keys of ${safe(v.jid)} could be read.` : `${safe(v.jid)} publishes no OMEMO devices or OpenPGP keys.`);
  }
  lines.push(...mismatchLines(v.mismatches, v.keys, currentOtherKeys(v), otherKeyStyleOf, v.lastMatchAt));
  for (const k of v.keys) lines.push(...describeOtherKey(k));
  if (v.leftOut > 0) lines.push(describeOtherKeysLeftOut(v.leftOut));
  return lines.join('\n');
}

/** Why an other app's key has the trust it has, when the user's decision is the reason. */
function trustNote(k: OtherKeyView): string {
  if (k.decision === 'verified' && k.verifiedAt) return ` (fingerprint compared on ${day(k.verifiedAt)})`;
  if (k.acceptedAt && k.decision !== 'changed') return ` (accepted without comparing on ${day(k.acceptedAt)})`;
  if (k.decision === 'changed') return ' (compare it: `keyring contacts verify JID FINGERPRINT`, or accept it: `keyring contacts accept JID FINGERPRINT`)';
  return '';
}

/** "OMEMO device 1717", "OpenPGP key". */
export function otherKeyName(k: Pick<OtherKeyView, 'protocol' | 'deviceId'>): string {
  return k.deviceId === undefined ? `${PROTOCOL_NAMES[k.protocol]} key` : `${PROTOCOL_NAMES[k.protocol]} device ${k.deviceId}`;
}

function describeOtherKey(k: OtherKeyView): string[] {
  const name = otherKeyName(k);
  const label = k.label !== undefined ? ` "${safe(k.label)}"` : '';
  const lines = [`${name}${label}${STATE_NOTES[k.state]}`];
  lines.push(`  ${k.fingerprint === '' ? 'no fingerprint: no bundle or key data could be read' : formatOtherKeyFingerprint(k.protocol, safe(k.fingerprint))}`);
  if (k.previous?.length) lines.push(`  before: ${k.previous.map((p) => formatOtherKeyFingerprint(k.protocol, safe(p))).join(', ')}`);
  if (k.algorithm !== undefined) lines.push(`  key: ${safe(k.algorithm)}${k.bits !== undefined ? ` ${k.bits} bits` : ''}, created ${day(k.created)}`);
  if (k.stale === 'no-bundle') lines.push('  stale: listed, but no usable bundle (nobody can start a session with it)');
  if (k.stale === 'quiet') lines.push('  stale: its bundle has not changed for months');
  lines.push(`  first seen ${day(k.firstSeen)}, last seen ${day(k.lastSeen)}`);
  if (k.fingerprint !== '') lines.push(`  trust: ${k.decision}${trustNote(k)}`);
  for (const problem of k.problems) lines.push(`  problem: ${safe(problem)}`);
  return lines;
}
