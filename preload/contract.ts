/**
 * The one IPC contract between the renderer and main: for every request channel its parameter schema
 * and result type, for every pushed event its payload type, and the error shape.
 *
 * Main validates every incoming parameter against these schemas at runtime (types do not cross a
 * process boundary). The preload and the browser host transport only route by name; the renderer
 * imports this file as types only.
 */
import { z } from 'zod';
import { PROFILE_LIMITS, type AccessModel, type EventName, type RequestChannel } from './channels.js';

export type { AccessModel, EventName, RequestChannel } from './channels.js';

// ---------------------------------------------------------------------------------------------------
// Parameter schemas (runtime-validated in main)

/** A bare JID typed by the user; full validation (with @xmpp/jid) happens in main. */
const bareJidText = z
  .string()
  .trim()
  .min(3, 'Enter an address like juliet@capulet.lit')
  .max(3071, 'That address is longer than XMPP allows')
  .regex(/^[^@/\s]+@[^@/\s]+$/, 'Enter an address like juliet@capulet.lit (no resource)');

export const ConnectParams = z
  .object({
    jid: bareJidText,
    password: z.string().min(1, 'Enter the password').max(1024),
    /** Connect here instead of the JID's domain (no DNS SRV lookup). */
    host: z.string().trim().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** An extra certificate authority to trust (PEM file path), e.g. a self-hosted server's CA. */
    caFile: z.string().min(1).max(4096).optional(),
    /** Remember the account: settings in the vault, the password in the OS keychain only. */
    remember: z.boolean().optional(),
  })
  .strict();

const NoParams = z.undefined();

const fingerprintText = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s:]/g, '').toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'A fingerprint is 64 hexadecimal digits'));

const contactJid = bareJidText;

export const AccessParams = z
  .object({
    model: z.enum(['open', 'presence', 'roster', 'whitelist']),
    groups: z.array(z.string().trim().min(1).max(1023)).max(64).optional(),
    allow: z.array(contactJid).max(1000).optional(),
  })
  .strict();

const profileField = z.string().trim().max(PROFILE_LIMITS.fieldChars, `At most ${PROFILE_LIMITS.fieldChars} characters`);
const profileList = z.array(profileField.min(1)).max(PROFILE_LIMITS.entries, `At most ${PROFILE_LIMITS.entries} entries`);

