/**
 * How the app writes for people what must read the same in the window and in the terminal: a
 * fingerprint (so one read aloud from the CLI can be compared with one on screen) and what a server did
 * not apply of a node's configuration. Dependency-free: main and the renderer both import it at run
 * time (it takes only types from the rest of the contract).
 */
import type { AccessRequest, NodeConfigDeviation, RevocationReasonName } from './domain.js';
import type { DriftFinding, PersistenceChange, ReplacedItem, WatchedNodeKind } from './drift.js';
import { compactFingerprint } from './fingerprint.js';
import { OTHER_KEY_LIMITS } from './limits.js';
import { PROFILE_FIELD_LABEL, type ProfileFieldChange } from './profile-changes.js';

/** A count for people: "3,000", not "3000" (a roster, a burst of updates or a limit can run into thousands). */
export function formatCount(n: number | bigint): string {
  return n.toLocaleString('en-GB');
}

/**
 * Devices and keys an account lists beyond what the readers read, that the vault did not know: not
 * shown anywhere, so the person is told (OtherKeysView.leftOut). Known ones past the cap are shown.
 */
export function describeOtherKeysLeftOut(leftOut: number): string {
  const what = leftOut === 1 ? 'listed device or key is' : 'listed devices or keys are';
  return (
    `${formatCount(leftOut)} more ${what} not shown: the app reads at most ${OTHER_KEY_LIMITS.listedDevices} devices per OMEMO list ` +
    `and ${OTHER_KEY_LIMITS.listedKeys} OpenPGP keys, those it already knows first.`
  );
}

export { compactFingerprint, compactOtherKeyFingerprint, parseOtherKeyFingerprint, parseVerificationClaim, verificationUri, type VerificationClaim } from './fingerprint.js';

/**
 * How a fingerprint is written for people: how many digits a group holds and the letters' case. The
 * groups a mismatch is described by (contract/comparison.ts) are these same groups, so "group 8 of 8"
 * points at what the user sees.
 */
export interface FingerprintStyle {
  groupSize: number;
  upper: boolean;
}

/** X.509 (this app's keys): lowercase groups of four. */
export const X509_STYLE: FingerprintStyle = { groupSize: 4, upper: false };

/**
 * Another app's key fingerprint the way that app shows it, so the user can hold them side by side:
 * OMEMO in lowercase groups of 8 (Conversations; XEP-0384 §8), OpenPGP in uppercase groups of 4 (gpg,
 * Profanity's `/ox keys`).
 */
export function otherKeyStyle(protocol: 'omemo' | 'omemo2' | 'openpgp'): FingerprintStyle {
  return protocol === 'openpgp' ? { groupSize: 4, upper: true } : { groupSize: 8, upper: false };
}

/**
 * The style of another app's fingerprint known only by its digits (a recorded comparison): 40 are an
 * OpenPGP v4 fingerprint, 64 an OMEMO identity key (contract/fingerprint.ts parseOtherKeyFingerprint).
 */
export function otherKeyStyleOf(fingerprint: string): FingerprintStyle {
  return otherKeyStyle(compactFingerprint(fingerprint).length === 40 ? 'openpgp' : 'omemo');
}

/** A fingerprint's groups in a style: ["3f2a", "9c01", …]. */
export function fingerprintGroups(hex: string, style: FingerprintStyle): string[] {
  const compact = compactFingerprint(hex);
  const cased = style.upper ? compact.toUpperCase() : compact;
  return cased.match(new RegExp(`.{1,${style.groupSize}}`, 'g')) ?? [];
}

/**
 * A hex fingerprint in blocks of four characters for reading aloud and comparing by eye:
 * "3f2a9c…" → "3f2a 9c01 …".
 */
export function groupFingerprint(hex: string): string {
  return fingerprintGroups(hex, X509_STYLE).join(' ');
}

/** Another app's key fingerprint as that app shows it (otherKeyStyle). '' (no bundle or key data ever read) stays ''. */
export function formatOtherKeyFingerprint(protocol: 'omemo' | 'omemo2' | 'openpgp', hex: string): string {
  return fingerprintGroups(hex, otherKeyStyle(protocol)).join(' ');
}

