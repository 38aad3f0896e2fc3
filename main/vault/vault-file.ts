/**
 * The vault's on-disk envelope: a versioned JSON document whose body is covered by a SHA-256 checksum,
 * so truncation or a flipped byte is detected rather than half-read. Reading falls back to the previous
 * good copy (`.bak`, kept by writeFileAtomic) and says so; a damaged file is set aside, never deleted.
 */
import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { KeyringError } from '../errors.js';
import { backupPathOf, writeFileAtomic } from './atomic-file.js';

export const VAULT_FORMAT = 'keyring-for-xmpp/vault';
export const VAULT_VERSION = 1;

interface Envelope {
  format: typeof VAULT_FORMAT;
  version: number;
  sha256: string;
  /** The document as a JSON string, so the checksum covers exact bytes. */
  body: string;
}

export interface ReadOutcome<T> {
  document: T | undefined;
  /** Set when the main file was unusable: why, and where it was moved. */
  recovered?: { reason: string; setAsideAs: string; usedBackup: boolean };
}

export async function writeVaultFile(path: string, document: unknown): Promise<void> {
  const body = JSON.stringify(document);
  const envelope: Envelope = { format: VAULT_FORMAT, version: VAULT_VERSION, sha256: sha256(body), body };
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
 */
export async function readVaultFile<T>(path: string, parse: (body: unknown) => T): Promise<ReadOutcome<T>> {
  const main = await tryRead(path, parse);
  if (main.kind === 'ok') return { document: main.document };
  if (main.kind === 'missing') {
    // A crash between writes can never remove the main file, but a user might: fall back all the same.
    const backup = await tryRead(backupPathOf(path), parse);
    if (backup.kind === 'ok') {
      return { document: backup.document, recovered: { reason: 'the vault file is missing', setAsideAs: '', usedBackup: true } };
    }
    return { document: undefined };
  }
  const setAsideAs = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, setAsideAs);
  const backup = await tryRead(backupPathOf(path), parse);
  if (backup.kind === 'ok') {
    return { document: backup.document, recovered: { reason: main.reason, setAsideAs, usedBackup: true } };
  }
  throw new KeyringError(
    'vault-corrupt',
    `The vault file is damaged (${main.reason}) and no good backup exists. It was kept as ${setAsideAs}.`,
  );
}

type Attempt<T> = { kind: 'ok'; document: T } | { kind: 'missing' } | { kind: 'damaged'; reason: string };

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
  try {
    return { kind: 'ok', document: parse(JSON.parse(envelope.body)) };
  } catch (error) {
    return { kind: 'damaged', reason: error instanceof Error ? error.message : 'invalid content' };
  }
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.format === VAULT_FORMAT && typeof v.version === 'number' && typeof v.sha256 === 'string' && typeof v.body === 'string'
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
