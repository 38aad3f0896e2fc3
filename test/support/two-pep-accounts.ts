/**
 * romeo and mercutio on one session (switching-session.ts), each with a PEP service in memory
 * (fake-pep-service.ts): a request goes to the service of the account signed in when it is sent, as
 * AccountSession's `iq` goes over whichever stream is up. romeo is signed in until `signIn(MERCUTIO)`
 * (a new stream: the generation goes up). `hooks.onSupportCheck` runs inside requireXep0222Support, an
 * await every publish, renewal and revocation makes before its first request: a switch there is one
 * no request sees coming. `set` plays a reconnect (the same account on a new stream: the generation goes up).
 */
import type { ConnectionState } from '../../contract/index.js';
import type { SessionPort } from '../../main/services/session-port.js';
import { BASE_FIELDS, fakePep } from './fake-pep-service.js';
import { switchingSession } from './switching-session.js';

export const ROMEO = 'romeo@montague.lit';
export const MERCUTIO = 'mercutio@montague.lit';

export function twoPepAccounts() {
  const romeo = fakePep({ owner: ROMEO, fields: BASE_FIELDS });
  const mercutio = fakePep({ owner: MERCUTIO, fields: BASE_FIELDS });
  const switching = switchingSession({
    initial: { status: 'online', account: ROMEO },
    answer: (request) => {
      const iq = (request.account === MERCUTIO ? mercutio : romeo).ctx.iq;
      return request.method === 'get' ? iq.get(request.element, request.to, request.timeout) : iq.set(request.element, request.to, request.timeout);
    },
  });
  const hooks: { onSupportCheck?: () => void } = {};
  const port = switching.port;
  const session: SessionPort = {
    iq: port.iq,
    get ownJid() {
      return port.ownJid;
    },
    get state() {
      return port.state;
    },
    get sessionGeneration() {
      return port.sessionGeneration;
    },
    send: (stanza) => port.send(stanza),
    requireXep0222Support: () => {
      hooks.onSupportCheck?.();
      return Promise.resolve();
    },
  };
  return {
    romeo,
    mercutio,
    session,
    hooks,
    signIn: (account: string) => switching.signIn(account),
    /** The state the session reports from now on (a reconnect of the same account: connecting, then online). */
    set: (next: ConnectionState) => switching.set(next),
  };
}
