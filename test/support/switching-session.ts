/**
 * One session for every account, as the app's (main/xmpp/session.ts), for tests of work begun under one
 * account that may still run once another signs in (main/services/session-mark.ts): a request goes over
 * whichever account's stream is up when it is sent, and fails with 'not-connected' unless one is online
 * once it may go. Each connection opened changes `sessionGeneration`, as AccountSession does.
 * test/support/fake-session.ts is the simpler stand-in for a session that stays one account's.
 */
import type { Element } from '@xmpp/xml';
import type { ConnectionState } from '../../contract/index.js';
import { KeyringError } from '../../main/errors.js';
import type { SessionPort } from '../../main/services/session-port.js';

/** A request as it went out. */
export interface SwitchedRequest {
  method: 'get' | 'set';
  element: Element;
  to: string | undefined;
  timeout: number | undefined;
  /** The account signed in when it was sent: whose server it went to. */
  account: string | undefined;
}

/** What a test does as a request goes out or is answered (switch accounts at that very point). */
export type RequestHook = (method: 'get' | 'set', element: Element) => void;

export interface SwitchingSession {
  port: SessionPort;
  /** Every request, in the order sent (held ones too). */
  sent: SwitchedRequest[];
  /** `onSend` runs as a request goes out, before it is routed; `onAnswer` once its answer (or error) is in. */
  hooks: { onSend?: RequestHook; onAnswer?: RequestHook };
  /** The state the session reports now; a connection begun (connecting, or online from another state or account) is a new stream. */
  set(next: ConnectionState): void;
  /** `account` signed in: the stream up goes away, a new one comes online (a new stream even for the same account). */
  signIn(account: string): void;
  /** Requests sent from now on (only `account`'s, when named) wait until the returned release is called. */
  hold(account?: string): () => void;
}

export function switchingSession(options: {
  initial: ConnectionState;
  /** Plays the network for a request, once it may go and an account is online. */
  answer: (request: SwitchedRequest) => Promise<Element | undefined>;
}): SwitchingSession {
  let state = options.initial;
  // As test/support/fake-session.ts: no stream before any account, the first one already opened.
  let generation = state.account === undefined ? 0 : 1;
  let held: { account: string | undefined; until: Promise<void> } | undefined;
  const sent: SwitchedRequest[] = [];
  const hooks: SwitchingSession['hooks'] = {};
  const route =
    (method: 'get' | 'set'): SessionPort['iq']['get'] =>
    async (element, to, timeout) => {
      hooks.onSend?.(method, element);
      const request: SwitchedRequest = { method, element, to, timeout, account: state.account };
      sent.push(request);
      if (held && (held.account === undefined || held.account === request.account)) await held.until;
      if (state.status !== 'online') throw new KeyringError('not-connected', 'Connect the account first.');
      try {
        return await options.answer(request);
      } finally {
        hooks.onAnswer?.(method, element); // an error is an answer too
      }
    };
  const port: SessionPort = {
    iq: { get: route('get'), set: route('set') },
    get ownJid() {
      if (state.account === undefined) throw new KeyringError('not-connected', 'Connect the account first.');
      return state.account;
    },
    get state() {
      return state;
    },
    get sessionGeneration() {
      return generation;
    },
    send: () => Promise.resolve(),
    requireXep0222Support: () => Promise.resolve(),
  };
  return {
    port,
    sent,
    hooks,
    set: (next) => {
      const opened = next.status === 'connecting' || (next.status === 'online' && (state.status !== 'online' || state.account !== next.account));
      if (opened) generation++;
      state = next;
    },
    signIn: (account) => {
      generation++;
      state = { status: 'online', account };
    },
    hold: (account) => {
      let release = () => {};
      held = { account, until: new Promise<void>((resolve) => (release = resolve)) };
      return () => {
        held = undefined;
        release();
      };
    },
  };
}
