/**
 * A contact's profile as ProfileService sends it to the screens, part by part, over a stand-in session
 * that plays juliet's PEP service and counts the requests sent to it: a notification names the part it
 * refreshed (and a part whose item is retracted is sent empty, so the screens drop it; a retract of another
 * item changes nothing), and the picture a screen dropped costs at most one request when main still knows
 * that avatar.
 */
import { createHash } from 'node:crypto';
import xml, { type Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { avatarDataPayload, avatarMetadataPayload } from '../../../main/profile/avatar.js';
import { NICK_ITEM_ID, nickPayload } from '../../../main/profile/nickname.js';
import { VCARD_ITEM_ID, vcard4Payload } from '../../../main/profile/vcard4.js';
import { ProfileService } from '../../../main/services/profile.js';
import type { ContactProfilesStore } from '../../../main/vault/stores/contact-profiles-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import type { RawItem } from '../../../main/xmpp/pubsub.js';
import type { ContactProfileView } from '../../../contract/index.js';
import { stanzaError } from '../../support/fake-pep-service.js';
import { fakeSession } from '../../support/fake-session.js';
import { makePng } from '../../support/images.js';

const ACCOUNT = 'romeo@montague.lit';
const JULIET = 'juliet@capulet.lit';
const sha1 = (bytes: Buffer): string => createHash('sha1').update(bytes).digest('hex');
const rawItem = (id: string, payload: Element): RawItem => ({ id, payload, size: payload.toString().length });

/**
 * Juliet's PEP nodes, item by item; every request the app sends them is counted, by node. `held` lets a
 * test keep an answer back until it says (a slow server, or one answer overtaking another).
 */
function juliet(held: (node: string, ids: string[]) => Promise<void> | undefined = () => undefined) {
  const image = makePng(48, 48);
  const id = sha1(image);
  const nodes = new Map<string, RawItem[]>([
    [NS.vcard4, [rawItem(VCARD_ITEM_ID, vcard4Payload({ fullName: 'Juliet Capulet', emails: [], phones: [], urls: [] }))]],
    [NS.nick, [rawItem(NICK_ITEM_ID, nickPayload('Jules'))]],
    [NS.avatarMetadata, [rawItem(id, avatarMetadataPayload({ id, bytes: image.length, type: 'image/png', width: 48, height: 48 }))]],
    [NS.avatarData, [rawItem(id, avatarDataPayload(image))]],
  ]);
  const requests: string[] = [];
  const session = fakeSession({
    account: ACCOUNT,
    answer: async (request, to) => {
      const asked = request.getChild('items');
      const node = asked?.attrs.node ?? '';
      requests.push(node);
      if (to !== JULIET || asked === undefined) return Promise.reject(new Error(`unexpected request ${request.toString()}`));
      const wanted = asked.getChildren('item').map((i) => i.attrs.id as string);
      await held(node, wanted);
      const items = nodes.get(node);
      if (items === undefined) return Promise.reject(stanzaError('item-not-found', 'cancel'));
      const answered = items.filter((i) => wanted.length === 0 || wanted.includes(i.id));
      return Promise.resolve(xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node }, ...answered.map((i) => xml('item', { id: i.id }, i.payload)))));
    },
  });
  const events = new AppEvents();
  const profiles = new ProfileService({ session, events, log: silentLogger, isKnownContact: (jid) => jid === JULIET });
  return { profiles, events, requests, image, id, nodes };
}

/** Delivers a notification from juliet and waits for the view the service sends the screens. */
async function notify(
  setup: ReturnType<typeof juliet>,
  notification: { node: string; items?: RawItem[]; retracted?: string[] },
): Promise<ContactProfileView> {
  const emitted = new Promise<ContactProfileView>((resolve) => {
    const stop = setup.events.subscribe((event, payload) => {
      if (event === 'contacts:profile') {
        stop();
        resolve(payload as ContactProfileView);
      }
    });
  });
  setup.profiles.onNotification({ from: JULIET, node: notification.node, items: notification.items ?? [], retracted: notification.retracted ?? [] });
  return emitted;
}

