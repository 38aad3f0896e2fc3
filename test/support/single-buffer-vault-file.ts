/**
 * The vault file as main/vault/vault-file.ts wrote it before it wrote in pieces: one Buffer of the whole
 * document. Kept for the tests that prove the pieces make the same bytes, and for the benchmark that
 * compares both writers in one run.
 */
import { createHash } from 'node:crypto';
import { VAULT_FORMAT, VAULT_VERSION, type Authenticator } from '../../main/vault/vault-file.js';

export function singleBufferVaultFile(document: unknown, mac: Authenticator): Buffer {
  const body = Buffer.from(JSON.stringify(document), 'utf8');
  const header = {
    format: VAULT_FORMAT,
    version: VAULT_VERSION,
    sha256: createHash('sha256').update(body).digest('hex'),
    mac: mac([Buffer.from(`${VAULT_FORMAT}\n${VAULT_VERSION}\n`, 'utf8'), body]),
  };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), body]);
}
