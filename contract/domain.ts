/**
 * What several domains of the contract share: errors as values, the text schemas for addresses and
 * fingerprints, who may read a persistent node, a node's configuration as read back, and the states a
 * contact's key can be in. The limits are in limits.ts (dependency-free, so the renderer can read them).
 */
import { z } from 'zod';
import { readContactAddress, withoutFinalDot } from './contact-address.js';
import { compactFingerprint, parseOtherKeyFingerprint, parseVerificationClaim } from './fingerprint.js';

export { BACKUP_MAX_BYTES, CONTACT_KEY_LIMITS, PROFILE_LIMITS } from './limits.js';

// ---------------------------------------------------------------------------------------------------
// Errors as values

/** Stable codes; the renderer and CLI choose the wording, `message` is a plain-English fallback. */
export type ErrorCode =
  | 'invalid-argument'
  | 'unknown-channel'
  | 'not-connected'
  | 'already-connected'
  | 'auth-failed'
  | 'server-unreachable'
  | 'tls-untrusted'
  | 'tls-required'
  | 'auth-required'
  | 'ca-changed'
  | 'channel-binding-stripped'
  | 'scram-stripped'
  | 'pep-unsupported'
  | 'timeout'
  | 'protocol-error'
  // The stream said to go to another server (RFC 6120 §4.9.3.19 see-other-host), which the app never does
  // (main/xmpp/stream-errors.ts): understood and refused, not a server the app does not understand.
  | 'redirect-refused'
  | 'vault-locked'
  | 'wrong-passphrase'
  | 'vault-corrupt'
  | 'vault-tampered'
  | 'keychain-unavailable'
  // Another process (the app, the browser host, a `keyring` command) holds the vault open (main/vault/vault-lock.ts).
  | 'vault-in-use'
  | 'storage-failed'
  | 'not-found'
  | 'access-model-unsupported'
  // The key node is set (by another client, or the server's admin) to an access model the app does not
  // offer ("authorize"): nothing can be published to it as it is (main/services/own-keys.ts). Its words
  // say what the setting is and how to put it back.
  | 'access-model-not-offered'
  // A revoke whose statement could not go out (the key node set to a model the app cannot publish to,
  // main/services/own-keys.ts): the key is revoked here all the same; its words say how it goes out.
  | 'revocation-held-back'
  | 'access-model-conflict'
  | 'access-not-revoked'
  | 'precondition-not-met'
  // A publish answered, but the item read back does not hold what was sent (main/drift/held-certificate.ts).
  | 'read-back-mismatch'
  // The profile's vCard went out, then its nickname's publish failed (main/services/profile.ts): half of it is out.
  | 'partly-published'
  // A profile publish whose edits another app of the account also made, differently, since the window
  // showed the profile (main/profile/field-edits.ts mergeProfileEdits): nothing was published; its words
  // name the fields.
  | 'changed-elsewhere'
  // The server ended the stream with an RFC 6120 §4.9.3 condition (main/xmpp/connection-errors.ts): understood, said in words.
  | 'stream-closed'
  | 'forbidden'
  | 'invalid-payload'
  | BackupErrorCode
  // The backup on the account's node (main/xmpp/backup-items.ts): none there, or none whole.
  | 'no-backup'
  | 'backup-incomplete'
  // A change asked for one account reached main after another window signed in to another
  // (main/ipc/dispatcher.ts): refused before anything was done.
  | 'account-changed'
  // Work begun for one account stopped because another was signed in meanwhile (or, for a reading kept
  // as the account's view, its stream was replaced): main/services/session-mark.ts. Its words name the
  // account and say what was and was not done; they reach the window after it shows the other account,
  // and are kept there (renderer/src/lib/task.svelte.ts), not dropped as the previous account's answer.
  | 'signed-out-meanwhile'
  | 'internal';

