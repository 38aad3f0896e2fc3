/**
 * A profile publish on a full disk (a real full tmpfs under the vault: test/support/small-disk.ts; a
 * PEP service in memory; the model: full-disk-after-server.test.ts). Full before anything goes out,
 * nothing goes out, and the vault's "nothing was changed" is true. Filling while the publish goes out,
 * the answer says the profile is on the server, and drift watch does not take the app's own publish
 * for another app's change (the vault noted the item before it went out). The same for an avatar, whose
 * two items go out one after the other: the picture, then the metadata that announces it.
 */
import type { Element } from '@xmpp/xml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../../contract/index.js';
import type { DriftWatch } from '../../../main/services/drift-watch.js';
import type { ProfileService } from '../../../main/services/profile.js';
import type { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, pepSession } from '../../support/fake-pep-service.js';
import { paint, pngOf } from '../../support/images.js';
import { driftWatchOnPep, ownKeysOnPep, profileOnPep } from '../../support/own-keys-on-pep.js';
import { outcomeOf, smallDiskSuite } from '../../support/small-disk-suite.js';

const small = smallDiskSuite();
const disk = small.disk;

const BEFORE: Profile = { fullName: 'Juliet Capulet', nickname: 'Jules', emails: [], phones: [], urls: [] };
const AFTER: Profile = { fullName: 'Juliet Montague', nickname: 'Jules M.', emails: [], phones: [], urls: [] };
const PRESENCE = { model: 'presence' as const };

describe.skipIf(disk === undefined)(small.title('a profile publish, the disk full'), () => {
  const vaults = small.vaultPerTest();
  let pep: ReturnType<typeof fakePep>;
  let published: PublishedNodesStore;
  let profiles: ProfileService;
  let drift: DriftWatch;

  beforeEach(async () => {
    pep = fakePep({ fields: BASE_FIELDS });
    const device = ownKeysOnPep(vaults(), pep);
    published = device.published;
    profiles = profileOnPep(device);
    drift = driftWatchOnPep(device);
    await profiles.publish(BEFORE, PRESENCE);
  });
  afterEach(() => drift.stop());

  const fullName = () => pep.nodes.get(NS.vcard4)?.payloads.get('current')?.getChild('fn')?.getChildText('text');
  const nickname = () => pep.nodes.get(NS.nick)?.payloads.get('current')?.text();
  const findingsOf = async (node: string) => (await drift.check()).nodes.find((n) => n.node === node)?.findings;

  it('full before it goes out: nothing goes out, and the vault’s words are true', async () => {
    await disk?.fill();
    expect(await outcomeOf(profiles.publish(AFTER, PRESENCE))).toBe('Could not save the vault (the disk is full); nothing was changed.');
    expect(fullName()).toBe('Juliet Capulet');
    expect(nickname()).toBe('Jules');
  });

  it('full, with a change of audience confirmed: the audience stays as it was too', async () => {
    await disk?.fill();
    expect(await outcomeOf(profiles.publish(AFTER, { model: 'open' }, { reconfigure: true }))).toBe('Could not save the vault (the disk is full); nothing was changed.');
    expect(pep.value(NS.vcard4, 'pubsub#access_model')).toBe('presence');
    expect(pep.value(NS.nick, 'pubsub#access_model')).toBe('presence');
    expect(fullName()).toBe('Juliet Capulet');
  });

  it('filling as it goes out: says it is on the server, and drift does not call it another app’s change', async () => {
    // The disk fills once the vault has noted what is going out (the card, then the nickname), before the server answers.
    const noteOutgoing = published.notePublishing.bind(published);
    published.notePublishing = async (account, node, item) => {
      await noteOutgoing(account, node, item);
      if (node === NS.nick) await disk?.fill();
    };
    expect(await outcomeOf(profiles.publish(AFTER, PRESENCE))).toBe(
      'Your profile’s card was published on your server, but the app could not record it (the disk is full). Its nickname was not. ' +
        'Free some space, then publish your profile again: the app then records it.',
    );
    expect(fullName()).toBe('Juliet Montague');
    await disk?.free();
    expect(await findingsOf(NS.vcard4)).toEqual([]);
    expect(await findingsOf(NS.nick)).toEqual([]);
    published.notePublishing = noteOutgoing;
    expect(await outcomeOf(profiles.publish(AFTER, PRESENCE))).toBe('succeeded');
    expect(nickname()).toBe('Jules M.');
    // Recorded now: the old card on the server again is another app's change.
    expect(published.list(pepSession(pep).ownJid)[NS.vcard4]?.publishing).toBeUndefined();
  });
});

