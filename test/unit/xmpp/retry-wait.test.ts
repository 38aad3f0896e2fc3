/**
 * A write answered with a 'wait' error (ejabberd's resource-constraint under load) is sent again a few
 * times after short pauses; any other error is not, and a server that keeps saying wait is given up on.
 */
import { describe, expect, it } from 'vitest';
import type { Element } from '@xmpp/xml';
import { NS } from '../../../main/xmpp/namespaces.js';
import { publishPersistent } from '../../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { retryingWait } from '../../../main/xmpp/retry-wait.js';
import { EJABBERD_FIELDS, fakePep, stanzaError } from '../../support/fake-pep-service.js';

/** Fails with the given errors in turn, then answers 'done'; counts the sends and records the pauses. */
function server(errors: Error[]) {
  const pauses: number[] = [];
  let sends = 0;
  const send = () => {
    const error = errors[sends++];
    return error ? Promise.reject(error) : Promise.resolve('done');
  };
  const sleep = (ms: number) => {
    pauses.push(ms);
    return Promise.resolve();
  };
  return { send, sleep, pauses, sends: () => sends };
}

describe('a write the server answers with wait', () => {
  it('is sent again after 250 ms, then 500 ms, and succeeds when the server recovers', async () => {
    const s = server([stanzaError('resource-constraint', 'wait'), stanzaError('resource-constraint', 'wait')]);
    await expect(retryingWait(s.send, undefined, s.sleep)).resolves.toBe('done');
    expect(s.sends()).toBe(3);
    expect(s.pauses).toEqual([250, 500]);
  });

  it('is given up after three tries, with the server’s own error', async () => {
    const s = server([1, 2, 3, 4].map(() => stanzaError('resource-constraint', 'wait')));
    await expect(retryingWait(s.send, undefined, s.sleep)).rejects.toMatchObject({ condition: 'resource-constraint' });
    expect(s.sends()).toBe(3);
  });

  it('of another type is not sent again', async () => {
    for (const error of [stanzaError('resource-constraint', 'cancel'), stanzaError('conflict', 'cancel', 'precondition-not-met'), new Error('timeout')]) {
      const s = server([error]);
      await expect(retryingWait(s.send, undefined, s.sleep)).rejects.toBe(error);
      expect(s.sends()).toBe(1);
      expect(s.pauses).toEqual([]);
    }
  });
});

it('publishing a key to a server that says wait once is published on the second try', async () => {
  const pep = fakePep({ fields: EJABBERD_FIELDS });
  let refused = 0;
  const set = pep.ctx.iq.set.bind(pep.ctx.iq);
  const iq = {
    ...pep.ctx.iq,
    set: (element: Element, to?: string) => {
      const isPublish = element.is('pubsub', NS.pubsub) && element.getChild('publish') !== undefined;
      if (isPublish && refused++ === 0) return Promise.reject(stanzaError('resource-constraint', 'wait'));
      return set(element, to);
    },
  };
  const outcome = await publishPersistent({ ...pep.ctx, iq }, { node: NS.pubkey, access: { model: 'presence' }, maxItems: 32 }, { id: 'k1', payload: pubkeyPayload(Buffer.from('k1')) });
  expect(outcome.itemId).toBe('k1');
  expect(refused).toBe(2);
  expect(pep.nodes.get(NS.pubkey)?.items).toContain('k1');
});
