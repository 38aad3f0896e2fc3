/**
 * `npm test`'s stall watch (scripts/stall-watch.mjs): a step that stops making progress is stopped with
 * its whole process tree, detached children included, and the report says how busy each process was; a
 * step that keeps talking, or a progress file that keeps growing, is left to finish.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runWatched } from '../../scripts/stall-watch.mjs';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Whether a process still runs (a zombie waiting for its new parent to reap it does not). */
const running = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

const node = (script: string): [string, string[]] => [process.execPath, ['-e', script]];

describe('the stall watch of npm test', () => {
  it('stops a step spinning in a loop, and the detached child it started, saying which process was busy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-stall-'));
    dirs.push(dir);
    const pidFile = join(dir, 'child.pid');
    // The step starts a detached child in a process group of its own (as ejabberd runs), then spins.
    const [command, args] = node(`
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
      require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
      console.log('started');
      while (true) {}
    `);
    const started = Date.now();
    const result = await runWatched(command, args, { cwd: dir, env: process.env, stallMs: 1_500 });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stall?.quietMs).toBeGreaterThanOrEqual(1_500);
    const childPid = Number(readFileSync(pidFile, 'utf8'));
    await expect.poll(() => running(childPid), { timeout: 2_000 }).toBe(false);
    // The spinning step is named as busy (running, its share of a CPU well above the waiting child's: on a
    // machine busy with other work a spinning loop got 37 %, so no higher bar), the idle child as waiting.
    const [stepLine, childLine] = result.stall?.processes ?? [];
    expect(stepLine).toMatch(/^\d+ R ([2-9]\d|1\d\d)% of a CPU: \S*node -e const { spawn } = require/);
    expect(childLine).toMatch(new RegExp(`^${childPid} S [0-9]% of a CPU: .*setInterval`));
    expect(result.status).toBeNull();
  });

  it('leaves a step alone while it writes output or its progress file grows, however long it runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-stall-'));
    dirs.push(dir);
    const progress = join(dir, 'progress.jsonl');
    // 3 s of work: output every 0.5 s for the first half, then only progress lines, with a stall limit of 1.2 s.
    const [command, args] = node(`
      const fs = require('node:fs');
      let n = 0;
      const timer = setInterval(() => {
        n += 1;
        if (n <= 3) console.log('tick ' + n); else fs.appendFileSync(${JSON.stringify(progress)}, 'line\\n');
        if (n === 6) { clearInterval(timer); process.exitCode = 3; }
      }, 500);
    `);
    const result = await runWatched(command, args, { cwd: dir, env: process.env, stallMs: 1_200, progressFile: progress });
    expect(result).toEqual({ status: 3, stall: undefined });
  });
});
