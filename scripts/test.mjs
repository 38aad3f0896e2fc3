// `npm test`: everything that must hold before a change lands, in order, on real components:
// lint, type-check, build, unit and integration tests (a real Prosody), end-to-end tests (Debian's
// Chromium against the browser host, and the Electron shell when its binary is present).
// It prints one summary line of test counts at the end and exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
const reports = `${root}test-results/reports`;
mkdirSync(reports, { recursive: true });

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

const failedSteps = [];
for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}`);
  const env = { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: `${reports}/playwright.json` };
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    failedSteps.push(name);
    console.log(`✗ ${name} failed`);
    // Later steps depend on a build; stop at the first failure before the test suites.
    if (!name.includes('tests')) break;
  }
}

const counts = { passed: 0, failed: 0, skipped: 0 };
const skipReasons = new Set();
countVitest(`${reports}/vitest.json`);
countPlaywright(`${reports}/playwright.json`);

console.log('');
for (const reason of skipReasons) console.log(`skipped: ${reason}`);
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
