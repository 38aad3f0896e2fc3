/**
 * Many contacts' items requests at once, pipelined with bounded concurrency, arranged so that a
 * contact's server that is down or hung holds up no one else. Requests to another domain cross
 * server-to-server links (RFC 6120 §13), where one dead or slow server can keep every request to it
 * waiting until the per-request timeout. So:
 * - a domain other than ours gets one request first; only once its server has answered does it get
 *   more lanes. A hung server holds one lane, not all of them;
 * - once a request finds a domain unreachable (remote-server-not-found, remote-server-timeout, or no
 *   answer in time), that domain's other contacts are answered "unreachable" without asking again;
 * - free lanes go to the domains in turn, so a large but slow server does not starve the others.
 * Our own domain is answered by our own server and needs no first answer.
 */
import type { FetchOutcome } from './fetch-items.js';

export interface FetchAcrossServersOptions {
  /** Requests in flight at once, over all domains. */
  concurrency: number;
  /** The account's own domain. */
  ownDomain: string;
  /**
   * Asked before each next request: once true, no further request goes out and the contacts not yet
   * asked are dropped (never settled); the run ends once the requests already in flight have settled.
   * For a background run whose account was signed out meanwhile (services/session-mark.ts).
   */
  stop?: () => boolean;
}

type DomainState = 'untried' | 'probing' | 'open' | { unreachable: string };

interface DomainQueue {
  state: DomainState;
  /** Indexes into the contacts, in the order given. */
  waiting: number[];
}

/**
 * Calls `fetch` for each contact (bare JIDs) and `settled(index, outcome)` as each outcome is known, in
 * completion order. Resolves once every contact has settled (or, after `stop`, every contact asked);
 * rejects if `fetch` or `settled` throws.
 */
export function fetchAcrossServers(
  contacts: readonly string[],
  options: FetchAcrossServersOptions,
  fetch: (contact: string, index: number) => Promise<FetchOutcome>,
  settled: (index: number, outcome: FetchOutcome) => void,
): Promise<void> {
  const domains = new Map<string, DomainQueue>();
  contacts.forEach((contact, index) => {
    const domain = domainOf(contact);
    let queue = domains.get(domain);
    if (!queue) {
      queue = { state: domain === options.ownDomain ? 'open' : 'untried', waiting: [] };
      domains.set(domain, queue);
    }
    queue.waiting.push(index);
  });
  const order = [...domains.values()];
  const lanes = Math.max(1, options.concurrency);
  let remaining = contacts.length;
  let inFlight = 0;
  let turn = 0;

  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      failed = true;
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const settle = (index: number, outcome: FetchOutcome) => {
      settled(index, outcome);
      remaining -= 1;
    };

    /** The next domain, in turn, with a contact that can be asked now. */
    const nextAskable = (): DomainQueue | undefined => {
      for (let i = 0; i < order.length; i++) {
        const queue = order[(turn + i) % order.length] as DomainQueue;
        if (queue.waiting.length === 0 || queue.state === 'probing' || typeof queue.state === 'object') continue;
        turn = (turn + i + 1) % order.length;
        return queue;
      }
      return undefined;
    };

    const pump = () => {
      if (failed) return;
      try {
        if (options.stop?.()) {
          // Nobody wants the rest any more: not asked, not settled; only the answers in flight remain.
          for (const queue of order) remaining -= queue.waiting.splice(0).length;
        }
        for (const queue of order) {
          const state = queue.state;
          if (typeof state !== 'object') continue;
          // Its server already proved unreachable in this round: say so without asking again.
          for (const index of queue.waiting.splice(0)) settle(index, { status: 'unreachable', detail: `not asked: ${state.unreachable}` });
        }
        for (let queue = inFlight < lanes ? nextAskable() : undefined; queue; queue = inFlight < lanes ? nextAskable() : undefined) {
          const asked = queue;
          const index = asked.waiting.shift() as number;
          if (asked.state === 'untried') asked.state = 'probing';
          inFlight += 1;
          fetch(contacts[index] as string, index).then((outcome) => {
            inFlight -= 1;
            if (outcome.status === 'unreachable') asked.state = { unreachable: outcome.detail };
            else if (asked.state === 'probing') asked.state = 'open';
            // An answer: the next request goes out first, and travels while this one is handled
            // (`settled` checks a certificate, ~0.5 ms). An unreachable server is settled first, so that
            // its other contacts, told without asking, come after it.
            const askFirst = outcome.status !== 'unreachable';
            if (askFirst) pump();
            try {
              settle(index, outcome);
            } catch (error) {
              fail(error);
              return;
            }
            if (askFirst) {
              if (remaining === 0 && !failed) resolve();
            } else pump();
          }, fail);
        }
      } catch (error) {
        fail(error);
        return;
      }
      if (remaining === 0) resolve();
    };
    pump();
  });
}

function domainOf(bareJid: string): string {
  return bareJid.slice(bareJid.indexOf('@') + 1);
}
