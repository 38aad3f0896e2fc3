/**
 * The encrypted backup: one blob, the same bytes in a file and on the account's private node
 * (main/xmpp/backup-items.ts). docs/key-lifecycle.md describes it for people.
 *
 *   "KEYRING-XMPP-BACKUP\n"   magic, 20 bytes: says what the file is, even to `head`
 *   version                   1 byte (1)
 *   header length             4 bytes, big-endian
 *   header                    UTF-8 JSON: { account, createdAt, kdf: { name: 'scrypt', salt, N, r, p } }
 *   code check                32 bytes: HMAC-SHA-256 of a fixed text under a subkey of the backup
 *                             key (SecretBox.authenticate): tells a wrong code from damage
 *   sealed content            nonce (12) ‖ AES-256-GCM ciphertext ‖ tag (16) (SecretBox.seal)
 *   digest                    32 bytes: SHA-256 of everything before it: tells damage in transit or
 *                             on disk apart before any key is derived
 *
 * Associated data (the SecretBox "purpose"): "keyring-xmpp-backup/1\n" + the header exactly as
 * stored, so the format, the version, the account, the date and the KDF parameters are all bound to
 * the ciphertext: change any and the blob no longer opens.
 *
 * Key: scrypt over the canonical backup code (backup-code.ts), N=2^16, r=8, p=1 (64 MiB, ~0.2 s here).
 * The code carries 130 random bits, so no work factor is needed against guessing the whole code; the
 * memory-hard step is a margin for a code that was partly seen (a photo of half the printed page),
 * and stays quick enough for an old laptop. The parameters travel in the header, and a blob asking
 * for more than MAX_SCRYPT_MEMORY is refused before any work (the account's server could hand us one).
 *
 * Opening tells apart, in this order: not a backup, unsupported version, damaged (digest, header),
 * a mistyped code (its check characters), a wrong code (the code check), damaged (the AEAD; the
 * digest was recomputed by someone), another account's backup. Pure: nothing is touched either way.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BackupErrorCode } from '../../contract/domain.js';
import { BACKUP_MAX_BYTES } from '../../contract/limits.js';
import { KeyringError } from '../errors.js';
import { bareJidKey, isBareJid } from '../keys/xmpp-addr.js';
import { formatBackupCode, generateBackupCode, parseBackupCode } from './backup-code.js';
import { ScryptParamsSchema } from './schema.js';
import { SecretBox, type ScryptParams } from './secret-box.js';

export const BACKUP_FORMAT = 'keyring-xmpp-backup';
export const BACKUP_VERSION = 1;
const MAGIC = Buffer.from('KEYRING-XMPP-BACKUP\n', 'ascii');
const MAX_HEADER_BYTES = 4096;
const CHECK_BYTES = 32;
const DIGEST_BYTES = 32;
/** nonce + tag: the smallest sealed content. */
const MIN_SEALED_BYTES = 12 + 16;

/** The largest blob written or read: keys, prepared revocations and contacts' trust fit many times over. */
export const MAX_BACKUP_BYTES = BACKUP_MAX_BYTES;

export const BACKUP_SCRYPT: Omit<ScryptParams, 'salt'> = { name: 'scrypt', N: 2 ** 16, r: 8, p: 1 };
/** The most memory a blob may ask scrypt for (128·N·r bytes). */
export const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

/**
 * The code check is a MAC of a fixed text, not of the header: it depends on the key alone, so a header
 * altered on purpose (digest recomputed) fails as damage, not as a wrong code. Only altered KDF
 * parameters, which change the key, look like a wrong code: there is no telling those apart.
 */
const CODE_CHECK_PURPOSE = 'backup code check';
const CODE_CHECK_TEXT = `${BACKUP_FORMAT} code check`;

