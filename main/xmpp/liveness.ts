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
}

export const DEFAULT_LIVENESS: LivenessTimes = { quietMs: 60_000, answerMs: 10_000 };

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
    lastHeard = Date.now();
    arm();
  };
  const unsubscribeInbound = deps.onInbound(() => {
    lastHeard = Date.now();
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
      unsubscribeInbound();
      unsubscribeUnanswered();
    },
  };
}
