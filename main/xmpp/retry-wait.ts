/**
 * A write the server answered with an error of type 'wait' (RFC 6120 §8.3.2: "retry after waiting",
 * e.g. ejabberd's resource-constraint when it is under load) is sent again a few times, after a short
 * and growing pause: 250 ms, then 500 ms. Every other error, and the last 'wait', goes to the caller
 * as it came. Bounded, so a server that keeps saying wait costs under a second, never a loop.
 */
import { readStanzaError } from './pubsub.js';

export interface WaitRetry {
  /** Tries in all, the first included. */
  tries: number;
  firstPauseMs: number;
}

export const WAIT_RETRY: WaitRetry = { tries: 3, firstPauseMs: 250 };

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function retryingWait<T>(send: () => Promise<T>, retry: WaitRetry = WAIT_RETRY, sleep: (ms: number) => Promise<void> = pause): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= retry.tries || readStanzaError(error)?.type !== 'wait') throw error;
      await sleep(retry.firstPauseMs * 2 ** (attempt - 1));
    }
  }
}
