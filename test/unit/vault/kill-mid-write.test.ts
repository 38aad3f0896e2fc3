import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVaultFile } from '../../../main/vault/vault-file.js';
import { transpileModules } from '../../support/transpile.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
let work: string;

// The writer: the real vault-file code, compiled to JS, saving ever-larger counters in a loop and
// announcing each save only after it returned (i.e. was committed).
const WRITER = `
import { createHmac } from 'node:crypto';
import { writeVaultFile } from './main/vault/vault-file.js';
const mac = (signed) => {
  const hmac = createHmac('sha256', 'test key');
  for (const piece of signed) hmac.update(piece);
  return hmac.digest('base64');
};
const [path, start] = process.argv.slice(2);
const padding = 'x'.repeat(6_000_000); // big enough that a kill often lands inside a write
for (let i = Number(start); ; i++) {
  await writeVaultFile(path, { counter: i, padding }, mac);
  process.stdout.write('committed ' + i + '\\n');
}
`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'keyring-killtest-'));
  await transpileModules(repo, ['main/vault/vault-file.ts', 'main/vault/atomic-file.ts', 'main/vault/json-chunks.ts', 'main/vault/deep-freeze.ts', 'main/vault/disk-trouble.ts', 'main/errors.ts'], work);
  await writeFile(join(work, 'writer.mjs'), WRITER);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function runAndKill(path: string, start: number, killAfterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(work, 'writer.mjs'), path, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastCommitted = start - 1;
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString().matchAll(/committed (\d+)/g)) lastCommitted = Number(match[1]);
      timer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(lastCommitted);
      else reject(new Error(`writer ended without being killed: ${stderr}`));
    });
  });
}

describe('a writer killed in the middle of saving', () => {
  it('never leaves a vault that will not open, and never loses a committed save', async () => {
    const path = join(work, 'vault.json');
    let next = 0;
    // Kill times spread over a few write cycles, so some kills land inside a write.
    for (let round = 0; round < 24; round++) {
      const killAfterMs = 2 + ((round * 37) % 120);
      const lastCommitted = await runAndKill(path, next, killAfterMs);
      const { document, recovered } = await readVaultFile(path, (body) => body as { counter: number });
      expect(recovered, 'the main file was damaged by a kill').toBeUndefined();
      // Either the last announced save, or the one after it (finished but killed before announcing).
      expect(document?.counter).toBeGreaterThanOrEqual(lastCommitted);
      expect(document?.counter).toBeLessThanOrEqual(lastCommitted + 1);
      next = (document?.counter ?? 0) + 1;
    }
  }, 60_000);
});
