/**
 * Caps both sides of the contract know. Dependency-free, so the sandboxed preload and the renderer may
 * import it at run time (to state a limit, or check one before sending); main enforces every one.
 */

/**
 * Caps on profile data, the same for what the user publishes (checked by the request schemas,
 * contract/profile.ts) and for what contacts publish (applied by the readers in main/profile/, which cut
 * rather than refuse).
 */
export const PROFILE_LIMITS = {
  /** Characters in one field (name, e-mail, URL, …). */
  fieldChars: 1024,
  /** Characters in the free-text note. */
  noteChars: 4096,
  /** Entries in a list field (e-mails, phones, URLs). */
  entries: 16,
  /** Bytes of an image the user hands in, before the app resizes it. */
  avatarUploadBytes: 8 * 1024 * 1024,
  /**
   * Pixels of that image, as its header declares them, decoded at most (a 16 MP RGBA frame is 64 MiB):
   * in all, and along either side. The window checks them when the picture is picked, main again.
   */
  avatarPixels: 16_000_000,
  avatarSide: 8192,
  /** Bytes of a contact's avatar image accepted (after base64 decoding). */
  contactAvatarBytes: 1024 * 1024,
} as const;

/**
 * What the app stores per contact of what the contact publishes (main/vault/contact-keys.ts): keys
 * beyond `currentKeys` are reported, not kept; only the `withdrawnKeys` most recently withdrawn stay;
 * of the withdrawn keys their owner revoked, `revokedKeys` more, the ones the user relied on first (a
 * revocation must outlive its key's withdrawal). 16 like the withdrawn ones: a person revokes a handful
 * of keys in the life of a vault, and a flood of throw-away revoked keys is met by which ones stay, not
 * by how many (contact-keys.ts pruneWithdrawn); each costs about a certificate's size in the vault.
 */
export const CONTACT_KEY_LIMITS = {
  currentKeys: 64,
  withdrawnKeys: 16,
  revokedKeys: 16,
  /** Comparisons that did not match, remembered per contact (newest kept). */
  mismatches: 20,
} as const;

/**
 * A picture of a QR code to verify with: bytes accepted, and pixels decoded at most (a phone's photo of
 * another phone's screen: 12 megapixels and some MiB, as the avatar's pictures; main/profile/avatar-image.ts
 * decodes up to 16 MP). A picture larger than `readPixels` is scaled down before the code is looked for.
 */
export const QR_IMAGE_LIMITS = {
  bytes: 8 * 1024 * 1024,
  pixels: 16_000_000,
  side: 8192,
  readPixels: 4_000_000,
} as const;

/** The name a person gives one of their keys ("Laptop 2026"), in characters. */
export const OWN_KEY_LABEL_CHARS = 80;

/**
 * Other apps' keys (contract/devices.ts): what the app keeps per account it reads. The readers read at
 * most `listedDevices` devices of one OMEMO list and `listedKeys` keys of the OpenPGP list, those the
 * vault knows first; new ones past that are counted, not kept. Of those that left a list at most
 * `removedKeys` stay, those the user relied on longest (main/vault/other-keys.ts pruneRemoved). A device
 * or key counts as 'new' for `newForDays` after it appeared; an own device whose bundle did not change
 * for `staleAfterDays` is flagged stale.
 */
export const OTHER_KEY_LIMITS = {
  listedDevices: 64,
  listedKeys: 32,
  removedKeys: 16,
  previousFingerprints: 4,
  newForDays: 7,
  staleAfterDays: 90,
} as const;

/** The account's encrypted backup (docs/key-lifecycle.md): the blob, whole, before it is cut into items. */
export const BACKUP_MAX_BYTES = 8 * 1024 * 1024;

/**
 * One size cap for a request from the page, whichever way it comes: the browser host's WebSocket
 * (`maxPayload`, main/browser-host/server.ts) and Electron IPC (measured in main/ipc/request-size.ts).
 * The largest legitimate request is an avatar picture, PROFILE_LIMITS.avatarUploadBytes as base64; key
 * imports (at most four 1 MiB files as base64, 5.4 MiB) fit well under it. The cap is that picture plus
 * 1 MiB for the JSON around it: anything larger is not a request this app makes.
 */
export const MAX_REQUEST_BYTES = Math.ceil(PROFILE_LIMITS.avatarUploadBytes / 3) * 4 + 1024 * 1024;

/**
 * Requests to see the user's presence (RFC 6121 §3.1.2) kept for one stream (main/services/presence.ts):
 * anyone can ask, from as many addresses as a server mints, so only the `listed` newest are kept and the
 * rest counted. Those set aside are still pending on the server, which sends them again at the next login
 * (§3.1.3). 256: more than any person answers by hand, few enough to list at once.
 */
export const PRESENCE_REQUEST_LIMITS = {
  listed: 256,
} as const;
