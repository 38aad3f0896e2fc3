/**
 * RFC 6121 §2.1.6: a roster push is accepted only from the account itself. Addresses compare without
 * case (RFC 7622 §3.2, §3.3), so a server that writes our address in capitals is still our server,
 * while anyone else is refused.
 */
import { describe, expect, it } from 'vitest';
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { IqCallee } from '@xmpp/iq/callee.js';
import { answerRosterPushes, type RosterPush } from '../../../main/xmpp/roster.js';

type Handler = (context: { stanza: Element; element?: Element }) => unknown;

function pushFrom(from: string | undefined): { answer: unknown; pushes: RosterPush[] } {
  let handler: Handler | undefined;
  const callee = { set: (_ns: string, _name: string, h: Handler) => (handler = h) } as unknown as IqCallee;
  const pushes: RosterPush[] = [];
  answerRosterPushes(callee, () => 'juliet@capulet.lit', (push) => pushes.push(push));
  const query = xml('query', { xmlns: 'jabber:iq:roster' }, xml('item', { jid: 'romeo@montague.lit', subscription: 'both' }));
  const stanza = xml('iq', { type: 'set', id: 'push1', ...(from === undefined ? {} : { from }) }, query);
  const answer = handler?.({ stanza, element: query });
  return { answer, pushes };
}

describe('roster pushes', () => {
  it.each([undefined, 'juliet@capulet.lit', 'Juliet@Capulet.LIT'])('from %s: applied', (from) => {
    const { answer, pushes } = pushFrom(from);
    expect(answer).toEqual({});
    expect(pushes).toHaveLength(1);
  });

  it.each(['mallory@evil.example', 'juliet@capulet.lit.evil.example', 'capulet.lit'])('from %s: refused, nothing applied', (from) => {
    const { answer, pushes } = pushFrom(from);
    expect((answer as Element).getChild('service-unavailable')).toBeDefined();
    expect(pushes).toHaveLength(0);
  });
});
