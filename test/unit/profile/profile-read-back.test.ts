/**
 * A profile publish is read back like a key's: the nickname, the vCard and the avatar (data and
 * metadata) must hold what was sent, compared as contacts' readers read them (not as XML text: a server
 * may re-indent or re-prefix what it stores). A server that keeps something else makes the publish fail
 * with 'read-back-mismatch', and nothing is recorded as published. Against a PEP service in memory;
 * test/integration/profile-read-back.test.ts runs it on Prosody and ejabberd.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import xml, { type Element } from '@xmpp/xml';
import { afterEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../../contract/index.js';
import { AppEvents } from '../../../main/events.js';
import { KeyringError } from '../../../main/errors.js';
import { silentLogger } from '../../../main/logger.js';
import { avatarDataPayload } from '../../../main/profile/avatar.js';
import { nickPayload } from '../../../main/profile/nickname.js';
import { VCARD_NS, vcard4Payload } from '../../../main/profile/vcard4.js';
import { ProfileService } from '../../../main/services/profile.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { BASE_FIELDS, EJABBERD_FIELDS, type FakeOptions, fakePep, JULIET, pepSession } from '../../support/fake-pep-service.js';
import { makePng } from '../../support/images.js';
import { unlockedVaults } from '../../support/vaults.js';

const PROFILE: Profile = {
  fullName: 'Juliet Capulet',
  nickname: 'Jules',
  emails: ['juliet@capulet.lit'],
  phones: ['+44 20 7946 0958'],
  urls: ['https://capulet.lit/'],
  organisation: 'House Capulet',
  note: 'Balcony,\nsecond floor',
  address: { street: 'Via Cappello 23', locality: 'Verona', country: 'Italy' },
};

/**
 * The payload as a server may store and echo it: the same content, re-serialized with line breaks and
 * indentation between elements and the namespace on a prefix (what a parser must read as the same).
 */
function reSerialized(payload: Element): Element {
  const rebuild = (element: Element, depth: number): Element => {
    const indent = `\n${'  '.repeat(depth + 1)}`;
    const children = element.children.flatMap((c) => (typeof c === 'string' ? [c] : [indent, rebuild(c, depth + 1)]));
    const hasElements = element.children.some((c) => typeof c !== 'string');
    const { xmlns, ...attrs } = element.attrs;
    return xml(`p:${element.name}`, { ...attrs, ...(xmlns !== undefined ? { 'xmlns:p': xmlns } : {}) }, ...children, ...(hasElements ? [`\n${'  '.repeat(depth)}`] : []));
  };
  // Only the root carries the namespace; every descendant inherits it on the same prefix.
  return rebuild(payload, 0);
}

