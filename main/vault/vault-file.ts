/**
 * The vault's on-disk envelope: a versioned file whose body (the document as JSON) is covered by
 * - a SHA-256 checksum (unkeyed), so truncation or a flipped byte is detected before unlocking, rather
 *   than half-read; reading then falls back to the previous good copy (`.bak`, kept by writeFileAtomic)
 *   and says so; a damaged file is set aside, never deleted; and
 * - from version 2 on, an HMAC-SHA-256 under a key derived from the vault key (secret-box.ts), over the
 *   format, the version and the exact body bytes (protection block included): signedBytes(). Only the
 *   vault key can make it, so an edit made without the passphrase or keychain (a trust state, a server
 *   host, a CA path, the queue) is found once the vault is unlocked, before any of the document is used
 *   (vault.ts checks it). Version 1 files have no MAC; vault.ts decides when one may still be read.
 *
 * Layouts (all are read; version 3 is written):
 * - version 3: one line of JSON, the header `{"format":…,"version":3,"sha256":…,"mac":…}`, then a
 *   newline, then the body's UTF-8 bytes as they are, up to the end of the file. The checksum and the
 *   MAC are over exactly those bytes.
 * - versions 1 and 2: one JSON object `{"format":…,"version":…,"sha256":…,"mac":…,"body":"…"}` whose
 *   body is the document as a JSON *string*; checksum and MAC over that string's UTF-8 bytes.
 * Why version 3: a write encodes the document once. Version 2 escaped the body again inside the
 * envelope and encoded it to UTF-8 three times (checksum, MAC, file); with 2,000 contacts (2.7 MB)
 * that was ~30 of the ~45 ms of CPU a write took, and a bulk fetch makes a few dozen writes.
 * Telling them apart: a version 3 header has no `body` and is followed by the body, so a version 3 file
 * relabelled as 1 or 2 is not a vault file (damaged), and one relabelled in place fails the MAC, which
 * covers the version; a header or envelope with a higher version than this app knows is refused.
 */
import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { KeyringError } from '../errors.js';
import { backupPathOf, writeFileAtomic } from './atomic-file.js';
import { diskTroubleWords } from './disk-trouble.js';
import { isDeeplyFrozen } from './deep-freeze.js';
import { JsonChunks } from './json-chunks.js';

export const VAULT_FORMAT = 'keyring-for-xmpp/vault';
/**
 * 3: header line, then the raw body. 2: the envelope carries a MAC under the vault key. 1 (no MAC) is
 * still read: see vault.ts.
 */
export const VAULT_VERSION = 3;
/** The last version whose body is a string inside a JSON envelope. */
const LAST_ENVELOPE_VERSION = 2;
/** A version 3 header is ~190 bytes; a newline further in belongs to something else. */
const HEADER_MAX_BYTES = 1024;
const NEWLINE = 0x0a;

/** Version 3: the first line. */
interface Header {
  format: typeof VAULT_FORMAT;
  version: number;
  sha256: string;
  /** Always written; a header without one is read, and then fails the MAC check (vault.ts): tampered. */
  mac?: string;
}

/** Versions 1 and 2: the whole file. */
interface Envelope {
  format: typeof VAULT_FORMAT;
  version: number;
  sha256: string;
  /** Version 2: base64 HMAC-SHA-256 of `signedBytes(version, body)` (absent in version 1). */
  mac?: string;
  /** The document as a JSON string, so the checksum and the MAC cover exact bytes. */
  body: string;
}

/** What the MAC of a file read covers, and the MAC it carries, for vault.ts to check once unlocked. */
export interface Integrity {
  version: number;
  /** Absent in a version 1 file. */
  mac: string | undefined;
  /** The exact bytes the MAC covers, in pieces (signedBytes). */
  signed: readonly Uint8Array[];
}

/** Makes the MAC of the bytes `signed` (pieces, MAC'd as one) under the vault key (vault.ts passes its SecretBox's). */
export type Authenticator = (signed: readonly Uint8Array[]) => string;

