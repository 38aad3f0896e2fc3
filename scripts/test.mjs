// `npm test`: everything that must hold before a change lands, in order, on real components:
// lint, type-check, build, unit and integration tests (a real Prosody), end-to-end tests (Debian's
// Chromium against the browser host, and the Electron shell when its binary is present).
// It prints one summary line of test counts at the end and exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWatched } from './stall-watch.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
const reports = `${root}test-results/reports`;
mkdirSync(reports, { recursive: true });
// Counts come from these files: none may be left from an earlier run.
for (const report of ['vitest.json', 'playwright.json', 'vitest-progress.jsonl']) rmSync(`${reports}/${report}`, { force: true });

// A step with no output for this long has stopped making progress (the slowest test file, the outage
// tests, prints nothing for about two minutes on a quiet machine; CI machines have been 1.4x slower).
const stallMinutes = Number(process.env.KEYRING_TEST_STALL_MINUTES);
const STALL_MS = (Number.isFinite(stallMinutes) && stallMinutes > 0 ? stallMinutes : 8) * 60_000;

const missing = [
  ['prosody', 'prosody'],
  ['prosodyctl', 'prosody'],
  ['/usr/sbin/ejabberdctl', 'ejabberd'],
  ['openssl', 'openssl'],
  // The federation harness runs ejabberd in a mount namespace of its own (test/support/ejabberd.ts).
  ['unshare', 'util-linux'],
  ['setpriv', 'util-linux'],
  [process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', 'chromium'],
].filter(([command]) => spawnSync('sh', ['-c', `command -v "${command}"`]).status !== 0);
if (missing.length > 0) {
  const packages = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
  console.error(`npm test needs: ${packages}. Install with: apt-get install --no-install-recommends ${packages}`);
  console.error('(or run `bash .ci/run`, which installs everything and then runs these tests)');
  process.exit(1);
}

const steps = [
  ['lint', bin('eslint'), ['--max-warnings=0', '.']],
  ['type-check main', bin('tsc'), ['--noEmit', '-p', 'main/tsconfig.json']],
  ['type-check preload', bin('tsc'), ['--noEmit', '-p', 'preload/tsconfig.json']],
  ['type-check tests', bin('tsc'), ['--noEmit', '-p', 'test/tsconfig.json']],
  ['svelte-check renderer', bin('svelte-check'), ['--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings']],
  ['build', bin('electron-vite'), ['build']],
  [
    'unit + integration tests (real Prosody)',
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${reports}/vitest.json`],
  ],
  ['end-to-end tests (Chromium + browser host + Prosody)', bin('playwright'), ['test', '--reporter=list,json']],
];

const vitestProgress = `${reports}/vitest-progress.jsonl`;
const vitestReporter = './test/support/progress-reporter.ts';
const failedSteps = [];
/** Tests counted from the progress of a vitest run that stalled (its JSON report is never written). */
const stalledCounts = { passed: 0, failed: 0, skipped: 0 };
const stallNotes = [];
for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}`);
  const isVitest = command === bin('vitest');
  const env = {
    ...process.env,
    PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/playwright.json`,
    KEYRING_TEST_PROGRESS: vitestProgress,
    ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}),
  };
  const stepArgs = isVitest ? [...args, `--reporter=${vitestReporter}`] : args;
  let result = await runWatched(command, stepArgs, { cwd: root, env, stallMs: STALL_MS, progressFile: isVitest ? vitestProgress : undefined });
  if (result.stall) {
    const stalled = reportStall(name, result.stall, isVitest ? vitestProgress : undefined);
    // vitest: the files that never ended run once more, on their own. A file that stalls again fails the
    // run; one that passes is still named in the summary, since a stall nobody can explain is news.
    if (isVitest) {
      const filters = filtersOf(args);
      const { counts: endedCounts, ended } = readProgress(vitestProgress);
      const unfinished = unfinishedFiles(ended, filters);
      const endedAny = endedCounts.passed + endedCounts.failed + endedCounts.skipped > 0;
      const where = stalled ?? (unfinished?.length === 0 ? 'its shutdown, after every file ended' : endedAny ? 'no file (between two files)' : 'no file (before any file started)');
      const report = `${reports}/vitest.json`;
      if (unfinished?.length === 0) {
        // Every file ended (the test servers' shutdown hung, say): every test ran. Vitest writes its report
        // before that shutdown: counted from it when it is there (never twice), else from the progress file.
        stallNotes.push(`vitest stopped making progress in ${where}; nothing was left to run again`);
        const written = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : undefined;
        if (!written) Object.assign(stalledCounts, endedCounts);
        result = { status: (written ? written.success === false : endedCounts.failed > 0) ? 1 : 0 };
      } else if (unfinished) {
        Object.assign(stalledCounts, endedCounts);
        console.log(`\n▶ ${name}: the ${unfinished.length} files that never ended, run again${stalled ? ` (${stalled} first)` : ''}`);
        rmSync(vitestProgress, { force: true });
        const again = [...stepArgs.filter((arg) => !filters.includes(arg)), ...unfinished];
        result = await runWatched(command, again, { cwd: root, env, stallMs: STALL_MS, progressFile: vitestProgress });
        if (result.stall) {
          reportStall(`${name} (run again)`, result.stall, vitestProgress);
          // Its JSON report is never written: count what ended from the progress file, and the file that
          // stalled twice as a failure.
          const twice = readProgress(vitestProgress).counts;
          for (const key of Object.keys(stalledCounts)) stalledCounts[key] += twice[key];
          stalledCounts.failed += 1;
        }
        stallNotes.push(`vitest stopped making progress in ${where}; the files not ended were run again: ${result.status === 0 && !result.stall ? 'passed' : 'failed'}`);
      } else {
        Object.assign(stalledCounts, endedCounts);
        stalledCounts.failed += 1;
        stallNotes.push(`vitest stopped making progress in ${where}; nothing was run again (vitest could not list the files)`);
      }
    }
  }
  if (result.status !== 0 || result.stall) {
    failedSteps.push(name);
    console.log(`✗ ${name} failed`);
    // Later steps depend on a build; stop at the first failure before the test suites.
    if (!name.includes('tests')) break;
  }
}

const counts = { ...stalledCounts };
const skipReasons = new Set();
countVitest(`${reports}/vitest.json`);
countPlaywright(`${reports}/playwright.json`);

console.log('');
for (const reason of skipReasons) console.log(`skipped: ${reason}`);
for (const note of stallNotes) console.log(note);
if (failedSteps.length > 0) console.log(`failed steps: ${failedSteps.join(', ')}`);
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failedSteps.length > 0 || counts.failed > 0 || counts.passed === 0 ? 1 : 0);

function countVitest(file) {
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  counts.passed += report.numPassedTests ?? 0;
  counts.failed += report.numFailedTests ?? 0;
  counts.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}

function countPlaywright(file) {
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const visit = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        const status = t.status; // expected | unexpected | flaky | skipped
        if (status === 'skipped') {
          counts.skipped += 1;
          for (const a of t.annotations ?? []) if (a.type === 'skip' && a.description) skipReasons.add(a.description);
        } else if (status === 'unexpected') counts.failed += 1;
        else counts.passed += 1;
      }
    }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of report.suites ?? []) visit(suite);
}

/**
 * Says what a stalled step left running; returns the test file vitest was in, if the progress file
 * names one (the file started last and never ended).
 */
function reportStall(name, stall, progressFile) {
  const quiet = stall.quietMs >= 120_000 ? `${Math.round(stall.quietMs / 60_000)} min` : `${Math.round(stall.quietMs / 1000)} s`;
  console.log(`\n✗ ${name}: no progress for ${quiet}; stopped. Its processes then:`);
  for (const line of stall.processes) console.log(`  ${line}`);
  if (!progressFile) return undefined;
  const { running } = readProgress(progressFile);
  for (const { file, since } of running) console.log(`  running: ${file}, for ${Math.round((Date.now() - since) / 1000)} s`);
  return running.at(-1)?.file;
}

/** The file filters of a `vitest run` (its arguments that are not options). */
function filtersOf(args) {
  return args.filter((arg) => arg !== 'run' && !arg.startsWith('-'));
}

/** The progress file read back: the counts of the files that ended, which ended, and which are still running. */
function readProgress(progressFile) {
  const lines = existsSync(progressFile)
    ? readFileSync(progressFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
    : [];
  const ended = new Set(lines.filter((l) => l.event === 'end').map((l) => l.file));
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const l of lines.filter((line) => line.event === 'end')) {
    counts.passed += l.passed;
    counts.failed += l.failed;
    counts.skipped += l.skipped;
  }
  const running = lines.filter((l) => l.event === 'start' && !ended.has(l.file)).map((l) => ({ file: l.file, since: l.at }));
  return { counts, ended, running };
}

/**
 * Every file of a run with these filters that did not end (`ended`): files never started are not in the
 * progress file, so vitest lists them. Undefined when vitest cannot list them.
 */
function unfinishedFiles(ended, filters) {
  const list = spawnSync(bin('vitest'), ['list', ...filters, '--filesOnly', '--json'], { cwd: root, encoding: 'utf8' });
  try {
    const every = JSON.parse(list.stdout).map((entry) => relative(root, entry.file));
    return [...new Set(every)].filter((file) => !ended.has(file));
  } catch {
    console.log(`  vitest could not list the test files: ${list.stderr.trim().split('\n')[0] ?? ''}`);
    return undefined;
  }
}
