/**
 * The names on the IPC wire, with no dependencies, so the sandboxed preload can bundle them without
 * pulling in the validation library. `contract.ts` attaches argument schemas and result types to them.
 */

/** Requests the renderer may make; main answers each with a `Result`. */
export const REQUEST_CHANNELS = [
  'app:getInfo',
  'account:connect',
  'account:disconnect',
  'account:getState',
  'account:checkSupport',
  'account:saved',
  'account:connectSaved',
  'account:forget',
  'vault:status',
  'vault:unlock',
  'keys:generate',
  'keys:list',
  'keys:import',
  'keys:publish',
  'keys:retract',
  'keys:exportCertificate',
  'contacts:fetchKeys',
  'contacts:markVerified',
  'roster:list',
  'roster:add',
  'roster:setGroups',
  'roster:remove',
  'subscriptions:pending',
  'subscriptions:answer',
  'queue:list',
  'queue:add',
  'queue:cancel',
  'profile:get',
  'profile:publish',
  'profile:setAvatar',
  'contacts:fetchProfile',
] as const;

/** Events main pushes to the renderer. */
export const EVENT_NAMES = ['account:state', 'contacts:keys', 'queue:changed', 'queue:ran', 'roster:changed', 'subscriptions:changed', 'presence:changed', 'contacts:profile'] as const;

export type RequestChannel = (typeof REQUEST_CHANNELS)[number];
export type EventName = (typeof EVENT_NAMES)[number];

/** Electron IPC channels that carry every request and every event (one pair, routed by name). */
export const IPC_REQUEST = 'keyring:request';
export const IPC_EVENT = 'keyring:event';

export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && (REQUEST_CHANNELS as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value);
}

/** The browser host's WebSocket subprotocols: the wire version, and the per-run token carried beside it. */
export const WIRE_PROTOCOL = 'keyring.v1';
export const WIRE_TOKEN_PREFIX = 'keyring.token.';
/** Path of the browser host's WebSocket endpoint. */
export const WIRE_PATH = '/ipc';

/** XEP-0060 §4.5 access models the app offers for persistent nodes ('authorize' is no use for keys). */
export const ACCESS_MODELS = ['open', 'presence', 'roster', 'whitelist'] as const;
export type AccessModel = (typeof ACCESS_MODELS)[number];

/**
 * Caps on profile data, the same for what the user publishes (checked by the IPC schemas) and for what
 * contacts publish (applied by main/profile/ parsers, which cut rather than refuse).
 */
/**
 * What the app stores per contact of what the contact publishes (main/vault/contact-keys.ts): keys
 * beyond `currentKeys` are reported, not kept; only the `withdrawnKeys` most recently withdrawn stay.
 */
export const CONTACT_KEY_LIMITS = {
  currentKeys: 64,
  withdrawnKeys: 16,
} as const;

export const PROFILE_LIMITS = {
  /** Characters in one field (name, e-mail, URL, …). */
  fieldChars: 1024,
  /** Characters in the free-text note. */
  noteChars: 4096,
  /** Entries in a list field (e-mails, phones, URLs). */
  entries: 16,
  /** Bytes of an image the user hands in, before the app resizes it. */
  avatarUploadBytes: 8 * 1024 * 1024,
  /** Bytes of a contact's avatar image accepted (after base64 decoding). */
  contactAvatarBytes: 1024 * 1024,
} as const;