/** The user's own profile as the editor sends it (XEP-0292 vCard4 fields; the nickname also goes to XEP-0172). */
export const ProfileParams = z
  .object({
    fullName: profileField.optional(),
    nickname: profileField.optional(),
    emails: profileList.default([]),
    phones: profileList.default([]),
    urls: profileList.default([]),
    note: z.string().max(PROFILE_LIMITS.noteChars, `At most ${PROFILE_LIMITS.noteChars} characters`).optional(),
    organisation: profileField.optional(),
    address: z
      .object({
        street: profileField.optional(),
        locality: profileField.optional(),
        region: profileField.optional(),
        code: profileField.optional(),
        country: profileField.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Base64 of at most PROFILE_LIMITS.avatarUploadBytes bytes. */
const avatarBase64 = z
  .string()
  .min(4, 'The image is empty')
  .max(Math.ceil(PROFILE_LIMITS.avatarUploadBytes / 3) * 4, `The image is larger than ${PROFILE_LIMITS.avatarUploadBytes / (1024 * 1024)} MiB`)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'The image must be base64');

export const requestSchemas = {
  'app:getInfo': NoParams,
  'account:connect': ConnectParams,
  'account:disconnect': NoParams,
  'account:getState': NoParams,
  'account:checkSupport': NoParams,
  'account:saved': NoParams,
  'account:connectSaved': z.object({ jid: bareJidText }).strict(),
  'account:forget': z.object({ jid: bareJidText }).strict(),
  'vault:status': NoParams,
  'vault:unlock': z
    .object({
      passphrase: z.string().min(1).max(1024).optional(),
      /** Open the backup copy when the vault file was changed outside the app (that file is set aside). */
      useBackup: z.boolean().optional(),
    })
    .strict(),
  'keys:generate': z
    .object({
      bits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]),
      validityDays: z.number().int().min(1).max(36_500).optional(),
    })
    .strict(),
  'keys:list': NoParams,
  'keys:import': z
    .object({
      /** The files' bytes, base64: PEM key + certificate, or one PKCS#12 (1 MiB each at most). */
      files: z.array(z.string().max(1_400_000).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Files are sent as base64')).min(1).max(4),
      password: z.string().max(1024).optional(),
    })
    .strict(),
  'keys:publish': z.object({ fingerprint: fingerprintText, access: AccessParams, reconfigure: z.boolean().optional() }).strict(),
  'keys:retract': z.object({ fingerprint: fingerprintText }).strict(),
  'keys:exportCertificate': z.object({ fingerprint: fingerprintText, format: z.enum(['pem', 'der']) }).strict(),
  'contacts:fetchKeys': z.object({ jid: contactJid }).strict(),
  'contacts:markVerified': z.object({ jid: contactJid, fingerprint: fingerprintText }).strict(),
  'roster:list': NoParams,
  'roster:add': z
    .object({
      jid: contactJid,
      name: z.string().trim().min(1).max(256).optional(),
      groups: z.array(z.string().trim().min(1).max(1023)).max(64),
    })
    .strict(),
  'roster:setGroups': z.object({ jid: contactJid, groups: z.array(z.string().trim().min(1).max(1023)).max(64) }).strict(),
  'roster:remove': z.object({ jid: contactJid }).strict(),
  'subscriptions:pending': NoParams,
  'subscriptions:answer': z.object({ jid: contactJid, approve: z.boolean() }).strict(),
  'queue:list': NoParams,
  'queue:add': z
    .object({
      kind: z.enum(['publish', 'retract']),
      fingerprint: fingerprintText,
      access: AccessParams.optional(),
      reconfigure: z.boolean().optional(),
    })
    .strict(),
  'queue:cancel': z.object({ id: z.string().min(1).max(64) }).strict(),
  'profile:get': NoParams,
  'profile:publish': z.object({ profile: ProfileParams, access: AccessParams, reconfigure: z.boolean().optional() }).strict(),
  'profile:setAvatar': z
    .object({
      dataBase64: avatarBase64,
      mime: z.enum(['image/png', 'image/jpeg']),
      access: AccessParams,
      reconfigure: z.boolean().optional(),
    })
    .strict(),
  'contacts:fetchProfile': z.object({ jid: contactJid, avatarData: z.boolean().optional() }).strict(),
} as const satisfies Record<RequestChannel, z.ZodType>;

export type RequestParams<C extends RequestChannel> = z.input<(typeof requestSchemas)[C]>;
export type ConnectParams = z.infer<typeof ConnectParams>;

// ---------------------------------------------------------------------------------------------------
// Results and event payloads (produced by main, trusted)

export interface AppInfo {
  name: string;
  version: string;
  /** Which shell hosts the renderer: the Electron window or a local browser via the browser host. */
  host: 'electron' | 'browser' | 'cli';
}

export type ConnectionStatus = 'offline' | 'connecting' | 'online' | 'reconnecting' | 'failed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Bare JID of the account, once known. */
  account?: string;
  /** Full JID bound by the server while online. */
  boundJid?: string;
  /** Why the last attempt failed, when status is 'failed'. */
  error?: IpcError;
}

/**
 * What the account's server can do for XEP-0222 (seed §5: identity pubsub/pep and the
 * publish-options feature), plus the other pubsub features that shape publishing.
 */
export interface PepSupport {
  /** The JID whose disco#info answered (bare JID first, then the domain). */
  queried: string;
  pep: boolean;
  publishOptions: boolean;
  /** Access models the server advertises (`access-open` → 'open', …). Servers may accept more than
   *  they advertise (Prosody 0.12 lists only its default, presence), so this is a floor. */
  accessModels: string[];
  /** Every `http://jabber.org/protocol/pubsub#…` feature, without the prefix. */
  pubsubFeatures: string[];
}


/** Who may read a persistent node, as the caller asks for it. */
export interface AccessRequest {
  model: AccessModel;
  /** For 'roster': the roster groups allowed (XEP-0060 pubsub#roster_groups_allowed). */
  groups?: string[];
  /** For 'whitelist': the bare JIDs allowed (affiliation 'member'). */
  allow?: string[];
}

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
  /** XEP-0222 settings the server did not take (e.g. a server that ignores send_last_published_item). */
  deviations: string[];
}

/**
 * How a contact's published certificate checks out (main/keys/validate.ts). 'weak': genuine, but its
 * key or signature is too weak to rely on (RSA under 2048 bits, an MD5 or SHA-1 signature, a public
 * exponent other than 65537); the reason names which.
 */
export type CertificateStatus = 'valid' | 'weak' | 'expired' | 'not-yet-valid' | 'jid-mismatch' | 'fingerprint-mismatch' | 'malformed';

/** Trust on first use: see main/vault/contact-keys.ts. 'changed' needs the user's attention. */
export type TrustState = 'unverified' | 'verified' | 'changed' | 'retracted';

