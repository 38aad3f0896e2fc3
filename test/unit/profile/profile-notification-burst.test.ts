/**
 * A contact's profile notifications fold per contact and node (PROFILE_FOLLOW_UP), as key notifications
 * do: a contact flipping between two avatars their data node holds, with ~300-byte messages (any
 * <message> from their address with a PEP event is read), costs the windows and the vault a handful of
 * whole pictures, not one per message; a single change still shows at once, another node's too, and
 * the last state of a burst always shows in the end.
 */
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import xml from '@xmpp/xml';
import { describe, expect, it, vi } from 'vitest';
import type { ContactProfileView } from '../../../contract/index.js';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { avatarDataPayload, avatarMetadataPayload } from '../../../main/profile/avatar.js';
import { NICK_ITEM_ID, nickPayload } from '../../../main/profile/nickname.js';
import type { FollowUpTiming } from '../../../main/services/coalesce.js';
import { PROFILE_CACHE_BYTES, ProfileService } from '../../../main/services/profile.js';
import { ContactProfilesStore } from '../../../main/vault/stores/contact-profiles-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import type { RawItem } from '../../../main/xmpp/pubsub.js';
import { fakeSession } from '../../support/fake-session.js';
import { unlockedVaults } from '../../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const MERCUTIO = 'mercutio@verona.lit';
const sha1 = (bytes: Buffer): string => createHash('sha1').update(bytes).digest('hex');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A PNG signature and IHDR chunk (256×256), then `bytes` of filler: never decoded. */
function png(seed: number, bytes: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(256, 0);
  ihdr.writeUInt32BE(256, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const head = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), ihdr, Buffer.alloc(4)]);
  return Buffer.concat([head, Buffer.alloc(bytes, seed)]);
}

function metadataItem(image: Buffer): RawItem {
  const payload = avatarMetadataPayload({ id: sha1(image), bytes: image.length, type: 'image/png', width: 256, height: 256 });
  return { id: sha1(image), payload, size: payload.toString().length };
}

/**
 * Mercutio's server: his data node holds both pictures (asked for by id); his metadata node holds
 * `metadata` (none when undefined). Every view sent to the screens and every vault write is counted.
 */
async function mercutio(followUp?: Partial<FollowUpTiming>) {
  const images = [png(1, 190_000), png(2, 190_000)] as const;
  const byId = new Map(images.map((image) => [sha1(image), image]));
  const server: { metadata?: RawItem } = {};
  const session = fakeSession({
    account: ACCOUNT,
    answer: async (request) => {
      await new Promise((resolve) => setImmediate(resolve));
      const items = request.getChild('items');
      if (items?.attrs.node === NS.avatarMetadata) {
        const held = server.metadata;
        return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.avatarMetadata }, ...(held ? [xml('item', { id: held.id }, held.payload)] : [])));
      }
      const id = items?.getChild('item')?.attrs.id as string;
      const image = byId.get(id) ?? Buffer.alloc(0);
      return xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.avatarData }, xml('item', { id }, avatarDataPayload(image))));
    },
  });
  const events = new AppEvents();
  const views: ContactProfileView[] = [];
  events.subscribe((event, payload) => {
    if (event === 'contacts:profile') views.push(payload as ContactProfileView);
  });
  const store = new ContactProfilesStore(await unlockedVaults(await mkdtemp(join(tmpdir(), 'profile-burst-'))), PROFILE_CACHE_BYTES);
  const writes: string[] = [];
  const put = store.put.bind(store);
  store.put = (...args: Parameters<typeof put>) => {
    writes.push(args[2].avatar?.info.id ?? '');
    return put(...args);
  };
  const profiles = new ProfileService({ session, events, log: silentLogger, isKnownContact: () => true, contactProfiles: store, ...(followUp ? { followUp } : {}) });
  const notify = (node: string, items: RawItem[], retracted: string[] = []) => profiles.onNotification({ from: MERCUTIO, node, items, retracted });
  const pictures = () => views.filter((v) => v.avatar?.dataBase64 !== undefined);
  return { images, server, session, views, pictures, writes, store, notify };
}