/** Why a backup did not open (main/vault/backup-blob.ts), in the order it checks. */
export type BackupErrorCode =
  | 'not-a-backup'
  | 'backup-unsupported-version'
  | 'backup-too-large'
  | 'backup-damaged'
  | 'backup-code-mistyped'
  | 'wrong-backup-code'
  | 'backup-other-account';

export interface IpcError {
  code: ErrorCode;
  message: string;
  /**
   * For 'invalid-argument': which field, when known. For 'auth-failed': 'server' when the server failed
   * (it could not prove it knows the password, or asked for unsafe hashing), not the address or password.
   * For 'server-unreachable': 'jid' or 'host' when the name connected to was not found (a typo in the
   * address's domain, or in the Server host typed).
   */
  field?: string;
  /**
   * What the person can do, when main knows it better than the code alone says (a refused certificate:
   * choose its CA, check the clock or tell the admin, by its reason). Front ends show it apart from the
   * message, which says only what went wrong.
   */
  nextStep?: string;
}

/** Every answer crosses a boundary as a value, never as a thrown error. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

// ---------------------------------------------------------------------------------------------------
// Text the user types, checked (and normalized) once, at the boundary

/** For requests without parameters. */
export const NoParams = z.undefined();

/** What a person is told about an address they typed, here and in main's full check. */
export const ADDRESS_WORDS = {
  // A "/" starts a resource (one device's session), which people rarely mean to type: said as such.
  resource: 'Enter the address without the “/…” part, like juliet@capulet.lit',
  shape: 'Enter an address like juliet@capulet.lit: a name, one @, the server, no spaces',
  domain: (domain: string) =>
    `“${domain}” is not a server name: after the @ come letters, digits and hyphens, in parts separated by dots, like capulet.lit`,
  // Said without quoting the address: what is wrong with it is a character that does not show.
  invisible: 'That address holds an invisible control character (such as ESC, or a mark that reverses the text), which no XMPP address may contain',
  localpart: 'The name before the @ cannot contain " & \' : < or >',
} as const;

/**
 * What no address may hold, wherever it comes from: C0 and C1 controls and DEL (RFC 7622 §3.3.1 and
 * PRECIS's IdentifierClass disallow them; XML cannot even carry most, so a stanza holding one is
 * cut off by the server; tab, line feed and carriage return are refused as spaces), lone surrogates (no UTF-8 for them), the noncharacters U+FFFE/U+FFFF, and
 * the bidirectional overrides and marks, which PRECIS disallows and which make an address display as
 * another one.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are what is refused
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
/** The characters RFC 7622 §3.3.1 excludes from a localpart besides "@" and "/" (refused as the address's shape). */
const LOCALPART_EXCLUDED = /["&'<>:]/;

/** One DNS label as IDNA2008 allows it (RFC 5890 §2.3.2.1, U-labels too): letters, marks, digits, inner hyphens. */
const DNS_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?$/u;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;
const IPV4_OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * Whether `text` is an IPv6 address in one of its text forms (RFC 4291 §2.2): eight groups of 1–4 hex
 * digits, or fewer around one "::", the last 32 bits possibly written as an IPv4 address. Checked here,
 * not by node:net (the contract is shared with the renderer): a looser pattern let "[::::]" or "[1:2:3]"
 * through to the connection, which failed on them with a raw "Invalid URL".
 */
export function isIpv6Address(text: string): boolean {
  let rest = text;
  let groupsOfIpv4 = 0;
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    const octets = text.slice(lastColon + 1).split('.');
    if (lastColon === -1 || octets.length !== 4 || !octets.every((octet) => IPV4_OCTET.test(octet))) return false;
    // "::1.2.3.4" keeps its "::"; "1:2:3:4:5:6:1.2.3.4" drops the ":" before the IPv4 part.
    rest = text.slice(0, text[lastColon - 1] === ':' ? lastColon + 1 : lastColon);
    groupsOfIpv4 = 2;
  }
  const halves = rest.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  if (!groups.every((list) => list.every((group) => HEX_GROUP.test(group)))) return false;
  const count = groups.reduce((sum, list) => sum + list.length, 0) + groupsOfIpv4;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** RFC 7622 §3.2 (IP-literal): an IPv6 address in brackets. */
const isIpv6Literal = (name: string): boolean => name.startsWith('[') && name.endsWith(']') && isIpv6Address(name.slice(1, -1));

/** The length of `text` in UTF-8 (the contract has no TextEncoder in every environment it is typed for). */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    bytes += point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/**
 * Whether `name` can be a domainpart (RFC 7622 §3.2, which RFC 6122 §2.2 said too): an IPv6 literal in
 * brackets, or a domain name of labels separated by dots (an IPv4 address is one of those), each label
 * at most 63 characters of letters, digits and inner hyphens (IDNA2008: no punctuation, no symbols, no
 * '_'), 1023 bytes in all. "capulet,lit" is none of these, though @xmpp/jid takes it.
 */
export function isDomainName(name: string): boolean {
  if (isIpv6Literal(name)) return true;
  if (name.length === 0 || utf8Bytes(name) > 1023) return false;
  return name.split('.').every((label) => label.length <= 63 && DNS_LABEL.test(label));
}

/**
 * A host name as typed for Server host: one written fully qualified ("xmpp.capulet.lit.", the DNS root's
 * empty label last, RFC 1034 §3.1) is the same host, so its one final dot is taken off before the name
 * is checked. "xmpp.capulet.lit.." and "." stay refused, and so does a dot after an IPv6 literal.
 */
export function hostWithoutFinalDot(host: string): string {
  return /[^.\]]\.$/.test(host) ? host.slice(0, -1) : host;
}

