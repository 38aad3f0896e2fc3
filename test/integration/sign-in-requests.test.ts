/**
 * Issue #19: a sign-in makes no round trip a plain client would not. Counted on both real servers from
 * the stream log, for the whole of one sign-in of the app as the window runs it (contacts' keys and
 * other apps' keys read in the background, drift watch, own revocations):
 * - the own key node's items are read once, though two readers need them: the revocations made on
 *   another device, and drift watch's comparison with what the app published;
 * - the roster is fetched once, though the keys fetched at sign-in and other apps' keys both wait for it
 *   (RosterService shares one sync per stream: this guards it, it did not fail before).
 * The second sign-in comes after another device of the account revoked one of the keys: the one read
 * still serves both (the key shows revoked here, drift watch sees the node as it now is). Before, the
 * first sign-in read the node's items twice (§6.5.2 whole, §5.5 ids), the second three times (drift
 * watch's listing missed the withdrawn key and read the items whole again).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConnectParams, DriftReport } from '../../contract/index.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { connect, type OpenCore, openCore, resultValue } from '../support/app.js';
import { befriend, connectActor, type Actor } from '../support/scenario.js';
import { isRosterGet, readsItemsOf, readsWholeItemsOf, SentRequests } from '../support/sent-requests.js';

for (const server of [inject('prosody'), inject('ejabberd')]) {
  describe(`one sign-in's requests, on ${server.kind}`, () => {
    let dataDir: string;
    let juliet: ConnectParams;
    let romeo: Actor;
    let kept: string;
    let revoked: string;

    /** The app on this device (the window's options), signed in with its requests recorded until they settle. */
    async function signIn(): Promise<{ app: OpenCore; sent: SentRequests; drift: DriftReport }> {
      const sent = new SentRequests();
      const app = await openCore({ dataDir, otherKeysAtSignIn: true, fetchKeysAtSignIn: true, streamLog: sent.sink });
      sent.start();
      await connect(app.core, juliet);
      const deadline = Date.now() + 15_000;
      let drift = resultValue(await app.core.api.drift.status());
      while (drift.checkedAt === undefined) {
        if (Date.now() > deadline) throw new Error('drift watch did not check at sign-in');
        await new Promise((r) => setTimeout(r, 50));
        drift = resultValue(await app.core.api.drift.status());
      }
      await sent.quiet(1_000);
      sent.stop();
      return { app, sent, drift };
    }

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'keyring-sign-in-requests-'));
      romeo = await connectActor('romeo', 'montague.lit', server);
      const first = await openCore({ dataDir });
      try {
        const params = await connectActor('juliet', 'capulet.lit', server);
        juliet = params.params;
        await params.session.disconnect();
        await connect(first.core, juliet);
        await befriend({ ...params, session: first.core.session }, romeo, ['Friends']);
        for (const name of ['kept', 'revoked']) {
          const key = resultValue(await first.core.api.keys.generate({ bits: 2048, label: name }));
          resultValue(await first.core.api.keys.publish({ fingerprint: key.fingerprint, access: { model: 'presence' } }));
          if (name === 'kept') kept = key.fingerprint;
          else revoked = key.fingerprint;
        }
      } finally {
        await first.stop();
      }
    }, 60_000);

    afterAll(async () => {
      await romeo?.session.disconnect();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('a sign-in reads the own key node’s items once and fetches the roster once', async () => {
      const { app, sent, drift } = await signIn();
      try {
        expect(sent.count(readsItemsOf(juliet.jid, NS.pubkey)), 'reads of the own key node’s items').toBe(1);
        expect(sent.count(readsWholeItemsOf(juliet.jid, NS.pubkey)), 'of which whole (§6.5.2)').toBe(1);
        expect(sent.count(isRosterGet), 'roster gets').toBe(1);
        // The read still serves drift watch: both keys found, nothing drifted.
        expect(drift.nodes.find((n) => n.node === NS.pubkey)).toMatchObject({ findings: [], current: { items: 2 } });
      } finally {
        await app.stop();
      }
    }, 30_000);

    it('after another device revoked a key: still one read, the key shows revoked here and drift watch sees the node as it is', async () => {
      // The other device: a copy of this one's vault, signed in while this one is closed.
      const otherDir = await mkdtemp(join(tmpdir(), 'keyring-other-device-'));
      await cp(dataDir, otherDir, { recursive: true });
      const other = await openCore({ dataDir: otherDir });
      try {
        await connect(other.core, juliet);
        resultValue(await other.core.api.keys.revoke({ fingerprint: revoked, reason: 'superseded' }));
      } finally {
        await other.stop();
        await rm(otherDir, { recursive: true, force: true });
      }

      const { app, sent, drift } = await signIn();
      try {
        expect(sent.count(readsItemsOf(juliet.jid, NS.pubkey)), 'reads of the own key node’s items').toBe(1);
        expect(sent.count(isRosterGet), 'roster gets').toBe(1);
        const keys = resultValue(await app.core.api.keys.list());
        expect(keys.find((k) => k.fingerprint === revoked)?.revoked).toMatchObject({ reason: 'superseded' });
        expect(keys.find((k) => k.fingerprint === kept)?.revoked).toBeUndefined();
        // The node holds the kept key and the revocation statement, no longer the revoked key: drift
        // watch reads it from the same read, after the revocation was applied here, so the revoked
        // key's item is no longer expected and its removal is not drift (docs/drift.md).
        expect(drift.nodes.find((n) => n.node === NS.pubkey)).toMatchObject({
          current: { items: 2 },
          recorded: { items: 1 },
          findings: [],
        });
      } finally {
        await app.stop();
      }
    }, 60_000);
  });
}
