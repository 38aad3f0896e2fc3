/**
 * Measures how long the event loop was kept busy while some work ran: a 5 ms interval timer marks every
 * turn of the loop, and the longest stretch between two marks is the longest stall. It is measured as the
 * CPU time the event-loop thread used between two ticks (thread-cpu.ts), since wall-clock gaps also grow
 * when this 2-core VM leaves the thread unscheduled; where that cannot be read, as wall time.
 */
import { mainThreadCpuMs } from './thread-cpu.js';

/** The main process must never keep its event loop busy longer than this. */
export const MAX_STALL_MS = 50;
const TICK_MS = 5;

export interface Stall {
  /** The longest the event-loop thread computed between two timer ticks (CPU time, or wall time as fallback). */
  longestMs: number;
  longestWallGapMs: number;
  ticks: number;
}

/** Runs `work` while a 5 ms interval timer records the longest stretch between its ticks. */
export async function stallDuring<T>(work: () => Promise<T>): Promise<{ result: T } & Stall> {
  const clock = mainThreadCpuMs ?? ((): number => performance.now());
  let lastWall = performance.now();
  let lastClock = clock();
  const stall: Stall = { longestMs: 0, longestWallGapMs: 0, ticks: 0 };
  const mark = (): void => {
    const wall = performance.now();
    const now = clock();
    stall.longestWallGapMs = Math.max(stall.longestWallGapMs, wall - lastWall);
    stall.longestMs = Math.max(stall.longestMs, now - lastClock);
    lastWall = wall;
    lastClock = now;
    stall.ticks++;
  };
  const timer = setInterval(mark, TICK_MS);
  try {
    const result = await work();
    mark();
    return { result, ...stall };
  } finally {
    clearInterval(timer);
  }
}

