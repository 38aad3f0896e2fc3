/**
 * Is the stream still alive? A server that vanished without closing the TCP connection (a machine
 * that went to sleep, a dropped network, a hung server) looks exactly like a quiet one. XEP-0199 §4.2
 * (client-to-server ping): after a quiet period the client pings its server; an answer of any kind
 * (a result or an error, §4.2 and §7) proves the stream alive, no answer within the limit means it is
 * gone. Anything the server sends counts as a sign of life and postpones the next ping.
 *
 * A request that went unanswered is a reason to ask at once rather than at the end of the quiet
 * period, but only when the server has said nothing at all since that request went out: then every
 * request may be timing out on a dead link while the app still says online. If the server spoke since,
 * the stream is alive and only that request's addressee was silent (a contact's hung server), so no
 * ping. One ping at a time; its answer counts as hearing from the server, so the requests that timed
 * out together cost one ping, not one each. A server that answers pings but nothing else stays online:
 * the stream is alive, and each request says for itself that it was not answered.
 *
 * A request need not time out (30 s) to raise the question: when the oldest request still waiting has
 * waited `slowMs` with nothing at all heard from the server since, the server is pinged at once, and
 * if it still says nothing a moment later the session is told (`silent`), so the window says "Not
 * answering" rather than "Online" while the ping decides (a hung server: 35–70 s of "Online" before).
 * The first word from the server clears it (`heard`). One clock read per check, none per request.
 */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { KeyringError } from '../errors.js';
import { NS } from './namespaces.js';

export interface LivenessTimes {
  /** Ping after this long without a word from the server. */
  quietMs: number;
  /** The stream is taken for gone when the ping is not answered within this long. */
  answerMs: number;
  /** Ping when a request has waited this long with nothing heard since (absent: only on a timeout). */
  slowMs?: number;
}

export const DEFAULT_LIVENESS: LivenessTimes = { quietMs: 60_000, answerMs: 10_000, slowMs: 5_000 };

/**
 * How long a ping sent because of a slow request may go unanswered before the window is told the
 * server is not answering: a live server answers within milliseconds, and a contact's slow server (the
 * request that waited may have gone there) should not make the header flicker.
 */
const SHOW_SILENT_AFTER_MS = 1_000;

export interface LivenessDeps {
  times: LivenessTimes;
  /** Subscribes to everything the server sends; returns the unsubscribe. */
  onInbound(listener: () => void): () => void;
  /** Subscribes to requests that got no answer in time (`sentAt`: when each went out, Date.now()); returns the unsubscribe. */
  onUnanswered(listener: (sentAt: number) => void): () => void;
  /** Sends the ping (an IQ get to our server) and settles with its answer or failure. */
  ping(element: Element, timeoutMs: number): Promise<unknown>;
  /** The stream did not answer: leave it. */
  dead(cause: KeyringError): void;
  /** The id of the oldest request still waiting (iq-requests.ts oldestPending); with `slowMs`. */
  oldestPending?(): string | undefined;
  /** Nothing heard from the server since `since` (Date.now()), a request waiting; a ping is out. */
  silent?(since: number): void;
  /** The server spoke again after `silent`. */
  heard?(): void;
}

export interface Liveness {
  /** Pings now (the network or the machine came back): the answer decides. */
  checkNow(): void;
  stop(): void;
}

export function watchLiveness(deps: LivenessDeps): Liveness {
  const { times } = deps;
  let stopped = false;
  let quiet: NodeJS.Timeout | undefined;
  let pinging = false;
  /** When the server last said anything (Date.now()). */
  let lastHeard = Date.now();

  const arm = (delay = times.quietMs): void => {
    clearTimeout(quiet);
    if (!stopped) quiet = setTimeout(due, delay);
  };
  /**
   * The quiet timer is set once per quiet period, not again for every element the server sends (a
   * bulk fetch receives thousands a second): when it fires, whatever was heard since postpones the
   * ping by the rest of the period. A clock set back counts as heard just now.
   */
  const due = (): void => {
    const quietFor = Date.now() - lastHeard;
    if (quietFor < times.quietMs) arm(Math.min(times.quietMs, times.quietMs - quietFor));
    else probe();
  };
  const probe = (): void => {
    if (stopped || pinging) return;
    pinging = true;
    clearTimeout(quiet);
    deps.ping(xml('ping', { xmlns: NS.ping }), times.answerMs).then(
      () => answered(),
      (error: unknown) => {
        // A StanzaError is an answer (§4.2: a server without ping support answers service-unavailable).
        if (error instanceof Error && error.name === 'StanzaError') return answered();
        pinging = false;
        if (stopped) return;
        const seconds = Math.round(times.answerMs / 1000);
        deps.dead(new KeyringError('timeout', `The server did not answer a ping within ${seconds} s; the connection is taken for lost.`, undefined, { cause: error }));
      },
    );
  };
  const answered = (): void => {
    pinging = false;
    hear();
    arm();
  };
  /** The oldest waiting request, as first seen first in line. */
  let watched: { id: string; since: number } | undefined;
  /** Since when nothing was heard while a request waited (a ping out about it); undefined: not so. */
  let silentSince: number | undefined;
  /** Whether the session was told (`silent`), so that it is told when the server speaks again. */
  let toldSilent = false;
  let showSilent: NodeJS.Timeout | undefined;
  const hear = (): void => {
    lastHeard = Date.now();
    if (silentSince === undefined) return;
    silentSince = undefined;
    clearTimeout(showSilent);
    if (toldSilent) {
      toldSilent = false;
      deps.heard?.();
    }
  };
  const checkWaiting = (slowMs: number): void => {
    const id = deps.oldestPending?.();
    if (id === undefined) {
      watched = undefined;
      return;
    }
    const now = Date.now();
    if (watched?.id !== id) {
      watched = { id, since: now };
      return;
    }
    if (silentSince !== undefined || now - watched.since < slowMs || lastHeard > watched.since) return;
    const since = lastHeard;
    silentSince = since;
    showSilent = setTimeout(() => {
      if (silentSince !== since || stopped) return;
      toldSilent = true;
      deps.silent?.(since);
    }, SHOW_SILENT_AFTER_MS);
    probe();
  };
  const slowMs = times.slowMs;
  // A few checks per slowMs: a slow request is seen between slowMs and 1.25 × slowMs after it was.
  const waiting = slowMs !== undefined && deps.oldestPending ? setInterval(() => checkWaiting(slowMs), Math.max(100, slowMs / 4)) : undefined;
  const unsubscribeInbound = deps.onInbound(() => {
    // Per element received (thousands a second in a bulk fetch): a clock read and one comparison.
    if (silentSince === undefined) lastHeard = Date.now();
    else hear();
  });
  // Heard in the same millisecond the request went out counts as not heard since: one ping too many at
  // worst, never one too few.
  const unsubscribeUnanswered = deps.onUnanswered((sentAt) => {
    if (lastHeard <= sentAt) probe();
  });
  arm();
  return {
    checkNow: probe,
    stop() {
      stopped = true;
      clearTimeout(quiet);
      clearTimeout(showSilent);
      clearInterval(waiting);
      unsubscribeInbound();
      unsubscribeUnanswered();
    },
  };
}
