/**
 * Benchmark: one vault write after a one-contact change (what each group commit of a bulk key fetch
 * does), with VAULT_BENCH_CONTACTS contacts (default 2,000) holding real certificates, written two ways
 * in the same run, interleaved (which goes first alternates), VAULT_BENCH_WRITES times (default 30):
 * - before: the single-Buffer writer vault-file.ts had (JSON.stringify of the whole document, one
 *   Buffer, checksum, MAC, joined with the header, writeFileAtomic), kept here as a copy;
 * - pieces: deepFreeze of the new state (as vault.ts does) and the real writeVaultFile (json-chunks.ts:
 *   unchanged contacts' bytes reused; checksum and MAC over the pieces; writev).
 * Per write: CPU (process.cpuUsage, all threads: libuv's file work counts), how long the event loop was
 * held (until writeVaultFile's first await), and what was allocated: V8 heap and Buffers (ArrayBuffer
 * memory), measured as growth after a forced GC; a sample during which V8 collected garbage is left out
 * of the allocation figures (how many were kept is printed).
 * Then json-chunks alone at leaf depths 3 to 5 (how finely parts are kept): time and allocation of
 * serializing after a one-contact change.
 *
 *   npm run bench:vault-turns
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { writeFileAtomic } from '../../main/vault/atomic-file.js';
import { deepFreeze, isDeeplyFrozen } from '../../main/vault/deep-freeze.js';
import { JsonChunks } from '../../main/vault/json-chunks.js';
import type { ContactKeyRecord, VaultDocument } from '../../main/vault/schema.js';
import { writeVaultFile, type Authenticator } from '../../main/vault/vault-file.js';
import { singleBufferVaultFile } from '../support/single-buffer-vault-file.js';
import { vaultWithContacts } from '../support/vaults.js';
import { median } from './report.js';
import { makeCertificates, makeKeyPairs } from './support/certs.js';

const CONTACTS = Number(process.env.VAULT_BENCH_CONTACTS ?? 2000);
const WRITES = Number(process.env.VAULT_BENCH_WRITES ?? 30);
const ACCOUNT = 'romeo@montague.lit';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const mac: Authenticator = (signed) => {
  const hmac = createHmac('sha256', 'bench key');
  for (const piece of signed) hmac.update(piece);
  return hmac.digest('base64');
};

/** vault-file.ts's writeVaultFile before pieces (its write path only; errors are not the point here). */
async function singleBufferWrite(path: string, document: unknown): Promise<void> {
  await writeFileAtomic(path, singleBufferVaultFile(document, mac));
}

/** The next state after one contact's keys changed, copied on write as vault.ts applyParts makes it. */
function withOneContactChanged(document: VaultDocument, jid: string): VaultDocument {
  const account = document.accounts[ACCOUNT];
  if (!account) throw new Error('no account');
  const keys = (account.contacts[jid] ?? []).map((k): ContactKeyRecord => ({ ...k, lastSeen: new Date().toISOString() }));
  return { ...document, accounts: { ...document.accounts, [ACCOUNT]: { ...account, contacts: { ...account.contacts, [jid]: keys } } } };
}

/** Garbage collections seen, by start time (performance.now). */
const collections: number[] = [];
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) collections.push(entry.startTime);
});

interface Sample {
  cpu: number;
  held: number;
  /** Undefined when a GC ran during the sample. */
  heap?: number;
  buffers?: number;
}

async function measure(write: () => Promise<void>): Promise<Sample> {
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const written = write();
  const held = performance.now() - start;
  await written;
  const end = performance.now();
  const used = process.cpuUsage(cpu);
  const after = process.memoryUsage();
  // Let the observer hear of collections during the sample.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const collected = collections.some((t) => t >= start && t <= end);
  const sample: Sample = { cpu: (used.user + used.system) / 1000, held };
  if (!collected) {
    sample.heap = after.heapUsed - memory.heapUsed;
    sample.buffers = after.arrayBuffers - memory.arrayBuffers;
  }
  return sample;
}

function summary(name: string, samples: readonly Sample[]): string {
  const kept = samples.flatMap((s) => (s.heap === undefined || s.buffers === undefined ? [] : [{ heap: s.heap, buffers: s.buffers }]));
  const mb = (bytes: number): string => (bytes / 1e6).toFixed(3);
  return (
    `  ${name.padEnd(8)} CPU ${median(samples.map((s) => s.cpu)).toFixed(1)} ms, event loop held ${median(samples.map((s) => s.held)).toFixed(1)} ms, ` +
    `heap ${kept.length ? mb(median(kept.map((s) => s.heap))) : '?'} MB, Buffers ${kept.length ? mb(median(kept.map((s) => s.buffers))) : '?'} MB ` +
    `(medians of ${samples.length}; allocation from the ${kept.length} without a GC)`
  );
}

it('measures one vault write after a one-contact change, single Buffer vs pieces', async () => {
  observer.observe({ entryTypes: ['gc'] });
  const dir = await mkdtemp(join(tmpdir(), 'keyring-vault-turns-'));
  try {
    const jids = Array.from({ length: CONTACTS }, (_, n) => `contact-${n}@capulet.lit`);
    const certificates = await makeCertificates(jids, await makeKeyPairs(4));
    const { vault } = await vaultWithContacts(
      dir,
      ACCOUNT,
      certificates.map((c) => ({ jid: c.jid, fingerprint: c.fingerprint, certificate: c.der.toString('base64') })),
    );
    let document = vault.document as VaultDocument;
    const size = Buffer.byteLength(JSON.stringify(document));
    const before: Sample[] = [];
    const pieces: Sample[] = [];
    // The pieces' cache starts warm, as in the app (the vault's own writes filled it).
    await writeVaultFile(join(dir, 'pieces.json'), document, mac);
    for (let n = 0; n < WRITES; n++) {
      const next = withOneContactChanged(document, jids[(n * 37) % CONTACTS] ?? '');
      const old = () => measure(() => singleBufferWrite(join(dir, 'before.json'), next));
      const now = () => measure(() => writeVaultFile(join(dir, 'pieces.json'), deepFreeze(next), mac));
      if (n % 2 === 0) {
        before.push(await old());
        pieces.push(await now());
      } else {
        pieces.push(await now());
        before.push(await old());
      }
      document = next;
    }
    console.log(`vault write after a one-contact change: ${CONTACTS} contacts, body ${(size / 1e6).toFixed(2)} MB, ${WRITES} writes each way, interleaved`);
    console.log(summary('before', before));
    console.log(summary('pieces', pieces));

    // How finely to keep parts: json-chunks alone (no freezing, hashing or disk), by leaf depth.
    for (const leafDepth of [3, 4, 5]) {
      const chunks = new JsonChunks({ isImmutable: isDeeplyFrozen, leafDepth });
      chunks.serialize(document);
      const samples: Sample[] = [];
      for (let n = 0; n < WRITES; n++) {
        const next = deepFreeze(withOneContactChanged(document, jids[(n * 53) % CONTACTS] ?? ''));
        samples.push(
          await measure(() => {
            chunks.serialize(next);
            return Promise.resolve();
          }),
        );
        document = next;
      }
      console.log(summary(`depth ${leafDepth}`, samples));
    }
    expect(before).toHaveLength(WRITES);
  } finally {
    observer.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
});
