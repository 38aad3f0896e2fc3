/**
 * Contacts' avatars as ProfileService takes them in, over a stand-in session whose avatar-data requests
 * are answered in memory: an image whose header declares more pixels than the app shows never reaches
 * the renderer, and the contact profile cache stays within its byte bound however many contacts publish
 * the largest avatars allowed.
 */
import { createHash } from 'node:crypto';
import xml from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { avatarDataPayload, avatarMetadataPayload, MAX_CONTACT_AVATAR_SIDE } from '../../../main/profile/avatar.js';
import { NICK_ITEM_ID, nickPayload } from '../../../main/profile/nickname.js';
import { PROFILE_CACHE_BYTES, ProfileService } from '../../../main/services/profile.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import type { RawItem } from '../../../main/xmpp/pubsub.js';
import type { ContactProfileView } from '../../../contract/index.js';
import { PROFILE_LIMITS } from '../../../contract/limits.js';
import { fakeSession } from '../../support/fake-session.js';
import { makePng } from '../../support/images.js';

const ACCOUNT = 'romeo@montague.lit';
const sha1 = (bytes: Buffer): string => createHash('sha1').update(bytes).digest('hex');

/** A PNG signature and IHDR chunk declaring width×height, then `bodyBytes` of filler: never decoded. */
function pngDeclaring(width: number, height: number, bodyBytes: number, seed = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const head = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from([0, 0, 0, 13]), Buffer.from('IHDR'), ihdr, Buffer.alloc(4)]);
  const body = Buffer.alloc(bodyBytes, seed & 0xff);
  body.writeUInt32BE(seed, 0); // distinct images, distinct SHA-1 ids
  return Buffer.concat([head, body]);
}

/** A baseline JPEG start: SOI, then an SOF0 segment declaring width×height. */
function jpegDeclaring(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.alloc(64)]);
}

/** Each contact's avatar as its server would hold it; the data node is asked for by item id. */
function avatarsOf(avatarOf: (contact: string) => Buffer) {
  return fakeSession({
    account: ACCOUNT,
    answer: async (request, to = '') => {
      await new Promise((r) => setImmediate(r));
      const items = request.getChild('items');
      if (items?.attrs.node !== NS.avatarData) throw new Error(`unexpected request ${request.toString()}`);
      const image = avatarOf(to);
      return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.avatarData }, xml('item', { id: sha1(image) }, avatarDataPayload(image))));
    },
  });
}

function metadataItem(image: Buffer, width: number, height: number): RawItem {
  const payload = avatarMetadataPayload({ id: sha1(image), bytes: image.length, type: 'image/png', width, height });
  return { id: sha1(image), payload, size: payload.toString().length };
}

/** Delivers a notification from `contact` (the avatar's metadata by default) and waits for the view the service emits. */
async function notifyAvatar(profiles: ProfileService, events: AppEvents, contact: string, item: RawItem, node: string = NS.avatarMetadata): Promise<ContactProfileView> {
  const emitted = new Promise<ContactProfileView>((resolve) => {
    const stop = events.subscribe((event, payload) => {
      if (event === 'contacts:profile' && (payload as ContactProfileView).jid === contact) {
        stop();
        resolve(payload as ContactProfileView);
      }
    });
  });
  profiles.onNotification({ from: contact, node, items: [item], retracted: [] });
  return emitted;
}

function setup(avatarOf: (contact: string) => Buffer): { profiles: ProfileService; events: AppEvents } {
  const events = new AppEvents();
  return { profiles: new ProfileService({ session: avatarsOf(avatarOf), events, log: silentLogger, isKnownContact: () => true }), events };
}