const HeaderSchema = z
  .object({
    account: z.string().refine(isBareJid),
    createdAt: z.iso.datetime(),
    kdf: ScryptParamsSchema.refine(
      (p) =>
        Number.isInteger(Math.log2(p.N)) &&
        p.N >= 2 ** 10 &&
        p.r >= 1 &&
        p.r <= 32 &&
        p.p >= 1 &&
        p.p <= 4 &&
        128 * p.N * p.r <= MAX_SCRYPT_MEMORY &&
        Buffer.from(p.salt, 'base64').length >= 16,
    ),
  })
  .strict();
type Header = z.infer<typeof HeaderSchema>;


export interface BackupError {
  code: BackupErrorCode;
  message: string;
}

export interface BackupInfo {
  account: string;
  createdAt: string;
}

export type BackupOpening = ({ ok: true; content: unknown } & BackupInfo) | { ok: false; error: BackupError };

export interface BackupRequest {
  /** The account's bare JID, bound to the blob. */
  account: string;
  /** Any JSON value (backup-content.ts describes what the app puts in). Holds private keys: never log it. */
  content: unknown;
  /** An existing code to reuse (as typed or displayed); default: a new one. */
  code?: string;
  now?: Date;
  /** Tests pass lighter parameters; the app keeps the default. */
  kdf?: Omit<ScryptParams, 'salt'>;
}

/** Encrypts `content` under the code. Returns the blob and the code, grouped for display. */
export async function createBackup(request: BackupRequest): Promise<{ blob: Buffer; code: string }> {
  const { account, content } = request;
  if (!isBareJid(account)) throw new KeyringError('invalid-argument', 'A backup needs the account’s bare JID.', 'account');
  const reading = parseBackupCode(request.code ?? generateBackupCode());
  if (!reading.ok) throw new KeyringError('invalid-argument', reading.message, 'code');
  const json = JSON.stringify(content);
  if (typeof json !== 'string') throw new KeyringError('invalid-argument', 'The backup has no content.', 'content');

  const header: Header = {
    account,
    createdAt: (request.now ?? new Date()).toISOString(),
    kdf: SecretBox.newScryptParams(request.kdf ?? BACKUP_SCRYPT),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  if (!HeaderSchema.safeParse(header).success || headerBytes.length > MAX_HEADER_BYTES) {
    throw new KeyringError('invalid-argument', 'The backup’s key derivation parameters are out of range.', 'kdf');
  }
  const purpose = associatedData(headerBytes);
  const box = await SecretBox.fromPassphrase(reading.code, header.kdf);
  const check = Buffer.from(box.authenticate(CODE_CHECK_TEXT, CODE_CHECK_PURPOSE), 'base64');
  const sealed = Buffer.from(box.seal(Buffer.from(json, 'utf8'), purpose).data, 'base64');

  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.length);
  const body = Buffer.concat([MAGIC, Buffer.from([BACKUP_VERSION]), length, headerBytes, check, sealed]);
  const blob = Buffer.concat([body, sha256(body)]);
  if (blob.length > MAX_BACKUP_BYTES) {
    throw new KeyringError('invalid-argument', `The backup would be larger than ${MAX_BACKUP_BYTES / 1024 / 1024} MiB.`, 'content');
  }
  return { blob, code: formatBackupCode(reading.code) };
}

/**
 * What a blob says about itself, without the code: for "backup of … made on …" before asking for
 * it. Not authenticated until openBackup succeeds.
 */
export function inspectBackup(blob: Uint8Array): ({ ok: true } & BackupInfo) | { ok: false; error: BackupError } {
  const parsed = parse(blob);
  return 'error' in parsed ? { ok: false, error: parsed.error } : { ok: true, account: parsed.header.account, createdAt: parsed.header.createdAt };
}

/**
 * Decrypts a blob. `expectedAccount`: the account restoring it; a backup of another one is refused
 * (leave it out to restore one account's backup into another, after asking). Never throws.
 */
