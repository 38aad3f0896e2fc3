// Runs one step of `npm test` and stops it if it stops making progress, so a wedged run fails in minutes
// with a diagnosis instead of holding CI until its limit. Progress is any output, or a line in the
// progress file (test/support/progress-reporter.ts). On a stall it says which processes were left, how
// busy each was (a spinning loop or a wait that never ends), then stops the whole process tree, servers
// included (ejabberd runs detached, in a process group of its own, so killing vitest's group is not enough).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, stallMs: number, progressFile?: string }} options
 * @returns {Promise<{ status: number | null, stall?: { quietMs: number, processes: string[] } }>}
 */
export function runWatched(command, args, { cwd, env, stallMs, progressFile }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let lastProgress = Date.now();
    child.stdout.on('data', (chunk) => {
      lastProgress = Date.now();
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      lastProgress = Date.now();
      process.stderr.write(chunk);
    });
    let stall;
    const timer = setInterval(() => {
      const quietMs = Date.now() - Math.max(lastProgress, modifiedAt(progressFile));
      if (quietMs < stallMs || stall) return;
      const tree = descendants(child.pid);
      stall = { quietMs, processes: describeBusy(tree) };
      stopTree(child.pid, tree);
    }, Math.min(5_000, stallMs / 4));
    const finish = (status) => {
      clearInterval(timer);
      resolve({ status, stall });
    };
    child.on('close', finish);
    // A process the step left behind may still hold its output open: 'close' would wait for it.
    child.on('exit', (status) => setTimeout(() => finish(status), 5_000).unref());
  });
}

function modifiedAt(file) {
  if (!file) return 0;
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Every process under `root` (by parent, so detached children are found too), `root` first. */
function descendants(root) {
  const parentOf = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) parentOf.set(Number(entry), stat.ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** pid, state, CPU ticks and command of one process, or undefined once it is gone. */
function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command (field 2) is in parentheses and may hold spaces: read the fields after its last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return undefined;
  }
}

function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/[\0\s]+/g, ' ').trim().slice(0, 200);
  } catch {
    return '?';
  }
}

/** Each process with the share of one CPU it used over a second: near 100 % is a loop, near 0 a wait. */
function describeBusy(tree) {
  const before = new Map(tree.map((pid) => [pid, readStat(pid)?.ticks ?? 0]));
  const start = Date.now();
  while (Date.now() - start < 1_000) {
    // A busy wait of one second is fine here: this process has nothing else to do while it measures.
  }
  return tree.map((pid) => {
    const after = readStat(pid);
    if (!after) return `${pid} (gone)`;
    const cpu = Math.round((after.ticks - (before.get(pid) ?? 0)) / ((Date.now() - start) / 1000));
    return `${pid} ${after.state} ${cpu}% of a CPU: ${commandLine(pid)}`;
  });
}

function stopTree(root, tree) {
  const signal = (sig) => {
    for (const pid of tree) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
    try {
      process.kill(-root, sig); // the step's own process group, for anything started since
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  setTimeout(() => signal('SIGKILL'), 10_000).unref();
}
