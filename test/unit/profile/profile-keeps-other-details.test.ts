/**
 * Publishing the profile keeps what another app of the account put in the vCard that the form does not
 * edit (XEP-0292 §4.1.2: the whole vCard goes out each time), taken from what the server holds just
 * before publishing, and reads it back too. (Found by a UI walk: a new nickname erased the birthday,
 * gender, title, role, chat address, language, structured name and a phone's type=work, while the
 * window said "Everything else stays as published".)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import parseXml from '@xmpp/xml/lib/parse.js';
import xml, { type Element } from '@xmpp/xml';
import type { Profile } from '../../../contract/index.js';
import { AppEvents } from '../../../main/events.js';
import { KeyringError } from '../../../main/errors.js';
import { silentLogger } from '../../../main/logger.js';
import { parseVcard4, VCARD_ITEM_ID, VCARD_NS } from '../../../main/profile/vcard4.js';
import { ownText } from '../../../contract/own-text.js';
import { ProfileService } from '../../../main/services/profile.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { EJABBERD_FIELDS, fakePep, JULIET, pepSession, stanzaError, type FakeOptions } from '../../support/fake-pep-service.js';
import { unlockedVaults } from '../../support/vaults.js';

const PRESENCE = { model: 'presence' as const };
const OTHER_APPS = parseXml(
  `<vcard xmlns='${VCARD_NS}'><fn><text>Juliet Capulet</text></fn><n><surname>Capulet</surname><given>Juliet</given></n>` +
    `<bday><date>1999-07-31</date></bday><gender><sex>F</sex></gender><title><text>Heiress</text></title><role><text>Daughter</text></role>` +
    `<impp><uri>xmpp:juliet@capulet.lit</uri></impp><lang><language-tag>it</language-tag></lang>` +
    `<tel><parameters><type><text>work</text></type></parameters><uri>tel:+39-045-555-0199</uri></tel>` +
    `<email><text>juliet@capulet.lit</text></email><note><text>From my phone app</text></note></vcard>`,
);
const SHOWN: Profile = parseVcard4(OTHER_APPS, ownText);

const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

async function juliet(options: Partial<FakeOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-profile-kept-'));
  dirs.push(dir);
  const pep = fakePep({ fields: EJABBERD_FIELDS, ...options });
  const published = new PublishedNodesStore(await unlockedVaults(dir));
  const app = new ProfileService({ session: pepSession(pep), events: new AppEvents(), log: silentLogger, isKnownContact: () => false, published });
  return { pep, app, published };
}

/** Another app of juliet's publishes its whole vCard, to the node as it is (this app made it, long ago). */
async function otherAppPublishes(pep: Awaited<ReturnType<typeof juliet>>['pep'], vcard: Element, app?: ProfileService) {
  await app?.publish({ emails: [], phones: [], urls: [], fullName: 'J' }, PRESENCE);
  await pep.ctx.iq.set(xml('pubsub', { xmlns: NS.pubsub }, xml('publish', { node: NS.vcard4 }, xml('item', { id: VCARD_ITEM_ID }, vcard))));
}
const heldText = (pep: Awaited<ReturnType<typeof juliet>>['pep']) => pep.nodes.get(NS.vcard4)?.payloads.get(VCARD_ITEM_ID)?.toString() ?? '';

describe('publishing the profile onto another app’s vCard', () => {
  it('a new nickname keeps the birthday, gender, title, role, chat address, language, structured name and the phone’s type', async () => {
    const { pep, app } = await juliet();
    await otherAppPublishes(pep, OTHER_APPS, app);

    const answer = await app.publish({ ...SHOWN, nickname: 'Jules' }, PRESENCE, { base: SHOWN });

    for (const property of OTHER_APPS.getChildElements()) expect(heldText(pep)).toContain(property.toString());
    expect(heldText(pep)).toContain('<nickname><text>Jules</text></nickname>');
    // Read back and found as sent, the kept parts with the rest.
    expect(answer.configs.find((c) => c.node === NS.vcard4)?.deviations.map((d) => d.code)).not.toContain('item-unverified');
  });

  it('the own profile names in words what a publish keeps without showing it', async () => {
    const { pep, app } = await juliet();
    await otherAppPublishes(pep, OTHER_APPS, app);
    expect((await app.own()).otherDetails).toEqual({
      kept: ['structured name (surname, given name)', 'birthday', 'gender', 'job title', 'role', 'chat addresses', 'languages'],
      notKept: [],
    });
  });

  it('keeps what the server holds at the moment of publishing, not what it held when the form was read', async () => {
    const { pep, app } = await juliet();
    await otherAppPublishes(pep, OTHER_APPS, app);
    // The form was read; then the phone app changed the title and added an anniversary.
    const newer = parseXml(OTHER_APPS.toString().replace('Heiress', 'Countess').replace('</vcard>', `<anniversary><date>2000-01-01</date></anniversary></vcard>`));
    await otherAppPublishes(pep, newer);

    await app.publish({ ...SHOWN, nickname: 'Jules' }, PRESENCE, { base: SHOWN });

    expect(heldText(pep)).toContain('<title><text>Countess</text></title>');
    expect(heldText(pep)).toContain('<anniversary><date>2000-01-01</date></anniversary>');
    expect(heldText(pep)).not.toContain('Heiress');
  });

  it('the CLI’s whole profile (no base) keeps them too', async () => {
    const { pep, app } = await juliet();
    await otherAppPublishes(pep, OTHER_APPS, app);
    await app.publish({ ...SHOWN, note: 'Replaced' }, PRESENCE);
    expect(heldText(pep)).toContain('<bday><date>1999-07-31</date></bday>');
    expect(heldText(pep)).toContain('<note><text>Replaced</text></note>');
  });

  it('a server that will not show the owner her vCard: what this app last published there is kept', async () => {
    // ejabberd 23.01 refuses the owner her own items under roster access (docs/servers.md).
    const { pep, app, published } = await juliet({ items: stanzaError('not-authorized', 'auth') });
    const first = await app.publish({ emails: [], phones: [], urls: [], fullName: 'J' }, PRESENCE);
    const config = first.configs.find((c) => c.node === NS.vcard4);
    if (config === undefined) throw new Error('no vCard node');
    // What this app last published there, as its record for drift watch keeps it: the other app's card, kept.
    await published.recordPublish(JULIET, NS.vcard4, { access: PRESENCE, maxItems: 1, config, item: { id: VCARD_ITEM_ID, payload: OTHER_APPS.toString() } });

    await app.publish({ ...SHOWN, nickname: 'Julie' }, PRESENCE, { base: SHOWN });

    expect(heldText(pep)).toContain('<bday><date>1999-07-31</date></bday>');
    expect(heldText(pep)).toContain('<nickname><text>Julie</text></nickname>');
  });

  it('a server that drops the kept parts is caught by the read-back, in words', async () => {
    let drops = false;
    const dropBday = (_id: string, payload: Element) => (drops ? parseXml(payload.toString().replace(/<bday>.*?<\/bday>/, '')) : payload);
    const { pep, app } = await juliet({ onPublish: dropBday });
    await otherAppPublishes(pep, OTHER_APPS, app);
    drops = true;

    const error = await app.publish({ ...SHOWN, nickname: 'Jules' }, PRESENCE, { base: SHOWN }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).code).toBe('read-back-mismatch');
    expect((error as KeyringError).message).toContain('has other details than those kept from your card');
  });
});