/**
 * A bare JID typed by the user; full validation (with @xmpp/jid) happens in main. A dot ending the
 * domainpart is taken off first (RFC 7622 §3.2), so main only ever sees the address without it.
 */
export const bareJidText = z
  .string()
  .trim()
  // RFC 7622 §3.3.2/§3.2.2 (PRECIS, IDNA): an address is compared in NFC. Typed decomposed (é as e and a
  // combining accent, as some keyboards give it), it is the same person: one form from here on, so a
  // whitelist, a drift record and the server's list of members agree.
  .overwrite((text) => text.normalize('NFC'))
  .overwrite(withoutFinalDot)
  .min(3, 'Enter an address like juliet@capulet.lit')
  .max(3071, 'That address is longer than XMPP allows')
  // Before the shape: whatever else is wrong, an invisible character is what the person cannot see.
  .refine((text) => !INVISIBLE.test(text), ADDRESS_WORDS.invisible)
  .regex(/^[^/]*$/, ADDRESS_WORDS.resource)
  .regex(/^[^@/\s]+@[^@/\s]+$/, ADDRESS_WORDS.shape)
  .superRefine((text, ctx) => {
    if (INVISIBLE.test(text)) return;
    const at = text.indexOf('@');
    if (at > 0 && LOCALPART_EXCLUDED.test(text.slice(0, at))) ctx.addIssue({ code: 'custom', message: ADDRESS_WORDS.localpart });
    // An address of another shape was refused above already, in its own words.
    if (at === -1) return;
    const domain = text.slice(at + 1);
    if (domain.length > 0 && !/[@/\s]/.test(domain) && !isDomainName(domain)) ctx.addIssue({ code: 'custom', message: ADDRESS_WORDS.domain(domain) });
  });

/**
 * A contact's address typed or pasted to add them: plain, or as an xmpp: link (contact-address.ts),
 * read to its address and then checked as any bare JID.
 */
export const contactAddressText = z
  .string()
  .transform((text, context) => {
    const read = readContactAddress(text);
    if ('address' in read) return read.address;
    context.addIssue({ code: 'custom', message: read.problem });
    return z.NEVER;
  })
  .pipe(bareJidText);

/** The parameters of a request about one account or contact, and nothing else. */
export const ByJid = z.object({ jid: bareJidText }).strict();

