/**
 * Benchmark: what keeping `.bak` costs in one writeFileAtomic of a VAULT_BENCH_MB MB file (default 3, about
 * 2,000–2,500 contacts), written as the vault writes it (pieces, one writev per 1,024), two ways in the
 * same run, interleaved (which goes first alternates), VAULT_BENCH_WRITES times each (default 30):
 * - copy: the backup as atomic-file.ts kept it before: copyFile of the current file, fsync of the copy,
 *   rename over `.bak` (kept here as a copy of that code);
 * - link: the real writeFileAtomic, which makes the current file `.bak` with a hard link.
 * Per write: wall time, the process's CPU (process.cpuUsage: all threads, so libuv's copy and fsync
 * count) and, on Linux, the bytes the process sent to storage (/proc/self/io write_bytes).
 *
 *   npx vitest run --config test/bench/vitest.bench.config.ts test/bench/vault-backup-link.test.ts
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { backupPathOf, writeChunks, writeFileAtomic } from '../../main/vault/atomic-file.js';
import { median } from './report.js';

const MEGABYTES = Number(process.env.VAULT_BENCH_MB ?? 3);
const WRITES = Number(process.env.VAULT_BENCH_WRITES ?? 30);

/** writeFileAtomic as it was, with the backup copied and synced (pieces only: what the vault writes). */
async function writeCopyingBackup(path: string, data: readonly Buffer[]): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await writeChunks(handle, data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await copyBackup(path);
    await rename(tmp, path);
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

async function copyBackup(path: string): Promise<void> {
  const backup = backupPathOf(path);
  const tmp = `${backup}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await copyFile(path, tmp);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const handle = await open(tmp, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, backup);
}

/** Pieces of 20 to 1,200 bytes, about `megabytes` MB in all, as json-chunks.ts hands them over. */
function pieces(megabytes: number): Buffer[] {
  const source = randomBytes(1300).toString('base64');
  const out: Buffer[] = [];
  let size = 0;
  for (let n = 0; size < megabytes * 1e6; n++) {
    const piece = Buffer.from(source.slice(0, 20 + ((n * 7919) % 1180)));
    out.push(piece);
    size += piece.length;
  }
  return out;
}

/** Bytes this process has caused to be sent to storage so far; undefined where /proc is not there. */
async function storageWrites(): Promise<number | undefined> {
  try {
    const match = /^write_bytes: (\d+)$/m.exec(await readFile('/proc/self/io', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface Sample {
  wall: number;
  cpu: number;
  written?: number;
}

async function measure(write: () => Promise<void>): Promise<Sample> {
  const before = await storageWrites();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await write();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const after = await storageWrites();
  const sample: Sample = { wall, cpu: (used.user + used.system) / 1000 };
  if (before !== undefined && after !== undefined) sample.written = after - before;
  return sample;
}

function summary(name: string, samples: readonly Sample[]): string {
  const written = samples.flatMap((s) => (s.written === undefined ? [] : [s.written]));
  const range = (values: number[]) => `${median(values).toFixed(1)} ms (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
  return (
    `  ${name.padEnd(5)} wall ${range(samples.map((s) => s.wall))}, CPU ${range(samples.map((s) => s.cpu))}` +
    (written.length ? `, sent to storage ${(median(written) / 1e6).toFixed(2)} MB` : '') +
    ` (medians of ${samples.length}, min–max)`
  );
}

it('times writeFileAtomic with the backup copied and synced vs linked', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-backup-link-'));
  try {
    const data = pieces(MEGABYTES);
    const size = data.reduce((sum, piece) => sum + piece.length, 0);
    const copyPath = join(dir, 'copy.json');
    const linkPath = join(dir, 'link.json');
    // Both start with a file and a backup, as a vault in use does.
    for (let n = 0; n < 2; n++) {
      await writeCopyingBackup(copyPath, data);
      await writeFileAtomic(linkPath, data);
    }
    const copy: Sample[] = [];
    const link: Sample[] = [];
    for (let n = 0; n < WRITES; n++) {
      const old = async () => copy.push(await measure(() => writeCopyingBackup(copyPath, data)));
      const now = async () => link.push(await measure(() => writeFileAtomic(linkPath, data)));
      if (n % 2 === 0) {
        await old();
        await now();
      } else {
        await now();
        await old();
      }
    }
    console.log(`writeFileAtomic of ${(size / 1e6).toFixed(2)} MB in ${data.length} pieces, in ${dir}: ${WRITES} writes each way, interleaved`);
    console.log(summary('copy', copy));
    console.log(summary('link', link));
    expect((await readFile(backupPathOf(linkPath))).length).toBe(size);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