describe('a notification names the part of the profile it refreshed', () => {
  it('juliet retracts her nickname: the view sent names the nickname refreshed, and has none', async () => {
    const setup = juliet();
    const fetched = await setup.profiles.fetch(JULIET);
    expect(fetched.nickname).toBe('Jules');
    const retracted = await notify(setup, { node: NS.nick, retracted: [NICK_ITEM_ID] });
    expect(retracted).toMatchObject({ origin: 'notification', updated: [NS.nick], refreshed: ['nickname'] });
    expect(retracted.nickname).toBeUndefined();
    expect(retracted.sources.find((s) => s.node === NS.nick)).toEqual({ node: NS.nick, status: 'none' });
    // The other parts are main's as before; the screens keep their own of those.
    expect(retracted.vcard?.fullName).toBe('Juliet Capulet');
    expect(retracted.avatar?.info.id).toBe(setup.id);
  });

  it('a new nickname, a vCard emptied, an avatar disabled: each names its own part', async () => {
    const setup = juliet();
    await setup.profiles.fetch(JULIET);
    expect((await notify(setup, { node: NS.nick, items: [rawItem(NICK_ITEM_ID, nickPayload('Juliet of Verona'))] })).refreshed).toEqual(['nickname']);
    const noVcard = await notify(setup, { node: NS.vcard4, retracted: [VCARD_ITEM_ID] });
    expect(noVcard.refreshed).toEqual(['vcard']);
    expect(noVcard.vcard).toBeUndefined();
    // XEP-0084 §3.5: an empty <metadata/> says the contact publishes no avatar now.
    const disabled = await notify(setup, { node: NS.avatarMetadata, items: [rawItem('current', xml('metadata', { xmlns: NS.avatarMetadata }))] });
    expect(disabled.refreshed).toEqual(['avatar']);
    expect(disabled.avatar).toBeUndefined();
  });
});

/** Delivers a notification from juliet and gives every view the service sends the screens for it (maybe none). */
async function deliver(setup: ReturnType<typeof juliet>, notification: { node: string; items?: RawItem[]; retracted?: string[] }): Promise<ContactProfileView[]> {
  const sent: ContactProfileView[] = [];
  const stop = setup.events.subscribe((event, payload) => {
    if (event === 'contacts:profile') sent.push(payload as ContactProfileView);
  });
  setup.profiles.onNotification({ from: JULIET, node: notification.node, items: notification.items ?? [], retracted: notification.retracted ?? [] });
  // The service works in the background; the stand-in server answers at once.
  await new Promise((resolve) => setTimeout(resolve, 50));
  stop();
  return sent;
}

describe('a retract clears a part only when it names the item shown (XEP-0060 §7.2.2.1)', () => {
  it('a retract of another nickname item leaves the nickname shown; one of the item shown clears it', async () => {
    const setup = juliet();
    await setup.profiles.fetch(JULIET);
    expect(await deliver(setup, { node: NS.nick, retracted: ['an-older-item'] })).toEqual([]);
    // Main still holds the nickname: the next notification, about another node, carries it.
    const vcard = await notify(setup, { node: NS.vcard4, items: [rawItem(VCARD_ITEM_ID, vcard4Payload({ fullName: 'Juliet', emails: [], phones: [], urls: [] }))] });
    expect(vcard.nickname).toBe('Jules');
    const cleared = await notify(setup, { node: NS.nick, retracted: [NICK_ITEM_ID] });
    expect(cleared.nickname).toBeUndefined();
  });

  it('a retract of an old avatar’s metadata item leaves the current avatar; one of the current avatar clears it', async () => {
    const setup = juliet();
    await setup.profiles.fetch(JULIET);
    const oldAvatar = sha1(makePng(16, 16));
    expect(await deliver(setup, { node: NS.avatarMetadata, retracted: [oldAvatar] })).toEqual([]);
    const nick = await notify(setup, { node: NS.nick, items: [rawItem(NICK_ITEM_ID, nickPayload('Juliet of Verona'))] });
    expect(nick.avatar?.info.id).toBe(setup.id);
    const cleared = await notify(setup, { node: NS.avatarMetadata, retracted: [setup.id] });
    expect(cleared.refreshed).toEqual(['avatar']);
    expect(cleared.avatar).toBeUndefined();
  });

  it('when main does not know which item is shown, the node is read again rather than cleared', async () => {
    const setup = juliet();
    // Nothing of juliet was read before (or it was dropped from the bounded cache): her server still has 'Jules'.
    const [view] = await deliver(setup, { node: NS.nick, retracted: ['an-older-item'] });
    expect(view?.refreshed).toEqual(['nickname']);
    expect(view?.nickname).toBe('Jules');
    expect(setup.requests).toEqual([NS.nick]);
  });
});