/**
 * A certificate fingerprint as people paste it (spaces, colons, either case), normalized here once to
 * the form the app stores and compares: 64 lowercase hex digits. Nothing behind the contract
 * normalizes a fingerprint again.
 */
export const fingerprintText = z
  .string()
  .trim()
  .transform(compactFingerprint)
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'A fingerprint is 64 hexadecimal digits'));

/** What the user typed or pasted as a fingerprint, read by `parse`; the problem it names is the message. */
function typedFingerprint<T>(max: number, tooLong: string, parse: (text: string) => T | { problem: string }) {
  return z
    .string()
    .trim()
    .min(1, 'Type or paste their fingerprint first')
    .max(max, tooLong)
    .transform((text, ctx) => {
      const read = parse(text);
      if (typeof read === 'object' && read !== null && 'problem' in read) {
        ctx.addIssue({ code: 'custom', message: read.problem });
        return z.NEVER;
      }
      return read as Exclude<T, { problem: string }>;
    });
}

/**
 * What the user offers as a contact's fingerprint when verifying: the fingerprint typed or pasted
 * (normalized as fingerprintText does), or a verification URI `xmpp:<jid>?x509-sha256=<hex>`
 * (format.ts parseVerificationClaim). Empty or unreadable text is refused here; whether it matches a
 * key, and whether the URI names the right contact, main decides.
 */
export const verificationClaimText = typedFingerprint(4096, 'That is longer than any fingerprint or verification link', parseVerificationClaim);

/**
 * Another app's key fingerprint (OMEMO or OpenPGP) as its app prints it, normalized here once
 * (fingerprint.ts parseOtherKeyFingerprint): 64 lowercase hex digits for OMEMO, 40 uppercase for OpenPGP.
 */
export const otherKeyFingerprintText = typedFingerprint(256, 'That is longer than any fingerprint', (text) => {
  const read = parseOtherKeyFingerprint(text);
  return 'problem' in read ? read : read.fingerprint;
});

/** A roster group name (RFC 6121 §2.1.2.2). */
export const groupName = z.string().trim().min(1, 'A group needs a name').max(1023, 'A group name has at most 1,023 characters');

// ---------------------------------------------------------------------------------------------------
// Who may read a persistent node (XEP-0060 §4.5), and what the server applied

/** The access models the app offers ('authorize' is no use for keys). */
export const ACCESS_MODELS = ['open', 'presence', 'roster', 'whitelist'] as const;
export type AccessModel = (typeof ACCESS_MODELS)[number];

export const AccessParams = z
  .object({
    model: z.enum(ACCESS_MODELS),
    groups: z.array(groupName).max(64).optional(),
    allow: z.array(bareJidText).max(1000).optional(),
  })
  .strict();

/** Who may read a persistent node, as the caller asks for it. */
export interface AccessRequest {
  model: AccessModel;
  /** For 'roster': the roster groups allowed (XEP-0060 pubsub#roster_groups_allowed). */
  groups?: string[];
  /** For 'whitelist': the bare JIDs allowed (affiliation 'member'). */
  allow?: string[];
}

/**
 * Where a node's configuration, read back, falls short of what XEP-0222 §2 asks or of the access the
 * user chose. Data, not sentences: contract/format.ts words them for the window and the terminal.
 */