/** Two pictures, one colour each: two avatars with ids (SHA-1s) of their own. */
const picture = (rgb: [number, number, number]) => pngOf(64, 64, paint(64, 64, () => rgb));
const RED = picture([200, 30, 30]);
const BLUE = picture([30, 30, 200]);
const GREEN = picture([30, 200, 30]);

describe.skipIf(disk === undefined)(small.title('an avatar publish, the disk full'), () => {
  const vaults = small.vaultPerTest('avatar-vault');
  let pep: ReturnType<typeof fakePep>;
  let published: PublishedNodesStore;
  let profiles: ProfileService;
  let drift: DriftWatch;
  let redId: string;
  let blueId: string;

  beforeEach(async () => {
    // As both real servers do: the new avatar (a new id) pushes the old one out of each node.
    pep = fakePep({ fields: BASE_FIELDS, keepsMaxItems: true });
    const device = ownKeysOnPep(vaults(), pep);
    published = device.published;
    profiles = profileOnPep(device);
    drift = driftWatchOnPep(device);
    redId = (await profiles.setAvatar(RED, PRESENCE)).info.id;
    blueId = (await profiles.previewAvatar(BLUE)).id;
    expect(blueId).not.toBe(redId);
  });
  afterEach(() => drift.stop());

  const onNode = (node: string) => pep.nodes.get(node)?.items;
  /** The avatar contacts are told of: the id the metadata's <info/> names. */
  const announced = () => pep.nodes.get(NS.avatarMetadata)?.payloads.get(onNode(NS.avatarMetadata)?.[0] ?? '')?.getChild('info')?.attrs.id;
  const findingsOf = async (node: string) => (await drift.check()).nodes.find((n) => n.node === node)?.findings;
  /** Fills the disk once the vault has noted `node`'s item as going out; undone by the function returned. */
  const fillAfterNoting = (node: string) => {
    const original = published.notePublishing.bind(published);
    published.notePublishing = async (account, noted, item) => {
      await original(account, noted, item);
      if (noted === node) await disk?.fill();
    };
    return () => (published.notePublishing = original);
  };
  /** Fills the disk just before the vault records `node`'s publish; undone by the function returned. */
  const fillBeforeRecording = (node: string) => {
    const original = published.recordPublish.bind(published);
    published.recordPublish = async (account, recorded, publish) => {
      if (recorded === node) await disk?.fill();
      await original(account, recorded, publish);
    };
    return () => (published.recordPublish = original);
  };
  /** Another client puts `picture` (its item `id`, as the server held it before) back as the data node's only item: not the app's doing. */
  const putBack = (id: string, picture: Element | undefined) => {
    const data = pep.nodes.get(NS.avatarData);
    if (!data || !picture) throw new Error('the fake server lost the node');
    data.items = [id];
    data.payloads.set(id, picture);
  };

  it('full before it goes out: nothing goes out, and the vault’s words are true', async () => {
    await disk?.fill();
    expect(await outcomeOf(profiles.setAvatar(BLUE, PRESENCE))).toBe('Could not save the vault (the disk is full); nothing was changed.');
    expect(onNode(NS.avatarData)).toEqual([redId]);
    expect(announced()).toBe(redId);
  });

  it('full, with a change of audience confirmed: the audience stays as it was too', async () => {
    await disk?.fill();
    expect(await outcomeOf(profiles.setAvatar(BLUE, { model: 'open' }, { reconfigure: true }))).toBe('Could not save the vault (the disk is full); nothing was changed.');
    expect(pep.value(NS.avatarData, 'pubsub#access_model')).toBe('presence');
    expect(pep.value(NS.avatarMetadata, 'pubsub#access_model')).toBe('presence');
  });

  it('filling once the picture is out: says it is on the server but not announced, and drift does not call it another app’s change', async () => {
    // The disk fills once the vault has noted both items, before anything goes out: the picture's record is refused.
    const undo = fillAfterNoting(NS.avatarMetadata);
    expect(await outcomeOf(profiles.setAvatar(BLUE, PRESENCE))).toBe(
      'Your new avatar’s picture was put on your server, but the app could not record it (the disk is full). ' +
        'It was not announced yet: your contacts are still told of your old picture, which it replaced on the server, so those who had not kept a copy see no avatar. Free some space, then publish your avatar again.',
    );
    expect(onNode(NS.avatarData)).toEqual([blueId]);
    expect(announced()).toBe(redId);
    await disk?.free();
    expect(await findingsOf(NS.avatarData)).toEqual([]);
    expect(await findingsOf(NS.avatarMetadata)).toEqual([]);
    undo();
    expect(await outcomeOf(profiles.setAvatar(BLUE, PRESENCE))).toBe('succeeded');
    expect(announced()).toBe(blueId);
    expect(await findingsOf(NS.avatarData)).toEqual([]);
    expect(await findingsOf(NS.avatarMetadata)).toEqual([]);
  });

  it('a note left by a publish the disk kept from being recorded excuses nothing once a later avatar is recorded', async () => {
    const undo = fillAfterNoting(NS.avatarMetadata);
    await outcomeOf(profiles.setAvatar(BLUE, PRESENCE));
    const blueData = pep.nodes.get(NS.avatarData)?.payloads.get(blueId);
    await disk?.free();
    undo();
    const greenId = (await profiles.setAvatar(GREEN, PRESENCE)).info.id;
    expect(onNode(NS.avatarData)).toEqual([greenId]);
    expect(await findingsOf(NS.avatarData)).toEqual([]);
    // Another client puts the blue picture back in place of the green one: that is not the app's doing.
    putBack(blueId, blueData);
    expect((await findingsOf(NS.avatarData))?.map((f) => f.code)).toContain('items-removed');
  });

  it('of two publishes the disk kept from being recorded, only the newer excuses what the node holds', async () => {
    const undoNoting = fillAfterNoting(NS.avatarMetadata);
    await outcomeOf(profiles.setAvatar(BLUE, PRESENCE));
    const blueData = pep.nodes.get(NS.avatarData)?.payloads.get(blueId);
    await disk?.free();
    undoNoting();
    const undoRecording = fillBeforeRecording(NS.avatarData);
    await outcomeOf(profiles.setAvatar(GREEN, PRESENCE));
    await disk?.free();
    undoRecording();
    expect(await findingsOf(NS.avatarData)).toEqual([]);
    putBack(blueId, blueData);
    expect((await findingsOf(NS.avatarData))?.map((f) => f.code)).toContain('items-removed');
  });

  it('filling as the announcement is recorded: says the avatar is published, and drift does not call it another app’s change', async () => {
    const undo = fillBeforeRecording(NS.avatarMetadata);
    expect(await outcomeOf(profiles.setAvatar(BLUE, PRESENCE))).toBe(
      'Your new avatar was published on your server, but the app could not record it (the disk is full). Free some space, then publish it again: the app then records it.',
    );
    expect(announced()).toBe(blueId);
    await disk?.free();
    expect(await findingsOf(NS.avatarData)).toEqual([]);
    expect(await findingsOf(NS.avatarMetadata)).toEqual([]);
    undo();
    expect(await outcomeOf(profiles.setAvatar(BLUE, PRESENCE))).toBe('succeeded');
    // Recorded now: the red avatar announced again would be another app's change.
    expect(published.list(pepSession(pep).ownJid)[NS.avatarMetadata]?.publishing).toBeUndefined();
    expect(published.list(pepSession(pep).ownJid)[NS.avatarMetadata]?.items.map((i) => i.id)).toEqual([blueId]);
  });
});