export async function openBackup(blob: Uint8Array, code: string, expectedAccount?: string): Promise<BackupOpening> {
  try {
    const parsed = parse(blob);
    if ('error' in parsed) return { ok: false, error: parsed.error };
    const reading = parseBackupCode(code);
    if (!reading.ok) return failure('backup-code-mistyped', reading.message);

    const { header, headerBytes, check, sealed } = parsed;
    const purpose = associatedData(headerBytes);
    const box = await SecretBox.fromPassphrase(reading.code, header.kdf);
    if (!box.verify(CODE_CHECK_TEXT, CODE_CHECK_PURPOSE, check.toString('base64'))) {
      return failure('wrong-backup-code', 'This is not the code of this backup.');
    }
    let plain: Buffer;
    try {
      plain = box.open({ data: sealed.toString('base64') }, purpose);
    } catch {
      return failure('backup-damaged', 'The backup was altered: its content does not match the code.');
    }
    let content: unknown;
    try {
      content = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
    } catch {
      return failure('backup-damaged', 'The backup’s content cannot be read.');
    }
    if (expectedAccount !== undefined && bareJidKey(header.account) !== bareJidKey(expectedAccount)) {
      return failure('backup-other-account', `This backup belongs to ${header.account}.`);
    }
    return { ok: true, content, account: header.account, createdAt: header.createdAt };
  } catch {
    return failure('backup-damaged', 'The backup cannot be read.');
  }
}

type Parsed = { header: Header; headerBytes: Buffer; check: Buffer; sealed: Buffer } | { error: BackupError };

function parse(input: Uint8Array): Parsed {
  if (!(input instanceof Uint8Array)) return { error: error('not-a-backup', 'This is not a Keyring backup.') };
  if (input.byteLength > MAX_BACKUP_BYTES) {
    return { error: error('backup-too-large', `The file is larger than a backup can be (${MAX_BACKUP_BYTES / 1024 / 1024} MiB).`) };
  }
  const blob = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (blob.length < MAGIC.length + 1 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) {
    return { error: error('not-a-backup', 'This is not a Keyring backup.') };
  }
  const version = blob[MAGIC.length];
  if (version !== BACKUP_VERSION) {
    return { error: error('backup-unsupported-version', `This backup was made in format ${version}, which this version of the app cannot read. A newer version can.`) };
  }
  const damaged = { error: error('backup-damaged', 'The backup is damaged: it was cut short or changed.') };
  let at = MAGIC.length + 1;
  if (blob.length < at + 4) return damaged;
  const headerLength = blob.readUInt32BE(at);
  at += 4;
  if (headerLength > MAX_HEADER_BYTES || blob.length < at + headerLength + CHECK_BYTES + MIN_SEALED_BYTES + DIGEST_BYTES) return damaged;
  const body = blob.subarray(0, blob.length - DIGEST_BYTES);
  if (!sha256(body).equals(blob.subarray(blob.length - DIGEST_BYTES))) return damaged;

  const headerBytes = blob.subarray(at, at + headerLength);
  at += headerLength;
  let header: Header;
  try {
    const result = HeaderSchema.safeParse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes)));
    if (!result.success) return damaged;
    header = result.data;
  } catch {
    return damaged;
  }
  const check = blob.subarray(at, at + CHECK_BYTES);
  const sealed = blob.subarray(at + CHECK_BYTES, blob.length - DIGEST_BYTES);
  return { header, headerBytes, check, sealed };
}

/** The SecretBox purpose: format and version, then the header exactly as stored (valid UTF-8, checked). */
function associatedData(headerBytes: Buffer): string {
  return `${BACKUP_FORMAT}/${BACKUP_VERSION}\n${headerBytes.toString('utf8')}`;
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function error(code: BackupErrorCode, message: string): BackupError {
  return { code, message };
}

function failure(code: BackupErrorCode, message: string): { ok: false; error: BackupError } {
  return { ok: false, error: error(code, message) };
}