export interface ReadOutcome<T> {
  document: T | undefined;
  /** Present with `document`. */
  integrity?: Integrity;
  /** Set when the main file was unusable: why, and where it was moved. */
  recovered?: { reason: string; setAsideAs: string; usedBackup: boolean };
}

/**
 * The bytes the MAC covers, in two pieces (the body is not copied): format and version too, so that
 * neither can be changed on their own (e.g. a MAC'd body relabelled as another version). The same for
 * every version: `${format}\n${version}\n` then the body's UTF-8 bytes.
 */
export function signedBytes(version: number, body: Uint8Array | readonly Uint8Array[]): Uint8Array[] {
  const prefix = Buffer.from(`${VAULT_FORMAT}\n${version}\n`, 'utf8');
  return body instanceof Uint8Array ? [prefix, body] : [prefix, ...body];
}

/**
 * The body's bytes in pieces, reusing those of the parts of a deep-frozen document (the vault's:
 * vault.ts) that an earlier write already serialized. Shared by every vault: a piece depends only on
 * its (immutable) object and key.
 */
const bodyChunks = new JsonChunks({ isImmutable: isDeeplyFrozen });

export async function writeVaultFile(path: string, document: unknown, authenticate: Authenticator): Promise<void> {
  // Encoded once, in pieces never joined: the checksum, the MAC and the file all use these bytes.
  const body = bodyChunks.serialize(document);
  const header: Header = {
    format: VAULT_FORMAT,
    version: VAULT_VERSION,
    sha256: sha256(body),
    mac: authenticate(signedBytes(VAULT_VERSION, body)),
  };
  try {
    await writeFileAtomic(path, [Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), ...body]);
  } catch (error) {
    throw new KeyringError('storage-failed', `Could not save the vault (${diskTroubleWords(error)}); nothing was changed.`, undefined, {
      cause: error,
    });
  }
}

/**
 * Reads and checks the vault. `document` is undefined when no vault exists yet. A damaged main file is
 * renamed aside and the backup used; if both are damaged, fails with 'vault-corrupt' (nothing deleted).
 * The MAC is not checked here (that needs the vault key): the caller must check `integrity`.
 */
export async function readVaultFile<T>(path: string, parse: (body: unknown) => T): Promise<ReadOutcome<T>> {
  const main = await tryRead(path, parse);
  if (main.kind === 'ok') return { document: main.document, integrity: main.integrity };
  if (main.kind === 'missing') {
    // A crash between writes can never remove the main file, but a user might: fall back all the same.
    const backup = await tryRead(backupPathOf(path), parse);
    if (backup.kind === 'ok') {
      return {
        document: backup.document,
        integrity: backup.integrity,
        recovered: { reason: 'the vault file is missing', setAsideAs: '', usedBackup: true },
      };
    }
    return { document: undefined };
  }
  const setAsideAs = await setAside(path, 'damaged');
  const backup = await tryRead(backupPathOf(path), parse);
  if (backup.kind === 'ok') {
    return { document: backup.document, integrity: backup.integrity, recovered: { reason: main.reason, setAsideAs, usedBackup: true } };
  }
  throw new KeyringError(
    'vault-corrupt',
    `The vault file is damaged (${main.reason}) and no good backup exists. It was kept as ${setAsideAs}.`,
  );
}

/** Reads the backup copy alone (the user chose it over a main file that did not check out). */
export async function readVaultBackup<T>(path: string, parse: (body: unknown) => T): Promise<ReadOutcome<T>> {
  const backup = await tryRead(backupPathOf(path), parse);
  if (backup.kind === 'ok') return { document: backup.document, integrity: backup.integrity };
  throw new KeyringError(
    'vault-corrupt',
    backup.kind === 'missing' ? 'There is no backup copy of the vault.' : `The backup copy of the vault is damaged (${backup.reason}).`,
  );
}