describe('a contact’s avatar whose header declares a huge picture', () => {
  it('is refused before the renderer sees it: a PNG declaring 100000×100000 in a few hundred bytes', async () => {
    const bomb = pngDeclaring(100_000, 100_000, 200);
    const { profiles, events } = setup(() => bomb);
    const view = await notifyAvatar(profiles, events, 'mallory@evil.example', metadataItem(bomb, 64, 64));
    expect(view.avatar?.dataBase64).toBeUndefined();
    expect(view.avatar?.dataProblem).toBe(
      `the image declares 100000×100000 pixels, more than the ${MAX_CONTACT_AVATAR_SIDE}×${MAX_CONTACT_AVATAR_SIDE} the app shows`,
    );
    expect(view.sources.find((s) => s.node === NS.avatarMetadata)?.status).toBe('ok');
  });

  it('is refused as a JPEG too, and one side over the limit is enough', async () => {
    const wide = jpegDeclaring(MAX_CONTACT_AVATAR_SIDE + 1, 16);
    const { profiles, events } = setup(() => wide);
    const view = await notifyAvatar(profiles, events, 'mallory@evil.example', metadataItem(wide, 64, 64));
    expect(view.avatar?.dataBase64).toBeUndefined();
    expect(view.avatar?.dataProblem).toMatch(/^the image declares 4097×16 pixels/);
  });

  it('is shown up to the limit itself, and an ordinary avatar as it is', async () => {
    const atLimit = pngDeclaring(MAX_CONTACT_AVATAR_SIDE, MAX_CONTACT_AVATAR_SIDE, 200);
    const ordinary = makePng(96, 96);
    const images: Record<string, Buffer> = { 'edge@capulet.lit': atLimit, 'juliet@capulet.lit': ordinary };
    const { profiles, events } = setup((jid) => images[jid] ?? Buffer.alloc(0));
    expect((await notifyAvatar(profiles, events, 'edge@capulet.lit', metadataItem(atLimit, 64, 64))).avatar?.dataBase64).toBe(atLimit.toString('base64'));
    expect((await notifyAvatar(profiles, events, 'juliet@capulet.lit', metadataItem(ordinary, 96, 96))).avatar?.dataBase64).toBe(ordinary.toString('base64'));
  });
});

describe('a notification about a contact whose avatar the screens already have', () => {
  it('does not send the image again: a nickname change, then the same avatar announced again', async () => {
    const image = makePng(96, 96);
    const other = makePng(64, 64);
    const { profiles, events } = setup((jid) => (jid === 'mercutio@verona.lit' ? other : image));
    const first = await notifyAvatar(profiles, events, 'juliet@capulet.lit', metadataItem(image, 96, 96));
    expect(first.avatar?.dataBase64).toBe(image.toString('base64'));
    const nick = nickPayload('Jules');
    const afterNick = await notifyAvatar(profiles, events, 'juliet@capulet.lit', { id: NICK_ITEM_ID, payload: nick, size: nick.toString().length }, NS.nick);
    expect(afterNick.nickname).toBe('Jules');
    expect(afterNick.avatar).toEqual({ info: first.avatar?.info, sameAsBefore: true });
    const again = await notifyAvatar(profiles, events, 'juliet@capulet.lit', metadataItem(image, 96, 96));
    expect(again.avatar?.dataBase64).toBeUndefined();
    expect(again.avatar?.sameAsBefore).toBe(true);
    // A new picture is sent.
    const changed = await notifyAvatar(profiles, events, 'mercutio@verona.lit', metadataItem(other, 64, 64));
    expect(changed.avatar?.dataBase64).toBeDefined();
  });
});

describe('the contact profile cache', () => {
  it(`never holds more than ${PROFILE_CACHE_BYTES / 2 ** 20} MiB while 500 contacts publish 1 MiB avatars`, async () => {
    const CONTACTS = 500;
    const jid = (i: number) => `contact-${i}@capulet.lit`;
    const index = (contact: string) => Number(/^contact-(\d+)@/.exec(contact)?.[1]);
    // The largest avatar accepted, different for each contact; made again on each request, not kept.
    const avatarOf = (contact: string) => pngDeclaring(96, 96, PROFILE_LIMITS.contactAvatarBytes - 33, index(contact));
    expect(avatarOf(jid(0)).length).toBe(PROFILE_LIMITS.contactAvatarBytes);
    const { profiles, events } = setup(avatarOf);

    let largest = 0;
    for (let i = 0; i < CONTACTS; i++) {
      const view = await notifyAvatar(profiles, events, jid(i), metadataItem(avatarOf(jid(i)), 96, 96));
      expect(view.avatar?.dataBase64?.length).toBe(Math.ceil(PROFILE_LIMITS.contactAvatarBytes / 3) * 4);
      largest = Math.max(largest, profiles.cacheBytes);
      expect(profiles.cacheBytes).toBeLessThanOrEqual(PROFILE_CACHE_BYTES);
    }
    // The cache was in use (not just empty), and the latest contacts are the ones still held.
    expect(largest).toBeGreaterThan(PROFILE_CACHE_BYTES / 2);
    // A nickname notification shows with the avatar still held for the latest contact; the first one's
    // avatar bytes went, and the view leaves the picture out rather than showing it empty.
    const nick = nickPayload('Tybalt');
    const nickItem: RawItem = { id: NICK_ITEM_ID, payload: nick, size: nick.toString().length };
    expect((await notifyAvatar(profiles, events, jid(CONTACTS - 1), nickItem, NS.nick)).avatar?.sameAsBefore).toBe(true);
    expect((await notifyAvatar(profiles, events, jid(0), nickItem, NS.nick)).avatar).toBeUndefined();
  }, 120_000);
});
