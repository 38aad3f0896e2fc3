/**
 * Benchmark: the cost of one whole-vault write (vault.ts group commit → vault-file.ts writeVaultFile) with
 * a vault that holds VAULT_BENCH_CONTACTS contacts (default 2,000), each with one real certificate made
 * by main/keys (a few RSA key pairs reused, as in the fetch benchmark). Times VAULT_BENCH_WRITES writes
 * (default 30) one after the other, each a one-contact change as a key fetch makes, and prints per write:
 * wall time, the process's CPU time (process.cpuUsage: all threads, so libuv's file work counts), and
 * how long the write held the event loop before its first await. Then a burst: one update per contact,
 * arriving every VAULT_BENCH_ARRIVAL_MS (default 1) ms, and how many writes it took.
 *
 *   npm run bench:vault
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import type * as AtomicFile from '../../main/vault/atomic-file.js';
import { VAULT_FILE } from '../../main/vault/vault.js';
import { writeVaultFile } from '../../main/vault/vault-file.js';
import { vaultWithContacts } from '../support/vaults.js';
import { makeCertificates, makeKeyPairs } from './support/certs.js';
import { median } from './report.js';

const counter = vi.hoisted(() => ({ writes: 0 }));

// Counts the vault's file writes (the real ones, passed through).
vi.mock('../../main/vault/atomic-file.js', async (importOriginal) => {
  const original = await importOriginal<typeof AtomicFile>();
  return {
    ...original,
    writeFileAtomic: (...args: Parameters<typeof original.writeFileAtomic>) => {
      counter.writes += 1;
      return original.writeFileAtomic(...args);
    },
  };
});

const CONTACTS = Number(process.env.VAULT_BENCH_CONTACTS ?? 2000);
const WRITES = Number(process.env.VAULT_BENCH_WRITES ?? 30);
const ARRIVAL_MS = Number(process.env.VAULT_BENCH_ARRIVAL_MS ?? 1);
const ACCOUNT = 'romeo@montague.lit';

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const fmt = (values: number[]): string =>
  `median ${median(values).toFixed(1)} (min ${Math.min(...values).toFixed(1)}, max ${Math.max(...values).toFixed(1)})`;

it('times whole-vault writes with many contacts holding real certificates', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-vault-bench-'));
  try {
    const jids = Array.from({ length: CONTACTS }, (_, n) => `contact-${n}@capulet.lit`);
    const certificates = await makeCertificates(jids, await makeKeyPairs(4));
    const { vault, store } = await vaultWithContacts(
      dir,
      ACCOUNT,
      certificates.map((c) => ({ jid: c.jid, fingerprint: c.fingerprint, certificate: c.der.toString('base64') })),
    );
    const path = join(dir, VAULT_FILE);
    const size = (await stat(path)).size;
    const touch = (n: number) =>
      store.update(ACCOUNT, jids[n % CONTACTS] ?? '', (stored) => ({
        keys: stored.map((k) => ({ ...k, lastSeen: new Date().toISOString() })),
        result: undefined,
      }));

    // One write at a time (each after the previous one and the vault's pause): what one group commit costs.
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let n = 0; n < WRITES; n++) {
      await new Promise((r) => setTimeout(r, 300)); // idle: written at once, no pause
      const startCpu = process.cpuUsage();
      const start = performance.now();
      await touch(n);
      wall.push(performance.now() - start);
      cpu.push(cpuMs(startCpu));
    }

    // writeVaultFile alone: the held part (before its first await) and the whole.
    const document = vault.document;
    const mac = (): string => 'x';
    const held: number[] = [];
    const fileCpu: number[] = [];
    for (let n = 0; n < WRITES; n++) {
      const startCpu = process.cpuUsage();
      const start = performance.now();
      const written = writeVaultFile(join(dir, 'alone.json'), document, mac);
      held.push(performance.now() - start);
      await written;
      fileCpu.push(cpuMs(startCpu));
    }

    // A burst: one update per contact, arriving steadily, as a bulk fetch makes them.
    await new Promise((r) => setTimeout(r, 300));
    const writesBefore = counter.writes;
    const burstCpu = process.cpuUsage();
    const burstStart = performance.now();
    const pending: Promise<void>[] = [];
    for (let n = 0; n < CONTACTS; n++) {
      pending.push(touch(n));
      await new Promise((r) => setTimeout(r, ARRIVAL_MS));
    }
    const arrivedMs = performance.now() - burstStart;
    await Promise.all(pending);
    const burstWall = performance.now() - burstStart;
    const burstCpuMs = cpuMs(burstCpu);
    const writes = counter.writes - writesBefore;

    console.log(`vault: ${CONTACTS} contacts, file ${(size / 1e6).toFixed(2)} MB, ${WRITES} writes`);
    console.log(`  one update after idle (group commit):   wall ${fmt(wall)} ms, CPU ${fmt(cpu)} ms`);
    console.log(`  writeVaultFile alone: event loop held ${fmt(held)} ms, CPU ${fmt(fileCpu)} ms`);
    console.log(
      `  burst of ${CONTACTS} updates over ${arrivedMs.toFixed(0)} ms: all on disk at ${burstWall.toFixed(0)} ms, ` +
        `CPU ${burstCpuMs.toFixed(0)} ms (incl. the arrivals' timers), ${writes} writes`,
    );
    expect(wall).toHaveLength(WRITES);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
