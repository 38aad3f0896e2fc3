/**
 * When the vCard read just before publishing fails for a passing reason (no answer in time,
 * internal-server-error), the publish used to be built on the vCard this app last published (its drift
 * record): another app's newer title and anniversary were overwritten with the stale copy, without a
 * word. That fallback is for ejabberd 23.01 refusing the owner her items under roster access; any other
 * failure now publishes nothing, in words.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import parseXml from '@xmpp/xml/lib/parse.js';
import xml from '@xmpp/xml';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { parseVcard4, VCARD_ITEM_ID, VCARD_NS } from '../../../main/profile/vcard4.js';
import { ownText } from '../../../contract/own-text.js';
import { ProfileService } from '../../../main/services/profile.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { EJABBERD_FIELDS, fakePep, pepSession, stanzaError, type FakeOptions } from '../../support/fake-pep-service.js';
import { unlockedVaults } from '../../support/vaults.js';

const PRESENCE = { model: 'presence' as const };
const OLD = `<vcard xmlns='${VCARD_NS}'><fn><text>Juliet</text></fn><title><text>Heiress</text></title></vcard>`;
const NEWER = `<vcard xmlns='${VCARD_NS}'><fn><text>Juliet</text></fn><title><text>Countess</text></title><anniversary><date>2000-01-01</date></anniversary></vcard>`;

const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

describe('a transient vCard fetch failure just before publishing', () => {
  it('does not write this app’s old copy over another app’s newer card', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-stale-vcard-'));
    dirs.push(dir);
    const options: FakeOptions = { fields: EJABBERD_FIELDS };
    const pep = fakePep(options);
    const published = new PublishedNodesStore(await unlockedVaults(dir));
    const app = new ProfileService({ session: pepSession(pep), events: new AppEvents(), log: silentLogger, isKnownContact: () => false, published });
    // This app publishes (its record holds the old card with title Heiress).
    const oldProfile = parseVcard4(parseXml(OLD), ownText);
    await app.publish({ emails: [], phones: [], urls: [], fullName: 'J' }, PRESENCE);
    await pep.ctx.iq.set(xml('pubsub', { xmlns: NS.pubsub }, xml('publish', { node: NS.vcard4 }, xml('item', { id: VCARD_ITEM_ID }, parseXml(OLD)))));
    await app.publish({ ...oldProfile, nickname: 'Jules' }, PRESENCE, { base: oldProfile });
    expect(published.list('juliet@capulet.lit')[NS.vcard4]?.items.at(-1)?.payload).toContain('Heiress');
    // Later, the phone app publishes a newer card.
    await pep.ctx.iq.set(xml('pubsub', { xmlns: NS.pubsub }, xml('publish', { node: NS.vcard4 }, xml('item', { id: VCARD_ITEM_ID }, parseXml(NEWER)))));
    // The server has a hiccup on the items request.
    options.items = stanzaError('internal-server-error', 'wait');
    await expect(app.publish({ ...oldProfile, nickname: 'Jules', note: 'hi' }, PRESENCE, { base: { ...oldProfile, nickname: 'Jules' } })).rejects.toMatchObject({
      code: 'protocol-error',
      message: 'Your server did not show your profile card just before publishing (internal-server-error), so the app cannot keep what other apps put in it. Nothing was published.',
    });
    const held = pep.nodes.get(NS.vcard4)?.payloads.get(VCARD_ITEM_ID)?.toString() ?? '';
    expect(held).toContain('Countess');
    expect(held).toContain('anniversary');
    // Once the server answers again, the publish keeps the newer card's details.
    delete options.items;
    await app.publish({ ...oldProfile, nickname: 'Jules', note: 'hi' }, PRESENCE, { base: { ...oldProfile, nickname: 'Jules' } });
    const after = pep.nodes.get(NS.vcard4)?.payloads.get(VCARD_ITEM_ID)?.toString() ?? '';
    expect(after).toContain('anniversary');
    expect(after).toContain('hi');
  });
});