describe('a contact flipping between two avatars by message', () => {
  it('costs the windows and the vault a handful of pictures for 200 messages, the last one the final state', async () => {
    const { images, views, pictures, writes, store, notify } = await mercutio({ spacingMs: 100, maxSpacingMs: 400, calmMs: 2_000 });
    const MESSAGES = 200;
    for (let i = 0; i < MESSAGES; i++) {
      notify(NS.avatarMetadata, [metadataItem(images[i % 2]!)]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const last = sha1(images[(MESSAGES - 1) % 2]!);
    await vi.waitFor(() => expect(views.at(-1)?.avatar?.info.id).toBe(last), { timeout: 10_000 });
    // Nothing more was waiting.
    await pause(600);
    expect(views.at(-1)?.avatar?.info.id).toBe(last);
    const sentBytes = views.reduce((sum, v) => sum + JSON.stringify(v).length, 0);
    expect(pictures().length, `${(sentBytes / 1e6).toFixed(1)} MB sent to each window for ${MESSAGES} small messages`).toBeLessThanOrEqual(10);
    expect(writes.length).toBeLessThanOrEqual(10);
    // The screens were left with the final picture, and so was the vault.
    expect(pictures().at(-1)?.avatar?.dataBase64).toBe(images[(MESSAGES - 1) % 2]!.toString('base64'));
    expect(writes.at(-1)).toBe(last);
    await vi.waitFor(() => expect(store.get(ACCOUNT, MERCUTIO)?.profile.avatar?.info.id).toBe(last));
  });
});

describe('a contact’s profile notifications, folded', () => {
  it('show a single change at once, another node’s at once during a burst, and the burst’s last picture after it', async () => {
    // The app's own timing: follow-ups at least a second apart.
    const { images, views, pictures, notify } = await mercutio();
    const [first, second] = images;
    const started = performance.now();
    notify(NS.avatarMetadata, [metadataItem(first)]);
    await vi.waitFor(() => expect(pictures()).toHaveLength(1), { timeout: 900, interval: 5 });
    expect(performance.now() - started).toBeLessThan(900);
    expect(pictures()[0]?.avatar?.info.id).toBe(sha1(first));
    // A burst: second, first, second, within the second after the first was handled. It folds.
    notify(NS.avatarMetadata, [metadataItem(second)]);
    notify(NS.avatarMetadata, [metadataItem(first)]);
    notify(NS.avatarMetadata, [metadataItem(second)]);
    // The nickname's node has its own turns: shown at once.
    const nick = nickPayload('Mercutio');
    notify(NS.nick, [{ id: NICK_ITEM_ID, payload: nick, size: nick.toString().length }]);
    await vi.waitFor(() => expect(views.at(-1)?.nickname).toBe('Mercutio'), { timeout: 900, interval: 5 });
    expect(pictures()).toHaveLength(1);
    expect(views.at(-1)?.avatar).toEqual({ info: pictures()[0]?.avatar?.info, sameAsBefore: true });
    // The burst's last state, once its turn came: one picture for three notifications.
    await vi.waitFor(() => expect(pictures()).toHaveLength(2), { timeout: 5_000, interval: 20 });
    expect(pictures()[1]?.avatar?.dataBase64).toBe(second.toString('base64'));
    expect(views.at(-1)?.nickname).toBe('Mercutio');
    await pause(300);
    expect(views.filter((v) => v.refreshed?.includes('avatar'))).toHaveLength(2);
  });

  it('read the node again when a burst ends on a retract: what the node holds then is shown', async () => {
    const { images, server, views, notify } = await mercutio({ spacingMs: 100, maxSpacingMs: 400, calmMs: 2_000 });
    const [first, second] = images;
    notify(NS.avatarMetadata, [metadataItem(first)]);
    await vi.waitFor(() => expect(views).toHaveLength(1));
    // Published and withdrawn within the burst: alone, the retract would name an item never shown.
    notify(NS.avatarMetadata, [metadataItem(second)]);
    notify(NS.avatarMetadata, [], [sha1(second)]);
    server.metadata = undefined;
    await vi.waitFor(() => expect(views).toHaveLength(2), { timeout: 5_000 });
    expect(views[1]?.avatar).toBeUndefined();
    expect(views[1]?.sources.find((s) => s.node === NS.avatarMetadata)?.status).toBe('none');
  });

  it('are neither shown nor kept once another account signed in before their turn', async () => {
    const { images, session, views, writes, notify } = await mercutio({ spacingMs: 100, maxSpacingMs: 400, calmMs: 2_000 });
    const [first, second] = images;
    notify(NS.avatarMetadata, [metadataItem(first)]);
    await vi.waitFor(() => expect(views).toHaveLength(1));
    notify(NS.avatarMetadata, [metadataItem(second)]);
    // Another window signed romeo in: a new stream, another account.
    Object.assign(session.state, { account: 'romeo@montague.lit' });
    session.sessionGeneration++;
    await pause(400);
    expect(views).toHaveLength(1);
    expect(writes).toEqual([sha1(first)]);
  });
});