/** A node configuration's deviation from what the app asked, in one sentence. */
export function describeDeviation(deviation: NodeConfigDeviation): string {
  switch (deviation.code) {
    case 'items-not-persisted':
      return 'the server does not persist items (pubsub#persist_items)';
    case 'last-item-sent':
      return `the server sends the last item ${deviation.value ? `"${deviation.value}"` : 'by its default'} instead of never`;
    case 'too-few-items':
      return `the node keeps at most ${deviation.value ?? 'an unknown number of'} items (asked for ${deviation.asked})`;
    case 'affiliations-unknown':
      return `the server did not say who else is affiliated with the node (${deviation.detail})`;
    case 'outsiders':
      return `${deviation.members.map((m) => `${m.jid} (${m.affiliation})`).join(', ')} can get in outside the access model`;
    case 'subscriptions-unknown':
      return (
        `the server does not say who is subscribed to the node (${deviation.detail}): the app ended the subscriptions of those it took off, ` +
        'but anyone who subscribed from another address while they could read may still be sent what is published here'
      );
    case 'item-unverified':
      return `${notShownBack([deviation])}, so the app could not check that it holds what was sent`;
  }
}

/** The 'item-unverified' deviations among a publish's node configurations (any number of nodes: a profile writes two). */
export function unverifiedItems(deviations: readonly NodeConfigDeviation[] | undefined): Extract<NodeConfigDeviation, { code: 'item-unverified' }>[] {
  return (deviations ?? []).filter((d): d is Extract<NodeConfigDeviation, { code: 'item-unverified' }> => d.code === 'item-unverified');
}

/**
 * "the server would not show the item back (why)": the one wording of 'item-unverified', which
 * describeDeviation finishes into a sentence and unverifiedNote shortens for an Activity line. The
 * server's reasons are each said once (a profile's two nodes are refused for the same one).
 */
function notShownBack(unverified: readonly Extract<NodeConfigDeviation, { code: 'item-unverified' }>[]): string {
  const details = [...new Set(unverified.map((d) => d.detail))].join('; ');
  const what = unverified.length === 1 ? 'the item' : `${unverified.length} items`;
  return `the server would not show ${what} back (${details})`;
}

/**
 * What a success line adds when a published item could not be read back, in a few words: ", unverified:
 * the server would not show the item back (why)"; '' when every item was checked. A publish, revoke,
 * renewal or profile write that the app could not check is never told as one it did (aad88e6).
 */
export function unverifiedNote(deviations: readonly NodeConfigDeviation[] | undefined): string {
  const unverified = unverifiedItems(deviations);
  return unverified.length === 0 ? '' : `, unverified: ${notShownBack(unverified)}`;
}

/**
 * The fingerprint's short form for lists and the activity log: its first 16 digits in blocks
 * ("3f2a 9c01 77ab 0e12…"; in another app's style, "3f2a9c01 77ab0e12…"). Never enough to verify with:
 * comparing always uses every digit, and a fingerprint that matched nothing is never quoted by it (its
 * beginning may be exactly the real key's).
 */
export function shortFingerprint(hex: string, style: FingerprintStyle = X509_STYLE): string {
  const compact = compactFingerprint(hex);
  return `${fingerprintGroups(compact.slice(0, 16), style).join(' ')}${compact.length > 16 ? '…' : ''}`;
}