export interface ContactKeyView {
  fingerprint: string;
  status: CertificateStatus;
  reason: string;
  notBefore?: string;
  notAfter?: string;
  bits?: number;
  trust: TrustState;
  firstSeen: string;
  lastSeen: string;
  /** For 'changed': the keys it appeared to replace. */
  replaces?: string[];
}

export interface KeyChangeView {
  kind: 'new' | 'changed' | 'retracted' | 'reappeared';
  fingerprint: string;
  replaces?: string[];
}

export interface ContactKeysView {
  jid: string;
  /** What the last fetch found: keys, no key node, the contact's access model excludes us, or their
   *  server could not be reached (then nothing is known: not "no keys"). */
  fetch: 'ok' | 'none' | 'refused' | 'unreachable' | 'failed' | 'notified';
  detail?: string;
  keys: ContactKeyView[];
  /**
   * Items that could not be read as keys (hostile or broken), with why; `tooMany` marks keys left out
   * because the contact publishes more than the app keeps (main/vault/contact-keys.ts, MAX_CURRENT_KEYS).
   */
  invalid: { itemId: string; reason: string; tooMany?: true }[];
  changes: KeyChangeView[];
}

/** An account whose password is remembered (in the OS keychain), with its server settings. */
export interface SavedAccountView {
  jid: string;
  host?: string;
  port?: number;
  caFile?: string;
}

export interface VaultStatus {
  open: boolean;
  /** Whether a vault was made before; while false, unlocking with a passphrase creates it (the first screen says so). */
  exists: boolean;
  /** Whether an OS keychain can hold secrets (desktop app); the password can be remembered only then. */
  keychain?: boolean;
  /** How secrets are protected once open. */
  protection?: 'keychain' | 'passphrase';
  /** Set when the vault had to be restored from its backup copy. */
  recovered?: string;
  /**
   * Set while locked when the last unlock found the vault file changed outside the app ('vault-tampered'):
   * the explanation, and whether the backup copy checks out (then `vault:unlock` with `useBackup` opens it).
   */
  tampered?: { reason: string; backupAvailable: boolean };
}

export interface OwnKeyView {
  fingerprint: string;
  bits: number | undefined;
  notBefore: string | undefined;
  notAfter: string | undefined;
  createdAt: string;
  publications: { node: string; accessModel: string; groups?: string[]; allow?: string[]; publishedAt: string }[];
}

/** A publish or retract asked for while offline, waiting for the connection. */
export interface QueuedActionView {
  id: string;
  kind: 'publish' | 'retract';
  fingerprint: string;
  access?: AccessRequest;
  reconfigure?: boolean;
  requestedAt: string;
}

export interface RosterContactView {
  jid: string;
  name?: string;
  groups: string[];
  subscription: 'none' | 'to' | 'from' | 'both';
  pending: boolean;
  /** Whether any of the contact's resources is available now (their presence reaches us). */
  online: boolean;
}

export interface ProfileAddress {
  street?: string;
  locality?: string;
  region?: string;
  code?: string;
  country?: string;
}

/**
 * A profile as the app reads and writes it (XEP-0292 vCard4 subset). From contacts it is untrusted text:
 * cut to PROFILE_LIMITS, control characters removed, URLs kept as text (shown, never opened).
 */
export interface Profile {
  fullName?: string;
  nickname?: string;
  emails: string[];
  phones: string[];
  urls: string[];
  note?: string;
  organisation?: string;
  address?: ProfileAddress;
}

/** XEP-0084 <info/>: what the metadata node says about the current avatar. */
export interface AvatarInfoView {
  /** SHA-1 (hex) of the image bytes: the item id on both avatar nodes. */
  id: string;
  type: string;
  bytes: number;
  width?: number;
  height?: number;
  /** An http(s) location the publisher names; shown, never fetched. */
  url?: string;
}

export interface AvatarView {
  info: AvatarInfoView;
  /** The image (base64) once fetched and checked: size cap, PNG/JPEG magic bytes, SHA-1 equal to the id. */
  dataBase64?: string;
  /** Why there is no image data (not asked, missing, refused, or failed a check). */
  dataProblem?: string;
}

/** A XEP-0154 (urn:xmpp:tmp:profile) data-form profile, as untrusted fields. */
export interface Xep0154View {
  fields: { name: string; label?: string; values: string[] }[];
  /** The registered fields that map onto the app's profile (common_name, nickname, email, …). */
  profile: Profile;
}

/** What one profile node gave on the last read. 'invalid': there was an item but it could not be read. */
export interface ProfileSourceView {
  node: string;
  status: 'ok' | 'none' | 'refused' | 'unreachable' | 'failed' | 'invalid';
  detail?: string;
}

