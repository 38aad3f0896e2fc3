/**
 * XEP-0199 liveness (main/xmpp/liveness.ts): a quiet stream is pinged, any answer keeps it, silence
 * past the limit declares it lost; anything the server says postpones the ping.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeyringError } from '../../../main/errors.js';
import { watchLiveness } from '../../../main/xmpp/liveness.js';

const times = { quietMs: 60_000, answerMs: 10_000 };

function setup(answer: () => Promise<unknown>) {
  let inbound: () => void = () => undefined;
  const pings: string[] = [];
  const dead: KeyringError[] = [];
  const liveness = watchLiveness({
    times,
    onInbound: (listener) => {
      inbound = listener;
      return () => (inbound = () => undefined);
    },
    ping: (element, timeout) => {
      pings.push(`${element.attrs.xmlns as string} ${timeout}`);
      return answer();
    },
    dead: (cause) => dead.push(cause),
  });
  return { liveness, pings, dead, inbound: () => inbound() };
}

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
});