/** A trust policy's name and what it means, in a sentence or two each (the contact's pane and `contacts keys`). */
export const TRUST_POLICY_TEXT: Record<'tofu' | 'btbv' | 'manual', { name: string; meaning: string }> = {
  tofu: {
    name: 'Trust on first use',
    // Said as the merge decides (main/vault/contact-keys.ts): a key published beside the ones known is an
    // addition, trusted, even when the older key is withdrawn later (the user walk read "replaces" as that).
    meaning:
      'Keys are trusted when first seen, and so is a key added beside those you have. A key that appears as one you had disappears is not, ' +
      'nor one that takes the place of a key you verified: not until you compare or accept it.',
  },
  btbv: {
    name: 'Blind trust before verification',
    meaning: 'Keys are trusted until you verify one of this contact’s keys; after that, each new key must be verified first.',
  },
  manual: {
    name: 'Manual',
    meaning: 'Only keys you have verified by comparing fingerprints are trusted.',
  },
};
/** `text` at the start of a sentence: its first letter upper case. */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `text` inside a sentence: its first letter lower case ("Anyone" → "anyone"). */
export function uncapitalized(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Roster group names for a sentence, each in quotes: "Friends", "Servants". A group may be called
 * anything ("Nobody", "Anyone"): bare, its name would read as an audience of its own.
 */
export function quotedGroups(groups: readonly string[]): string {
  return groups.map((g) => `"${g}"`).join(', ');
}

/** Who an access lets read, in the words the access picker uses: "Anyone", 'roster groups "Friends", "Family"'. */
export function describeAudience(access: { model: string; groups?: readonly string[] | undefined; allow?: readonly string[] | undefined }): string {
  switch (access.model) {
    case 'open':
      return 'Anyone';
    case 'presence':
      return 'Contacts who see your presence';
    case 'roster':
      return access.groups && access.groups.length > 0
        ? `roster group${access.groups.length > 1 ? 's' : ''} ${quotedGroups(access.groups)}`
        : 'People in roster groups';
    case 'whitelist':
      return access.allow && access.allow.length > 0 ? `Only ${access.allow.join(', ')}` : 'Only the contacts you chose';
    case '':
      return 'an access the server does not name';
    default:
      return `"${access.model}", a setting this app does not offer`;
  }
}

/**
 * The warning for roster groups no contact is in (EffectiveNodeConfig.emptyGroups), or undefined when
 * there is none: 'No contact of yours is in the group "NoSuchGroup": nobody can read this key until you
 * add someone to it.' `allowed`: every group the node lets read, to tell "nobody" from "nobody through
 * that group"; `what`: what was published, as the sentence names it ("this key", "your profile").
 */
export function describeEmptyGroups(empty: readonly string[] | undefined, allowed: readonly string[], what: string): string | undefined {
  if (!empty || empty.length === 0) return undefined;
  const one = empty.length === 1;
  const where = `No contact of yours is in the group${one ? '' : 's'} ${quotedGroups(empty)}`;
  // Every group named is empty: nobody at all can read it. Otherwise the others' members can.
  if (allowed.every((g) => empty.includes(g))) {
    return `${where}: nobody can read ${what} until you add someone to ${one ? 'it' : 'one of them'}.`;
  }
  return `${where}: nobody reads ${what} through ${one ? 'it' : 'them'} until you add someone to ${one ? 'it' : 'them'}.`;
}

/**
 * Where a revocation went, for its success line: 'where the key was: roster group "Friends"', "where
 * the key was: anyone". It goes to the key node's audience (contract/keys.ts RevokeOutcome), which is
 * not "your contacts" unless the key was published to all of them.
 */
export function describeRevocationAudience(config: { accessModel: string; rosterGroupsAllowed: readonly string[]; whitelist?: readonly string[] | undefined } | undefined): string {
  if (!config) return 'where your keys are published';
  const audience = describeAudience({ model: config.accessModel, groups: config.rosterGroupsAllowed, allow: config.whitelist });
  return `where the key was: ${uncapitalized(audience)}`;
}

/** What a drift-watched node holds, as people call it ("your keys"). */
export const WATCHED_NODE_NAME: Readonly<Record<WatchedNodeKind, string>> = {
  keys: 'your keys',
  vcard: 'your profile card',
  nickname: 'your nickname',
  avatar: 'your picture',
  'avatar-data': 'your picture’s image',
};

/**
 * A drift finding in one sentence: "Another app changed who can read your keys: now Anyone (was
 * Friends)". The same words in the window and in the terminal.
 */
export function describeDriftFinding(kind: WatchedNodeKind, finding: DriftFinding, byWhom: 'another-app' | 'unknown' = 'another-app'): string {
  const what = WATCHED_NODE_NAME[kind];
  // `unknown`: a change of who reads it that this app started may be what is seen, half done
  // (NodeDriftView.unfinishedChange): the sentence says what changed, not who changed it.
  const unsure = byWhom === 'unknown';
  switch (finding.code) {
    case 'node-deleted':
      return `Another app deleted ${what} from your server.`;
    case 'access-widened':
    case 'access-narrowed':
      return `${unsure ? 'Who can read' : 'Another app changed who can read'} ${what}${unsure ? ' changed' : ''}: now ${describeAudience(finding.current)} (was ${describeAudience(finding.recorded)}).`;
    case 'members-added': {
      const members = finding.members.map((m) => (m.affiliation === 'member' ? m.jid : `${m.jid} (${m.affiliation})`)).join(', ');
      return unsure ? `${members} can read ${what} now.` : `Another app let ${members} in to ${what}.`;
    }
    case 'subscribers-outside': {
      // Not said to be another app's doing: a contact taken off the roster keeps a subscription too.
      const one = finding.jids.length === 1;
      return (
        `${listed(finding.jids)} ${one ? 'is' : 'are'} still subscribed to ${what} and ${one ? 'is' : 'are'} sent every ${PUBLISHED_THING[kind]} you publish, ` +
        `although only ${readersOnly(finding.audience)} may read ${kind === 'keys' ? 'them' : 'it'}.`
      );
    }
    case 'members-removed':
      return unsure ? `${finding.jids.join(', ')} cannot read ${what} now.` : `Another app shut ${finding.jids.join(', ')} out of ${what}.`;
    case 'items-removed':
      if (kind !== 'keys') return `Another app removed ${what} from your server.`;
      // Named by fingerprint, as My keys shows them (the ids are the app's own record's: a key's item id
      // is its fingerprint, a revocation's "revoked-" and the fingerprint). A revocation gone is said
      // as that: contacts no longer see that the key must not be used.
      return `Another app removed ${listed(finding.itemIds.map(keyItemName))} from your server.`;
    case 'items-replaced':
      return finding.items.map((item) => (kind === 'keys' ? describeReplacedItem(item) : describeReplacedProfileItem(kind, item))).join(' ');
    case 'persistence-changed':
      return `Another app changed how your server keeps ${what}: ${finding.changes.map(describePersistenceChange).join('; ')}.`;
  }
}

/** What a subscriber to a watched node is sent, one at a time ("every key you publish"). */
const PUBLISHED_THING: Readonly<Record<WatchedNodeKind, string>> = {
  keys: 'key',
  vcard: 'profile card',
  nickname: 'nickname',
  avatar: 'picture',
  'avatar-data': 'picture',
};

/** Who an access lets read, after "only": "contacts who see your presence", 'your contacts in roster group "Friends"'. */
function readersOnly(access: AccessRequest): string {
  switch (access.model) {
    case 'presence':
      return 'contacts who see your presence';
    case 'roster':
      return access.groups && access.groups.length > 0
        ? `your contacts in roster group${access.groups.length > 1 ? 's' : ''} ${quotedGroups(access.groups)}`
        : 'people in your roster groups';
    case 'whitelist':
      return access.allow && access.allow.length > 0 ? listed(access.allow) : 'the contacts you chose';
    default:
      return uncapitalized(describeAudience(access));
  }
}

/** What a part the server would not show, NodeDriftView.unchecked, is, for one node. */
function uncheckedPart(kind: WatchedNodeKind, part: 'items' | 'affiliations' | 'subscriptions'): string {
  const what = WATCHED_NODE_NAME[kind];
  switch (part) {
    case 'items':
      return `what is published as ${what}`;
    case 'affiliations':
      return `whom else the server lets in to ${what}`;
    case 'subscriptions':
      return `who is subscribed to ${what} (a subscriber is sent what you publish there)`;
  }
}

/**
 * What drift watch could not compare (NodeDriftView.unchecked), so that nobody takes it for unchanged:
 * "Not checked, as the server did not show it to this app: who is subscribed to your keys (…)."
 * Undefined when everything was compared.
 */
export function describeUnchecked(kind: WatchedNodeKind, unchecked: readonly ('items' | 'affiliations' | 'subscriptions')[]): string | undefined {
  if (unchecked.length === 0) return undefined;
  return `Not checked, as the server did not show it to this app: ${listed(unchecked.map((part) => uncheckedPart(kind, part)))}.`;
}

/**
 * Why a drifted node may not be another app's doing (NodeDriftView.unfinishedChange): this app had
 * started changing who reads it and did not see that through. The same words in the window and in the
 * terminal.
 */
export function describeUnfinishedChange(kind: WatchedNodeKind, asked: AccessRequest): string {
  const what = WATCHED_NODE_NAME[kind];
  const audience = describeAudience(asked);
  return (
    `This app had started changing who can read ${what} to ${uncapitalized(audience)} and was stopped before it finished ` +
    `(closed, or the connection lost): this may be that change, half done, rather than another app’s. Publishing again finishes it.`
  );
}

/** A profile part, as a person names it in "Your … was changed". */
const PROFILE_PART_NAME: Readonly<Record<Exclude<WatchedNodeKind, 'keys'>, string>> = {
  vcard: 'profile card',
  nickname: 'profile’s nickname',
  avatar: 'picture',
  'avatar-data': 'picture’s image',
};

/**
 * One sentence per profile item another app or the server replaced under its id, saying what it says
 * now ("Your profile’s nickname was changed by another app or the server: it now says “Romeo”."). The
 * text quoted is the account's server's, untrusted: main cleaned and cut it, and it is shown as text.
 * The picture is not quoted (its id is a SHA-1, nothing a person reads).
 */
function describeReplacedProfileItem(kind: Exclude<WatchedNodeKind, 'keys'>, item: ReplacedItem): string {
  // What changed, field by field, where main knows what the app published there (ReplacedItem.fields):
  // the person sees what Restore would undo and Accept would keep.
  if (item.fields !== undefined && item.fields.length > 0 && kind === 'vcard') {
    return `Your ${PROFILE_PART_NAME[kind]} was changed by another app or the server: ${item.fields.map(describeFieldChange).join('; ')}.`;
  }
  // The nickname is one field: its sentence quotes it whole, and what it said before where main knows it.
  const before = kind === 'nickname' ? item.fields?.find((field) => field.field === 'nickname')?.before : undefined;
  const was = before ? ` (was “${before}”)` : '';
  const picture = kind === 'avatar' || kind === 'avatar-data';
  const now =
    item.now === undefined
      ? 'it now holds nothing your contacts can read'
      : item.now === ''
        ? picture
          ? 'it now shows no picture'
          : 'it is now empty'
        : picture
          ? 'it now shows another picture'
          : `it now says “${item.now}”`;
  return `Your ${PROFILE_PART_NAME[kind]} was changed by another app or the server: ${now}${was}.`;
}

/** The fields that hold a list, named in the plural ("Phone numbers are now …"). */
const LIST_FIELDS: ReadonlySet<ProfileFieldChange['field']> = new Set(['emails', 'phones', 'urls']);

/** "Note is now “…” (was “…”)", "Phone numbers are now “…” (was “…”)", "Phone numbers added: “…”", "Organisation removed (was “…”)". */
function describeFieldChange(change: ProfileFieldChange): string {
  const label = PROFILE_FIELD_LABEL[change.field];
  switch (change.kind) {
    case 'added':
      return `${label} added: “${change.after}”`;
    case 'removed':
      return `${label} removed (was “${change.before}”)`;
    case 'changed':
      return `${label} ${LIST_FIELDS.has(change.field) ? 'are' : 'is'} now “${change.after}” (was “${change.before}”)`;
  }
}

/** One sentence per item: which key it no longer holds, and what contacts get under its name instead. */
function describeReplacedItem(item: ReplacedItem): string {
  const now = item.found === undefined ? 'no key contacts can read' : `another key, ${groupFingerprint(item.found)}`;
  // A key's item is named by its fingerprint (own-keys.ts); any other (a revocation's) by its id.
  const which = item.itemId === item.expected ? 'The key published under its fingerprint' : `The item published as ${item.itemId}`;
  return `${which} was replaced by another app: it no longer holds your key ${groupFingerprint(item.expected)}, but ${now}.`;
}

function describePersistenceChange(change: PersistenceChange): string {
  switch (change.setting) {
    case 'persist_items':
      return 'it no longer stores them';
    case 'send_last_published_item':
      return 'it now sends them out on its own';
    case 'max_items':
      return `it now keeps only ${change.current ?? 'an unknown number'} (${change.expected} needed)`;
  }
}

/** Why a key was revoked, in words (docs/key-lifecycle.md): what the card, the dialog and the CLI say. */
export const REVOCATION_REASON_TEXT: Readonly<Record<RevocationReasonName, string>> = {
  superseded: 'replaced by another key',
  compromised: 'someone else may have its private key',
  retired: 'no longer used',
  unspecified: 'no reason given',
};

/** "a", "a and b", "a, b and c". */
function listed(names: readonly string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}` : (names[0] ?? '');
}

/** A key node's item as people can find it on My keys: a key by its fingerprint, shortened; a revocation as the revocation of its key; any other id as it is. */
function keyItemName(itemId: string): string {
  if (/^[0-9a-f]{64}$/i.test(itemId)) return `your published key ${shortFingerprint(itemId)}`;
  const revoked = /^revoked-([0-9a-f]{64})$/i.exec(itemId);
  if (revoked) return `the revocation of your key ${shortFingerprint(revoked[1] ?? '')} (contacts no longer see it is revoked)`;
  return `the item ${itemId}`;
}

/** An older backup's gaps (RestoreOutcome.notCarried) in one sentence, so nobody takes them for restored. */
export function notCarriedWords(notCarried: readonly string[]): string {
  return `An older version of the app made this backup: it does not carry ${notCarried.join(', ')}. None of these came back; what this device had of them is unchanged.`;
}
