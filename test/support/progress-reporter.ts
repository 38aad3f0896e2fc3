/**
 * A vitest reporter for scripts/test.mjs's stall watch: one JSON line per test file as it starts and as it
 * ends (with its counts), appended to the file named by KEYRING_TEST_PROGRESS. If vitest stops making
 * progress, the watch reads this to name the file that was running, and to run again only the files that
 * never ended (with the counts of those that did). Without the variable it does nothing.
 */
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export interface ProgressLine {
  event: 'start' | 'end';
  /** The file, relative to the repository (as `vitest run <file>` takes it). */
  file: string;
  at: number;
  passed?: number;
  failed?: number;
  skipped?: number;
}

export default class ProgressReporter implements Reporter {
  readonly #out = process.env.KEYRING_TEST_PROGRESS;

  onTestModuleStart(module: TestModule): void {
    this.#write({ event: 'start', file: this.#file(module), at: Date.now() });
  }

  onTestModuleEnd(module: TestModule): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') counts.passed += 1;
      else if (state === 'failed') counts.failed += 1;
      else counts.skipped += 1;
    }
    // A file that failed to load has no tests: it counts as one failure, as vitest's own summary does.
    if (module.state() === 'failed' && counts.failed === 0) counts.failed = 1;
    this.#write({ event: 'end', file: this.#file(module), at: Date.now(), ...counts });
  }

  #file(module: TestModule): string {
    return relative(module.project.config.root, module.moduleId);
  }

  #write(line: ProgressLine): void {
    if (this.#out) appendFileSync(this.#out, `${JSON.stringify(line)}\n`);
  }
}
