/**
 * On a real ejabberd 23.01, drift watch subscribes to the key node once in a session, not at every
 * check (the code before sent one subscribe IQ per watched node per check); and the one subscription
 * keeps working: a configuration change made by another client after many checks still reaches the
 * app live. Subscribe IQs counted in the app's own stream log.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DriftReport } from '../../contract/index.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { connect, nextAppEvent, openCore, type App, type OpenCore } from '../support/app.js';
import { freshAccount } from '../support/accounts.js';
import { driverSteps } from '../support/interop/python-driver.js';
import { must } from '../support/must.js';

describe('drift watch on ejabberd subscribes once per session', () => {
  const server = inject('ejabberd');
  let opened: OpenCore;
  let juliet: App;
  const out: string[] = [];

  /** Subscribe requests the app sent (XEP-0060 §6.1.1) for the key node. */
  const subscribes = () => out.filter((line) => line.includes('<subscribe') && line.includes(`node="${NS.pubkey}"`)).length;

  beforeAll(async () => {
    opened = await openCore({ driftWatch: { intervalMs: 3_600_000, settleMs: 150 }, streamLog: { write: (line) => void out.push(line) } });
    const params = await freshAccount('juliet', 'capulet.lit', server);
    await connect(opened.core, params);
    juliet = { ...opened, actor: { params, session: opened.core.session, jid: params.jid } };
  }, 60_000);

  afterAll(async () => {
    await opened?.stop();
  });

  it('five checks after a publish: one subscribe; and a later change by another client is still told live', async () => {
    const key = must(await juliet.core.api.keys.generate({ bits: 2048 }));
    must(await juliet.core.api.keys.publish({ fingerprint: key.fingerprint, access: { model: 'presence' } }));
    for (let i = 0; i < 5; i++) expect(must(await juliet.core.api.drift.check()).severity).toBeUndefined();
    expect(subscribes()).toBe(1);

    const noticed = nextAppEvent(juliet, 'drift:changed', (report: DriftReport) => report.severity === 'alarm', 'the drift alarm', 20_000);
    await driverSteps('slixmpp', { jid: juliet.actor.jid, password: juliet.actor.params.password, server }, [
      { op: 'configure', node: NS.pubkey, fields: { 'pubsub#access_model': 'open' } },
    ]);
    const report = await noticed;
    expect(report.nodes.find((n) => n.node === NS.pubkey)?.findings).toMatchObject([{ code: 'access-widened', current: { model: 'open' } }]);
    expect(subscribes()).toBe(1);
  }, 90_000);
});
