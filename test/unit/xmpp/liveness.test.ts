/**
 * XEP-0199 liveness (main/xmpp/liveness.ts): a quiet stream is pinged, any answer keeps it, silence
 * past the limit declares it lost; anything the server says postpones the ping. A request that timed
 * out while the server said nothing since it went out pings at once, one ping for any number of them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeyringError } from '../../../main/errors.js';
import { watchLiveness } from '../../../main/xmpp/liveness.js';

const times = { quietMs: 60_000, answerMs: 10_000 };

function setup(answer: () => Promise<unknown>) {
  let inbound: () => void = () => undefined;
  let unanswered: (sentAt: number) => void = () => undefined;
  const pings: string[] = [];
  const dead: KeyringError[] = [];
  const liveness = watchLiveness({
    times,
    onInbound: (listener) => {
      inbound = listener;
      return () => (inbound = () => undefined);
    },
    onUnanswered: (listener) => {
      unanswered = listener;
      return () => (unanswered = () => undefined);
    },
    ping: (element, timeout) => {
      pings.push(`${element.attrs.xmlns as string} ${timeout}`);
      return answer();
    },
    dead: (cause) => dead.push(cause),
  });
  return { liveness, pings, dead, inbound: () => inbound(), unanswered: (sentAt: number) => unanswered(sentAt) };
}

/** A ping nobody answers: it fails as xmpp.js's caller would, after the limit. */
const noAnswer = (): Promise<unknown> =>
  new Promise((_resolve, reject) => setTimeout(() => reject(Object.assign(new Error('no answer'), { name: 'TimeoutError' })), times.answerMs));

describe('liveness ping', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pings after a quiet period and, with no answer within the limit, declares the stream lost (timeout)', async () => {
    const { liveness, pings, dead } = setup(
      () => new Promise((_resolve, reject) => setTimeout(() => reject(Object.assign(new Error('no answer'), { name: 'TimeoutError' })), times.answerMs)),
    );
    await vi.advanceTimersByTimeAsync(times.quietMs - 1);
    expect(pings).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(pings).toEqual(['urn:xmpp:ping 10000']);
    await vi.advanceTimersByTimeAsync(times.answerMs);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ code: 'timeout', message: expect.stringMatching(/did not answer a ping within 10 s/) as string });
    liveness.stop();
  });

  it('an answer, even an error answer (§4.2 service-unavailable), keeps the stream and rearms the quiet timer', async () => {
    let calls = 0;
    const { liveness, pings, dead } = setup(() =>
      ++calls === 1 ? Promise.resolve() : Promise.reject(Object.assign(new Error('service-unavailable'), { name: 'StanzaError' })),
    );
    await vi.advanceTimersByTimeAsync(times.quietMs);
    await vi.advanceTimersByTimeAsync(times.quietMs);
    await vi.advanceTimersByTimeAsync(times.quietMs);
    expect(pings).toHaveLength(3);
    expect(dead).toEqual([]);
    liveness.stop();
  });

  it('traffic from the server postpones the ping; stop() leaves no timer', async () => {
    const { liveness, pings, inbound } = setup(() => Promise.resolve());
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(times.quietMs - 1000);
      inbound();
    }
    expect(pings).toEqual([]);
    liveness.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the ping comes a full quiet period after the last word from the server, and thousands of words set no timer each', async () => {
    const { liveness, pings, inbound } = setup(() => Promise.resolve());
    const setTimeoutCalls = vi.spyOn(globalThis, 'setTimeout');
    await vi.advanceTimersByTimeAsync(30_000);
    for (let i = 0; i < 5000; i++) inbound();
    expect(setTimeoutCalls.mock.calls.length).toBeLessThanOrEqual(1);
    await vi.advanceTimersByTimeAsync(times.quietMs - 1);
    expect(pings).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(pings).toHaveLength(1);
    setTimeoutCalls.mockRestore();
    liveness.stop();
  });

  it('checkNow() pings at once (the machine woke up)', async () => {
    const { liveness, pings } = setup(() => Promise.resolve());
    liveness.checkNow();
    expect(pings).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(0);
    liveness.stop();
  });

  it('a request that timed out with the server silent since it went out pings at once: a dead link is lost within the ping\'s wait, not after the quiet minute', async () => {
    const { liveness, pings, dead, unanswered } = setup(noAnswer);
    const sentAt = Date.now();
    await vi.advanceTimersByTimeAsync(5_000);
    unanswered(sentAt);
    expect(pings).toEqual(['urn:xmpp:ping 10000']);
    await vi.advanceTimersByTimeAsync(times.answerMs);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ code: 'timeout', message: expect.stringMatching(/did not answer a ping within 10 s/) as string });
    liveness.stop();
  });

  it('a request the server spoke after is only its addressee\'s silence (a contact\'s hung server): no ping', async () => {
    const { liveness, pings, inbound, unanswered } = setup(() => Promise.resolve());
    const sentAt = Date.now();
    await vi.advanceTimersByTimeAsync(1_000);
    inbound();
    await vi.advanceTimersByTimeAsync(29_000);
    unanswered(sentAt);
    expect(pings).toEqual([]);
    liveness.stop();
  });

  it('requests timing out together cost one ping; a server that answers it stays, and a later unanswered request asks again once', async () => {
    const { liveness, pings, dead, unanswered } = setup(() => new Promise((resolve) => setTimeout(resolve, 50)));
    const sentAt = Date.now();
    await vi.advanceTimersByTimeAsync(30_000);
    for (let i = 0; i < 20; i++) unanswered(sentAt);
    expect(pings).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50);
    // Answered: the same requests, timing out a moment later, prove nothing new.
    for (let i = 0; i < 20; i++) unanswered(sentAt + 10);
    expect(pings).toHaveLength(1);
    // A server that answers pings and nothing else: each round of unanswered requests, one ping; online stays.
    const laterSentAt = Date.now();
    await vi.advanceTimersByTimeAsync(30_000);
    unanswered(laterSentAt);
    unanswered(laterSentAt);
    expect(pings).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(50);
    expect(dead).toEqual([]);
    liveness.stop();
  });

  it('after stop(), an unanswered request pings nobody', async () => {
    const { liveness, pings, unanswered } = setup(() => Promise.resolve());
    const sentAt = Date.now();
    await vi.advanceTimersByTimeAsync(1_000);
    liveness.stop();
    unanswered(sentAt);
    expect(pings).toEqual([]);
  });
});

