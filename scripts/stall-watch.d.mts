/** One step of `npm test` run under a stall watch (see stall-watch.mjs). */
export interface WatchedResult {
  /** The step's exit status; null when it was stopped by a signal (as after a stall). */
  status: number | null;
  /** Set when the step made no progress for `stallMs`: how long, and its processes then (pid, state, CPU, command). */
  stall?: { quietMs: number; processes: string[] };
}

export function runWatched(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; stallMs: number; progressFile?: string },
): Promise<WatchedResult>;
