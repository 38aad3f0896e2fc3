/**
 * A stand-in for the XMPP session, for services under unit test (main/services/session-port.ts):
 * `answer` plays the network for every IQ request, get or set; `sent` collects the other stanzas.
 */
import type { Element } from '@xmpp/xml';
import type { ConnectionStatus } from '../../contract/index.js';
import { KeyringError } from '../../main/errors.js';
import type { SessionPort } from '../../main/services/session-port.js';

export type IqAnswer = (request: Element, to: string | undefined, timeoutMs: number | undefined) => Promise<Element | undefined>;

export interface FakeSession extends SessionPort {
  sent: Element[];
}

export function fakeSession(options: { account?: string; status?: ConnectionStatus; answer?: IqAnswer } = {}): FakeSession {
  const { account, status = account === undefined ? 'offline' : 'online' } = options;
  const answer: IqAnswer = options.answer ?? ((request) => Promise.reject(new Error(`unexpected request ${request.toString()}`)));
  return {
    iq: { get: answer, set: answer },
    get ownJid(): string {
      if (account === undefined) throw new KeyringError('not-connected', 'Connect the account first.');
      return account;
    },
    state: account === undefined ? { status } : { status, account },
    stream: 1,
    sent: [],
    send(stanza) {
      this.sent.push(stanza);
      return Promise.resolve();
    },
    requireXep0222Support: () => Promise.resolve(),
  };
}