describe('a request waiting with nothing heard (slowMs)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const slowTimes = { quietMs: 60_000, answerMs: 10_000, slowMs: 5_000 };

  function watch(answer: () => Promise<unknown>) {
    let inbound: () => void = () => undefined;
    let oldest: string | undefined;
    const pings: number[] = [];
    const told: string[] = [];
    const dead: KeyringError[] = [];
    const liveness = watchLiveness({
      times: slowTimes,
      onInbound: (listener) => {
        inbound = listener;
        return () => (inbound = () => undefined);
      },
      onUnanswered: () => () => undefined,
      ping: () => {
        pings.push(Date.now());
        return answer();
      },
      dead: (cause) => dead.push(cause),
      oldestPending: () => oldest,
      silent: (since) => told.push(`silent since ${since}`),
      heard: () => told.push('heard'),
    });
    return { liveness, pings, told, dead, inbound: () => inbound(), waiting: (id: string | undefined) => (oldest = id) };
  }

  it('pings once a request has waited slowMs with the server silent, tells the session a second later, and the server’s next word clears it', async () => {
    const start = Date.now();
    const { liveness, pings, told, inbound, waiting } = watch(() => new Promise(() => undefined));
    waiting('a');
    await vi.advanceTimersByTimeAsync(4_000);
    expect(pings).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(pings).toHaveLength(1);
    expect(told).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(told).toEqual([`silent since ${start}`]);
    inbound();
    expect(told).toEqual([`silent since ${start}`, 'heard']);
    liveness.stop();
  });

  it('a ping answered within a second (the request waits on a contact’s slow server) tells the session nothing', async () => {
    const { liveness, pings, told, waiting } = watch(() => new Promise((resolve) => setTimeout(resolve, 50)));
    waiting('a');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(pings).toHaveLength(1);
    expect(told).toEqual([]);
    liveness.stop();
  });

  it('anything heard while the request waits: no ping; requests answered in turn: none either', async () => {
    const { liveness, pings, inbound, waiting } = watch(() => new Promise(() => undefined));
    waiting('a');
    await vi.advanceTimersByTimeAsync(3_000);
    inbound();
    await vi.advanceTimersByTimeAsync(5_000);
    waiting('b');
    await vi.advanceTimersByTimeAsync(3_000);
    waiting('c');
    await vi.advanceTimersByTimeAsync(3_000);
    waiting(undefined);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pings).toEqual([]);
    liveness.stop();
  });

  it('the ping unanswered: the stream is taken for lost answerMs after it went out', async () => {
    const { liveness, dead, waiting } = watch(noAnswer);
    waiting('a');
    await vi.advanceTimersByTimeAsync(6_250 + times.answerMs);
    expect(dead).toHaveLength(1);
    liveness.stop();
  });
});
