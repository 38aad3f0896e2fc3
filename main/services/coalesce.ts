/**
 * At most one run per key in flight; the requests that arrive meanwhile fold into a single follow-up
 * run. Within a busy spell (it ends after `calmMs` without a request), the runs for one key start ever
 * further apart: the second at least `spacingMs` after the first, then twice that, and so on up to
 * `maxSpacingMs`. So a single request runs at once, a burst of any size and length costs about
 * log2(its length / spacingMs) + 2 runs, and every caller gets the result of a run that started after
 * it asked: never data older than its request.
 */
export interface FollowUpTiming {
  spacingMs: number;
  maxSpacingMs: number;
  calmMs: number;
}

const IMMEDIATE: FollowUpTiming = { spacingMs: 0, maxSpacingMs: 0, calmMs: 0 };

export class Coalescer<V> {
  readonly #run: (key: string) => Promise<V>;
  readonly #timing: FollowUpTiming;
  readonly #lanes = new Map<string, Lane<V>>();

  constructor(run: (key: string) => Promise<V>, timing: Partial<FollowUpTiming> = {}) {
    this.#run = run;
    this.#timing = { ...IMMEDIATE, ...timing };
  }

  /** Whether a run for `key` is in flight or a follow-up waits for its turn. */
  busy(key: string): boolean {
    const lane = this.#lanes.get(key);
    return lane !== undefined && (lane.running || lane.followUp !== undefined);
  }

  request(key: string): Promise<V> {
    const now = performance.now();
    let lane = this.#lanes.get(key);
    if (lane !== undefined && !this.busy(key) && now - lane.lastRequestAt >= this.#timing.calmMs) {
      this.#lanes.delete(key); // calm again: a new spell starts
      lane = undefined;
    }
    if (lane === undefined) {
      lane = { running: false, draining: false, runs: 0, startedAt: now, lastRequestAt: now };
      this.#lanes.set(key, lane);
      return this.#start(key, lane);
    }
    lane.lastRequestAt = now;
    if (!this.busy(key) && now >= lane.startedAt + this.#gap(lane)) return this.#start(key, lane);
    lane.followUp ??= deferred<V>();
    void this.#drain(key, lane);
    return lane.followUp.promise;
  }

  /** How long after the last run started the next may start. */
  #gap(lane: Lane<V>): number {
    const { spacingMs, maxSpacingMs } = this.#timing;
    return Math.min(Math.max(spacingMs, maxSpacingMs), spacingMs * 2 ** Math.max(0, lane.runs - 1));
  }

  #start(key: string, lane: Lane<V>): Promise<V> {
    lane.running = true;
    lane.runs++;
    lane.startedAt = performance.now();
    // A run that throws synchronously still settles its callers.
    const result = Promise.resolve().then(() => this.#run(key));
    lane.current = result.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      lane.running = false;
    });
    return result;
  }

  /** Runs the waiting follow-up when its turn comes (one loop per lane at a time). */
  async #drain(key: string, lane: Lane<V>): Promise<void> {
    if (lane.draining) return;
    lane.draining = true;
    try {
      while (lane.followUp !== undefined) {
        await lane.current;
        const wait = lane.startedAt + this.#gap(lane) - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        // Requests until this point fold into this run; later ones wait for the next.
        const waiting = lane.followUp;
        lane.followUp = undefined;
        this.#start(key, lane).then(waiting.resolve, waiting.reject);
      }
    } finally {
      lane.draining = false;
    }
  }
}

interface Lane<V> {
  running: boolean;
  draining: boolean;
  /** Runs started in this busy spell. */
  runs: number;
  startedAt: number;
  lastRequestAt: number;
  /** Settles (never rejects) when the current run has ended. */
  current?: Promise<void>;
  followUp?: Deferred<V>;
}

interface Deferred<V> {
  promise: Promise<V>;
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

function deferred<V>(): Deferred<V> {
  let resolve!: (value: V) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<V>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