/** Renames the file at `path` aside (never deletes it) and returns its new name. */
export async function setAside(path: string, why: 'damaged' | 'tampered'): Promise<string> {
  const setAsideAs = `${path}.${why}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, setAsideAs);
  return setAsideAs;
}

type Attempt<T> = { kind: 'ok'; document: T; integrity: Integrity } | { kind: 'missing' } | { kind: 'damaged'; reason: string };

async function tryRead<T>(path: string, parse: (body: unknown) => T): Promise<Attempt<T>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new KeyringError('storage-failed', `Could not read the vault file ${path} (${diskTroubleWords(error)}).`, undefined, { cause: error });
  }
  const file = splitFile(bytes);
  if ('damaged' in file) return { kind: 'damaged', reason: file.damaged };
  if ('newer' in file) {
    // Not damage: a newer app wrote it. Refuse rather than overwrite what we do not understand.
    throw new KeyringError('vault-corrupt', `The vault was written by a newer version (format ${file.newer}); update the app.`);
  }
  if (sha256(file.body) !== file.sha256) return { kind: 'damaged', reason: 'checksum mismatch' };
  const integrity: Integrity = { version: file.version, mac: file.mac, signed: signedBytes(file.version, file.body) };
  try {
    return { kind: 'ok', document: parse(JSON.parse(file.body.toString('utf8'))), integrity };
  } catch (error) {
    return { kind: 'damaged', reason: error instanceof Error ? error.message : 'invalid content' };
  }
}

/** A file's parts, whatever its layout (see the top of this file), before any check of its checksum. */
type Parts = { version: number; sha256: string; mac: string | undefined; body: Buffer } | { damaged: string } | { newer: number };

function splitFile(bytes: Buffer): Parts {
  const newline = bytes.subarray(0, HEADER_MAX_BYTES).indexOf(NEWLINE);
  const first = newline === -1 ? undefined : parseJson(bytes.subarray(0, newline).toString('utf8'));
  if (isVersioned(first) && !('body' in first)) {
    if (first.version > VAULT_VERSION) return { newer: first.version };
    // A version 3 header relabelled as an older version (whose body would be inside the envelope).
    if (!isHeader(first) || first.version <= LAST_ENVELOPE_VERSION) return { damaged: 'not a vault file' };
    return { version: first.version, sha256: first.sha256, mac: first.mac, body: bytes.subarray(newline + 1) };
  }
  const text = bytes.toString('utf8');
  const envelope = parseJson(text);
  if (envelope === undefined) return { damaged: text.length === 0 ? 'empty file' : 'not valid JSON (truncated?)' };
  if (!isEnvelope(envelope)) return { damaged: 'not a vault file' };
  if (envelope.version > VAULT_VERSION) return { newer: envelope.version };
  // Version 3 is never an envelope.
  if (envelope.version > LAST_ENVELOPE_VERSION) return { damaged: 'not a vault file' };
  return { version: envelope.version, sha256: envelope.sha256, mac: envelope.mac, body: Buffer.from(envelope.body, 'utf8') };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** An object of this format with a whole version number ≥ 1: a version 3 header or an older envelope. */
function isVersioned(value: unknown): value is Record<string, unknown> & { version: number } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.format === VAULT_FORMAT && typeof v.version === 'number' && Number.isInteger(v.version) && v.version >= 1;
}

function isHeader(value: Record<string, unknown>): value is Record<string, unknown> & Header {
  return typeof value.sha256 === 'string' && (value.mac === undefined || typeof value.mac === 'string');
}

function isEnvelope(value: unknown): value is Envelope {
  return isVersioned(value) && typeof value.sha256 === 'string' && (value.mac === undefined || typeof value.mac === 'string') && typeof value.body === 'string';
}

function sha256(bytes: Uint8Array | readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  if (bytes instanceof Uint8Array) hash.update(bytes);
  else for (const piece of bytes) hash.update(piece);
  return hash.digest('hex');
}
