/**
 * The vault's on-disk envelope: a versioned JSON document whose body is covered by
 * - a SHA-256 checksum (unkeyed), so truncation or a flipped byte is detected before unlocking, rather
 *   than half-read; reading then falls back to the previous good copy (`.bak`, kept by writeFileAtomic)
 *   and says so; a damaged file is set aside, never deleted; and
 * - from version 2 on, an HMAC-SHA-256 under a key derived from the vault key (secret-box.ts), over the
 *   format, the version and the exact body bytes (protection block included). Only the vault key can
 *   make it, so an edit made without the passphrase or keychain (a trust state, a server host, a CA
 *   path, the queue) is found once the vault is unlocked, before any of the document is used
 *   (vault.ts checks it). Version 1 files have no MAC; vault.ts decides when one may still be read.
 */
import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { KeyringError } from '../errors.js';
import { backupPathOf, writeFileAtomic } from './atomic-file.js';

export const VAULT_FORMAT = 'keyring-for-xmpp/vault';
/** 2: the envelope carries a MAC under the vault key. 1 (no MAC) is still read: see vault.ts. */
export const VAULT_VERSION = 2;

interface Envelope {
  format: typeof VAULT_FORMAT;
  version: number;
  sha256: string;
  /** Version 2+: base64 HMAC-SHA-256 of `signedText(version, body)` (absent in version 1). */
  mac?: string;
  /** The document as a JSON string, so the checksum and the MAC cover exact bytes. */
  body: string;
}

/** What the MAC of a file read covers, and the MAC it carries, for vault.ts to check once unlocked. */
export interface Integrity {
  version: number;
  /** Absent in a version 1 file. */
  mac: string | undefined;
  /** The exact text the MAC covers. */
  signed: string;
}

/** Makes the MAC of `signed` under the vault key (vault.ts passes its SecretBox's). */
export type Authenticator = (signed: string) => string;

export interface ReadOutcome<T> {
  document: T | undefined;
  /** Present with `document`. */
  integrity?: Integrity;
  /** Set when the main file was unusable: why, and where it was moved. */
  recovered?: { reason: string; setAsideAs: string; usedBackup: boolean };
}

/**
 * The bytes the MAC covers: format and version too, so that neither can be changed on their own
 * (e.g. a MAC'd body relabelled as another version).
 */
export function signedText(version: number, body: string): string {
  return `${VAULT_FORMAT}\n${version}\n${body}`;
}

export async function writeVaultFile(path: string, document: unknown, authenticate: Authenticator): Promise<void> {
  const body = JSON.stringify(document);
  const envelope: Envelope = {
    format: VAULT_FORMAT,
    version: VAULT_VERSION,
    sha256: sha256(body),
    mac: authenticate(signedText(VAULT_VERSION, body)),
    body,
  };
  try {
    await writeFileAtomic(path, JSON.stringify(envelope));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code ?? 'unknown error';
    throw new KeyringError('storage-failed', `Could not save the vault (${why}); nothing was changed.`, undefined, {
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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new KeyringError('storage-failed', `Could not read the vault (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return { kind: 'damaged', reason: text.length === 0 ? 'empty file' : 'not valid JSON (truncated?)' };
  }
  if (!isEnvelope(envelope)) return { kind: 'damaged', reason: 'not a vault file' };
  if (envelope.version > VAULT_VERSION) {
    // Not damage: a newer app wrote it. Refuse rather than overwrite what we do not understand.
    throw new KeyringError('vault-corrupt', `The vault was written by a newer version (format ${envelope.version}); update the app.`);
  }
  if (sha256(envelope.body) !== envelope.sha256) return { kind: 'damaged', reason: 'checksum mismatch' };
  const integrity: Integrity = { version: envelope.version, mac: envelope.mac, signed: signedText(envelope.version, envelope.body) };
  try {
    return { kind: 'ok', document: parse(JSON.parse(envelope.body)), integrity };
  } catch (error) {
    return { kind: 'damaged', reason: error instanceof Error ? error.message : 'invalid content' };
  }
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.format === VAULT_FORMAT &&
    typeof v.version === 'number' &&
    Number.isInteger(v.version) &&
    v.version >= 1 &&
    typeof v.sha256 === 'string' &&
    (v.mac === undefined || typeof v.mac === 'string') &&
    typeof v.body === 'string'
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