describe('the picture a screen dropped', () => {
  it('costs one request when main knows the avatar but not its image: the data item, by id', async () => {
    const setup = juliet();
    const withoutImage = await setup.profiles.fetch(JULIET, { avatarData: false });
    expect(withoutImage.avatar?.dataProblem).toBe('not fetched');
    setup.requests.length = 0;
    const answer = await setup.profiles.fetchAvatar(JULIET, setup.id);
    expect(setup.requests).toEqual([NS.avatarData]);
    expect(answer.refreshed).toEqual(['avatar']);
    expect(answer.avatar?.dataBase64).toBe(setup.image.toString('base64'));
    expect(answer.avatar?.dataProblem).toBeUndefined();
  });

  it('costs no request when main still holds the image (an avatar notification brought it)', async () => {
    const setup = juliet();
    const info = { id: setup.id, bytes: setup.image.length, type: 'image/png' as const, width: 48, height: 48 };
    const metadata = await notify(setup, { node: NS.avatarMetadata, items: [rawItem(setup.id, avatarMetadataPayload(info))] });
    expect(metadata.avatar?.dataBase64).toBeDefined();
    setup.requests.length = 0;
    const answer = await setup.profiles.fetchAvatar(JULIET, setup.id);
    expect(setup.requests).toEqual([]);
    expect(answer.avatar?.dataBase64).toBe(setup.image.toString('base64'));
  });

  it('that comes after a newer avatar was announced does not put the older one back', async () => {
    let release = (): void => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const first = makePng(48, 48);
    const setup = juliet((node, ids) => (node === NS.avatarData && ids.includes(sha1(first)) ? slow : undefined));
    await setup.profiles.fetch(JULIET, { avatarData: false });
    // The screen asks for the picture of the avatar it holds; juliet's server is slow to give it.
    const answer = setup.profiles.fetchAvatar(JULIET, setup.id);
    // Meanwhile juliet publishes another avatar, and main hears of it.
    const newer = makePng(64, 64);
    const newerId = sha1(newer);
    setup.nodes.set(NS.avatarData, [rawItem(newerId, avatarDataPayload(newer))]);
    const info = { id: newerId, bytes: newer.length, type: 'image/png' as const, width: 64, height: 64 };
    const announced = await notify(setup, { node: NS.avatarMetadata, items: [rawItem(newerId, avatarMetadataPayload(info))] });
    expect(announced.avatar?.info.id).toBe(newerId);
    // The old picture arrives last: it answers what was asked, and main keeps the newer avatar.
    release();
    expect((await answer).avatar?.info.id).toBe(setup.id);
    const later = await notify(setup, { node: NS.nick, items: [rawItem(NICK_ITEM_ID, nickPayload('Juliet of Verona'))] });
    expect(later.avatar?.info.id).toBe(newerId);
  });

  it('is a whole fetch when main does not know that avatar (another id, or the contact not kept)', async () => {
    const setup = juliet();
    const answer = await setup.profiles.fetchAvatar(JULIET, 'f'.repeat(40));
    expect(answer.refreshed).toBeUndefined();
    expect(answer.nickname).toBe('Jules');
    expect(new Set(setup.requests)).toEqual(new Set([NS.vcard4, NS.nick, NS.avatarMetadata, NS.profile, NS.avatarData]));
  });
});

describe("the account's own notifications", () => {
  it('are not a contact’s profile: nothing is sent to the contacts’ screens, read or kept', async () => {
    const setup = juliet();
    const kept: string[] = [];
    // The two calls the service makes of the vault's store, recording what it would keep.
    const store: Pick<ContactProfilesStore, 'get' | 'put'> = { get: () => undefined, put: (_account, jid) => (kept.push(jid), Promise.resolve()) };
    const session = fakeSession({ account: ACCOUNT, answer: () => Promise.reject(new Error('nothing is asked')) });
    const profiles = new ProfileService({ session, events: setup.events, log: silentLogger, contactProfiles: store as ContactProfilesStore, isKnownContact: (jid) => jid === JULIET });
    const sent: unknown[] = [];
    setup.events.subscribe((event, payload) => event === 'contacts:profile' && sent.push(payload));
    // Its own server stamps the bare JID; the case of a JID does not matter (RFC 7622 §3.2, §3.3).
    profiles.onNotification({ from: 'Romeo@Montague.lit', node: NS.nick, items: [rawItem(NICK_ITEM_ID, nickPayload('Romeo'))], retracted: [] });
    profiles.onNotification({ from: ACCOUNT, node: NS.vcard4, items: [], retracted: [] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toEqual([]);
    expect(kept).toEqual([]);
    // A contact's notification, the same way, is sent and kept: the test would see it.
    profiles.onNotification({ from: JULIET, node: NS.nick, items: [rawItem(NICK_ITEM_ID, nickPayload('Jules'))], retracted: [] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toHaveLength(1);
    expect(kept).toEqual([JULIET]);
  });
});