export interface ContactProfileView {
  jid: string;
  /** A fetch the user asked for, or a PEP notification (then only the nodes in `updated` are fresh). */
  origin: 'fetch' | 'notification';
  updated: string[];
  /** XEP-0292 vCard4. */
  vcard?: Profile;
  /** XEP-0172 nickname. */
  nickname?: string;
  /** XEP-0084 avatar. */
  avatar?: AvatarView;
  /** XEP-0154 data-form profile, when the contact publishes one. */
  xep0154?: Xep0154View;
  sources: ProfileSourceView[];
}

/** The account's own profile as its server holds it, with each node's configuration read back. */
export interface OwnProfileView extends ContactProfileView {
  configs: EffectiveNodeConfig[];
}

export interface AvatarPublishResult {
  info: AvatarInfoView;
  /** The data node's configuration, then the metadata node's. */
  configs: EffectiveNodeConfig[];
}

export interface RequestResults {
  'app:getInfo': AppInfo;
  'account:saved': SavedAccountView[];
  'account:connectSaved': ConnectionState;
  'account:forget': SavedAccountView[];
  'vault:status': VaultStatus;
  'vault:unlock': VaultStatus;
  'keys:generate': OwnKeyView;
  'keys:list': OwnKeyView[];
  'keys:import': OwnKeyView;
  'keys:publish': EffectiveNodeConfig;
  'keys:retract': OwnKeyView[];
  'keys:exportCertificate': { fingerprint: string; pem?: string; derBase64?: string };
  'contacts:fetchKeys': ContactKeysView;
  'contacts:markVerified': ContactKeysView;
  'roster:list': RosterContactView[];
  'roster:add': RosterContactView[];
  'roster:setGroups': RosterContactView[];
  'roster:remove': RosterContactView[];
  'subscriptions:pending': string[];
  'subscriptions:answer': string[];
  'queue:list': QueuedActionView[];
  'queue:add': QueuedActionView[];
  'queue:cancel': QueuedActionView[];
  'account:connect': ConnectionState;
  'account:disconnect': ConnectionState;
  'account:getState': ConnectionState;
  'account:checkSupport': PepSupport;
  'profile:get': OwnProfileView;
  /** The vCard4 node's configuration, then the nickname node's (when a nickname was given). */
  'profile:publish': EffectiveNodeConfig[];
  'profile:setAvatar': AvatarPublishResult;
  'contacts:fetchProfile': ContactProfileView;
}

export interface EventPayloads {
  'account:state': ConnectionState;
  /** A contact's keys as just fetched or notified. */
  'contacts:keys': ContactKeysView;
  /** The server changed the roster: fetch it again. */
  'roster:changed': undefined;
  /** A contact came online or went offline. */
  'presence:changed': { jid: string; online: boolean };
  /** Contacts asking to see your presence, not yet answered. */
  'subscriptions:changed': string[];
  /** The offline queue changed (added, ran, cancelled). */
  'queue:changed': QueuedActionView[];
  /** A queued action ran: its outcome. */
  'queue:ran': { action: QueuedActionView; ok: boolean; error?: IpcError };
  /** A contact's profile as just fetched or notified (XEP-0292, XEP-0172, XEP-0084, XEP-0154). */
  'contacts:profile': ContactProfileView;
}

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
  | 'pep-unsupported'
  | 'timeout'
  | 'protocol-error'
  | 'vault-locked'
  | 'wrong-passphrase'
  | 'vault-corrupt'
  | 'vault-tampered'
  | 'keychain-unavailable'
  | 'storage-failed'
  | 'not-found'
  | 'access-model-unsupported'
  | 'access-model-conflict'
  | 'access-not-revoked'
  | 'precondition-not-met'
  | 'forbidden'
  | 'invalid-payload'
  | 'internal';

export interface IpcError {
  code: ErrorCode;
  message: string;
  /** For 'invalid-argument': which field, when known. */
  field?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** The API object the renderer gets, whichever shell hosts it (Electron preload or browser host). */
export interface KeyringApi {
  request<C extends RequestChannel>(
    channel: C,
    ...params: RequestParams<C> extends undefined ? [] : [RequestParams<C>]
  ): Promise<Result<RequestResults[C]>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}

// ---------------------------------------------------------------------------------------------------
// Framing for transports that carry the contract as JSON messages (the browser host's WebSocket)

export interface WireRequest {
  id: number;
  channel: string;
  params?: unknown;
}

export type WireMessage =
  | { kind: 'response'; id: number | null; result: Result<unknown> }
  | { kind: 'event'; event: EventName; payload: unknown };