describe('a profile publish is read back', () => {
  let dir: string;

  async function app(options: FakeOptions) {
    dir = await mkdtemp(join(tmpdir(), 'keyring-profile-read-back-'));
    const pep = fakePep(options);
    const published = new PublishedNodesStore(await unlockedVaults(dir));
    const profiles = new ProfileService({ session: pepSession(pep), events: new AppEvents(), log: silentLogger, published, isKnownContact: () => false });
    return { pep, profiles, published };
  }

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a server that re-indents and re-prefixes what it stores is no mismatch: the profile is published and recorded', async () => {
    const { pep, profiles, published } = await app({ fields: BASE_FIELDS, onPublish: (_id, payload) => reSerialized(payload) });
    await profiles.publish(PROFILE, { model: 'presence' });
    expect(pep.nodes.get(NS.vcard4)?.payloads.get('current')?.toString()).toContain('<p:vcard xmlns:p=');
    expect(published.list(JULIET)[NS.vcard4]?.items.map((i) => i.id)).toEqual(['current']);
    expect(published.list(JULIET)[NS.nick]?.items.map((i) => i.id)).toEqual(['current']);
  });

  it('the server keeps another nickname than the one sent: read-back-mismatch naming both, the nickname not recorded', async () => {
    const onPublish = (_id: string, payload: Element) => (payload.is('nick', NS.nick) ? nickPayload('Romeo’s') : payload);
    const { profiles, published } = await app({ fields: BASE_FIELDS, onPublish });
    const error = await profiles.publish(PROFILE, { model: 'presence' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringError);
    expect(error).toMatchObject({ code: 'read-back-mismatch', field: 'profile' });
    expect((error as KeyringError).message).toContain('“Romeo’s”');
    expect((error as KeyringError).message).toContain('“Jules”');
    expect(published.list(JULIET)[NS.nick]).toBeUndefined();
  });

  it('the server keeps another vCard (one field changed): read-back-mismatch, the vCard not recorded', async () => {
    const onPublish = (_id: string, payload: Element) => (payload.is('vcard', VCARD_NS) ? vcard4Payload({ ...PROFILE, emails: ['someone@else.lit'] }) : payload);
    const { profiles, published } = await app({ fields: BASE_FIELDS, onPublish });
    await expect(profiles.publish(PROFILE, { model: 'presence' })).rejects.toMatchObject({ code: 'read-back-mismatch', field: 'profile' });
    expect(published.list(JULIET)[NS.vcard4]).toBeUndefined();
  });

  it('the server keeps a vCard payload nobody can read: read-back-mismatch', async () => {
    const onPublish = (_id: string, payload: Element) => (payload.is('vcard', VCARD_NS) ? xml('vcard', { xmlns: 'urn:example:other' }) : payload);
    const { profiles } = await app({ fields: BASE_FIELDS, onPublish });
    await expect(profiles.publish(PROFILE, { model: 'presence' })).rejects.toMatchObject({ code: 'read-back-mismatch' });
  });

  it('the avatar data or its metadata kept otherwise than sent: read-back-mismatch, nothing recorded for that node', async () => {
    const picture = makePng(64, 64);
    const otherData = (_id: string, payload: Element) => (payload.is('data', NS.avatarData) ? avatarDataPayload(makePng(32, 32)) : payload);
    const first = await app({ fields: BASE_FIELDS, onPublish: otherData });
    await expect(first.profiles.setAvatar(picture, { model: 'presence' })).rejects.toMatchObject({ code: 'read-back-mismatch', field: 'profile' });
    expect(first.published.list(JULIET)[NS.avatarData]).toBeUndefined();
    expect(first.published.list(JULIET)[NS.avatarMetadata]).toBeUndefined();
    await rm(dir, { recursive: true, force: true });

    const otherType = (_id: string, payload: Element) => {
      if (!payload.is('metadata', NS.avatarMetadata)) return payload;
      const info = payload.getChild('info');
      return xml('metadata', { xmlns: NS.avatarMetadata }, xml('info', { ...info?.attrs, type: 'image/jpeg' }));
    };
    const second = await app({ fields: BASE_FIELDS, onPublish: otherType });
    await expect(second.profiles.setAvatar(picture, { model: 'presence' })).rejects.toMatchObject({ code: 'read-back-mismatch' });
    expect(second.published.list(JULIET)[NS.avatarData]?.items).toHaveLength(1);
    expect(second.published.list(JULIET)[NS.avatarMetadata]).toBeUndefined();
  });

  it('a server that will not show the owner her items (ejabberd, roster access): the publish stands, and says it is unverified', async () => {
    const { profiles, published } = await app({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true });
    const { configs } = await profiles.publish(PROFILE, { model: 'roster', groups: ['Friends'] });
    expect(published.list(JULIET)[NS.vcard4]?.items.map((i) => i.id)).toEqual(['current']);
    // Before, the answer was the same as for items read back and checked.
    expect(configs.map((c) => [c.node, c.deviations.filter((d) => d.code === 'item-unverified').map((d) => d.itemId)])).toEqual([
      [NS.vcard4, ['current']],
      [NS.nick, ['current']],
    ]);
  });

  it('items read back and checked: no such warning', async () => {
    const { profiles } = await app({ fields: BASE_FIELDS });
    const { configs } = await profiles.publish(PROFILE, { model: 'presence' });
    expect(configs.flatMap((c) => c.deviations)).toEqual([]);
  });
});