export type NodeConfigDeviation =
  /** pubsub#persist_items is not on: the server may drop the items. */
  | { code: 'items-not-persisted' }
  /** pubsub#send_last_published_item is not "never"; `value` is what the server keeps, when it says. */
  | { code: 'last-item-sent'; value?: string }
  /** pubsub#max_items is below what the app asked for; `value` is the server's, when it says. */
  | { code: 'too-few-items'; value?: string; asked: number }
  /** The server did not say who else is affiliated with the node; `detail` is its answer. */
  | { code: 'affiliations-unknown'; detail: string }
  /** Affiliations that let someone in outside the access model (XEP-0060 §4.1), left by another client. */
  | { code: 'outsiders'; members: { jid: string; affiliation: string }[] }
  /**
   * The server would not list who is subscribed to the node (XEP-0060 §8.8.1; ejabberd's PEP), after a
   * publish that changed who may read it: the app ended the subscriptions of those it took off, but
   * someone who subscribed from another address while they could read may still be sent new items.
   * `detail` is the server's answer.
   */
  | { code: 'subscriptions-unknown'; detail: string }
  /**
   * The server answered the publish, but would not show the item back to the account (XEP-0060 §6.5.8;
   * ejabberd 23.01 hides roster-access items from their owner), so the app could not check that it holds
   * what was sent. `detail` is the server's answer, or why none came.
   */
  | { code: 'item-unverified'; itemId: string; detail: string };

/** A node's configuration as the server reports it after our changes (read back, never assumed). */
export interface EffectiveNodeConfig {
  node: string;
  accessModel: string;
  persistItems: boolean | undefined;
  sendLastPublishedItem: string | undefined;
  maxItems: string | undefined;
  rosterGroupsAllowed: string[];
  /** For whitelist nodes: the JIDs with affiliation member (or publisher). */
  whitelist?: string[];
  /**
   * Everyone besides the account with an affiliation on the node (XEP-0060 §4.1: member, publisher,
   * publish-only, another owner), as read back. The app keeps this to the whitelist on a whitelist node
   * and empty on any other, and refuses to publish otherwise ('access-not-revoked').
   */
  members: string[];
  /** XEP-0222 settings the server did not take, and access it grants beyond the model. */
  deviations: NodeConfigDeviation[];
  /**
   * Of rosterGroupsAllowed, the groups no contact of the account is in: nobody reads the node through
   * them until someone is added. Main's word, not the server's: the groups compared with the roster it
   * knows when it answers a publish (main/services/roster-reach.ts). Absent when the roster is not known
   * (never fetched, not saved) or every group has someone in it. A warning: the publish stands.
   */
  emptyGroups?: string[];
}

// ---------------------------------------------------------------------------------------------------
// A contact's key

/**
 * How a contact's published certificate checks out (main/keys/validate.ts). 'weak': genuine, but its
 * key or signature is too weak to rely on (RSA under 2048 bits, an MD5 or SHA-1 signature, a public
 * exponent other than 65537); the reason names which.
 */
export type CertificateStatus = 'valid' | 'weak' | 'expired' | 'not-yet-valid' | 'jid-mismatch' | 'fingerprint-mismatch' | 'malformed';

/** A contact's key as shown: its certificate's status, or 'revoked' when its owner revoked it (never valid). */
export type ContactKeyStatus = CertificateStatus | 'revoked';

/** Why a key was revoked (RFC 5280 §5.3.1's reasons a person can tell apart; docs/key-lifecycle.md). */
export const REVOCATION_REASONS = ['superseded', 'compromised', 'retired', 'unspecified'] as const;
export type RevocationReasonName = (typeof REVOCATION_REASONS)[number];

/** Trust on first use: see main/vault/contact-keys.ts. 'changed' needs the user's attention. */
export type TrustState = 'unverified' | 'verified' | 'changed' | 'retracted';

/**
 * How keys the user has not verified are treated (main/keys/trust-policy.ts): 'tofu' trusts a
 * contact's keys on first use; 'btbv' (blind trust before verification) trusts them until the user
 * verifies any key of that contact, and from then on a new key needs verifying first; 'manual' trusts
 * only verified keys. Set per account (default 'tofu') and, to override it, per contact.
 */
export const TRUST_POLICIES = ['tofu', 'btbv', 'manual'] as const;
export type TrustPolicy = (typeof TRUST_POLICIES)[number];

/** What the policy makes of one key: whether the app counts on it, and why. */
export type KeyTrustDecision = 'verified' | 'trusted' | 'untrusted' | 'changed' | 'withdrawn' | 'revoked';
