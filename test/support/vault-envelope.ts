/**
 * The vault file's parts as a test (or an attacker) reads and rewrites them, in any of its layouts
 * (main/vault/vault-file.ts): version 3 is a JSON header line followed by the raw body; versions 1 and 2
 * are one JSON object with the body as a string. Written independently of vault-file.ts on purpose.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

export interface EnvelopeOnDisk {
  format: string;
  version: number;
  sha256: string;
  mac?: string;
  /** The document as JSON text. */
  body: string;
}

export async function readEnvelope(file: string): Promise<EnvelopeOnDisk> {
  const text = await readFile(file, 'utf8');
  const newline = text.indexOf('\n');
  if (newline === -1) return JSON.parse(text) as EnvelopeOnDisk;
  return { ...(JSON.parse(text.slice(0, newline)) as Omit<EnvelopeOnDisk, 'body'>), body: text.slice(newline + 1) };
}

/** Writes `envelope` in the layout of its version (the version decides, as an attacker relabelling it would). */
export async function writeEnvelope(file: string, envelope: EnvelopeOnDisk): Promise<void> {
  if (envelope.version < 3) {
    await writeFile(file, JSON.stringify(envelope));
    return;
  }
  const { body, ...header } = envelope;
  await writeFile(file, `${JSON.stringify(header)}\n${body}`);
}

/** The unkeyed checksum, as anyone can recompute it. */
export const bodySha256 = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex');
