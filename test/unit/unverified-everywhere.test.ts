/**
 * A write whose item the server would not show back (XEP-0060 §6.5.8 refused: ejabberd 23.01 hides
 * roster-access items from their owner) carries 'item-unverified' in main's answer (aad88e6). Every
 * success told of it, in the window and in the terminal, must say so: revoke, renew, a write queued
 * offline that ran at reconnect, the profile and the avatar. Before, only the Publish panel and
 * `keyring keys publish` did, and the rest read exactly like a checked write (review 5, finding 1).
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRequest, EventPayloads, QueuedWrite } from '../../contract/index.js';
import { AppEvents } from '../../main/events.js';
import { ProfileService } from '../../main/services/profile.js';
import { describeRenew, describeRevoke } from '../../main/cli/output.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { silentLogger, type Logger } from '../../main/logger.js';
import { OwnKeys } from '../../main/services/own-keys.js';
import { PublishQueue } from '../../main/services/publish-queue.js';
import type { SessionPort } from '../../main/services/session-port.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { QueueStore } from '../../main/vault/stores/queue-store.js';
import { revocationItemId } from '../../main/xmpp/key-statements.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { queuedOutcomeLine } from '../../renderer/src/lib/queued-action.js';
import { deviationSentences } from '../../renderer/src/lib/publish-report.js';
import { avatarPublishedLine, profilePublishedLine, renewedLine, revokedLine } from '../../renderer/src/lib/wording.js';
import { BASE_FIELDS, EJABBERD_FIELDS, type FakeOptions, fakePep, JULIET, pepSession } from '../support/fake-pep-service.js';
import { makePng } from '../support/images.js';
import { ownKeysOnPep } from '../support/own-keys-on-pep.js';
import { unlockedVaults } from '../support/vaults.js';

/** The full sentence the CLI prints (contract/format.ts describeDeviation); Activity lines carry its first half. */
const FULL = /^warning: the server would not show the item back \(not-authorized[^)]*\), so the app could not check that it holds what was sent$/m;
const ROSTER: AccessRequest = { model: 'roster', groups: ['Friends'] };

let privateKey: KeyObject;
let ours: Buffer;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
  ours = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 });
}, 60_000);

describe('an item the server would not show back is told as unverified on every path', () => {
  let dir: string;
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  async function app(options: FakeOptions, session?: (pep: ReturnType<typeof fakePep>) => SessionPort) {
    dir = await mkdtemp(join(tmpdir(), 'keyring-unverified-'));
    const pep = fakePep(options);
    const vaults = await unlockedVaults(dir);
    const store = new OwnKeysStore(vaults);
    const published = new PublishedNodesStore(vaults);
    const port = session ? session(pep) : pepSession(pep);
    const keys = new OwnKeys({ store, published, session: port });
    const fingerprint = certificateFingerprint(ours);
    await store.add(JULIET, { fingerprint, certificateDer: ours, privateKey });
    return { keys, fingerprint, vaults, port };
  }

  it('revoke: the Activity line and `keyring keys revoke` say the revocation is unverified', async () => {
    const { keys, fingerprint } = await app({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true });
    await keys.publish(fingerprint, ROSTER);
    const answer = await keys.revoke(fingerprint, 'compromised');
    expect(answer.config?.deviations.map((d) => d.code)).toContain('item-unverified');
    // Said right after where the revocation went, before the withdrawal.
    expect(revokedLine(answer)).toMatch(/^Revoked; the revocation was published .*, unverified: the server would not show the item back \(not-authorized[^)]*\), and the key was withdrawn/);
    expect(describeRevoke(answer, fingerprint)).toMatch(FULL);
  }, 60_000);

  it('renew: the Activity line and `keyring keys renew` say the successor is unverified', async () => {
    const { keys, fingerprint } = await app({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true });
    await keys.publish(fingerprint, ROSTER);
    const answer = await keys.renew(fingerprint, { newKey: false });
    expect(answer.published).toBe(true);
    expect(answer.config?.deviations.map((d) => d.code)).toContain('item-unverified');
    expect(renewedLine(answer, false)).toMatch(/^Renewed, published to the same people, unverified: the server would not show the item back \(not-authorized[^)]*\); the old one was withdrawn$/);
    expect(describeRenew(answer)).toMatch(FULL);
  }, 60_000);

  it('a server that shows the items back: the same lines, with no unverified note (control)', async () => {
    const { keys, fingerprint } = await app({ fields: BASE_FIELDS });
    await keys.publish(fingerprint, { model: 'presence' });
    const renewed = await keys.renew(fingerprint, { newKey: false });
    expect(renewedLine(renewed, false)).toBe('Renewed, published to the same people; the old one was withdrawn');
    expect(describeRenew(renewed)).not.toMatch(/warning/);
    const revoked = await keys.revoke(renewed.fingerprint, 'superseded');
    expect(revokedLine(revoked)).not.toMatch(/unverified/);
    expect(describeRevoke(revoked, renewed.fingerprint)).not.toMatch(/would not show/);
  }, 60_000);

  it('a publish queued offline that ran at reconnect: queue:ran carries the deviation, and the Activity line says it', async () => {
    let status: 'connecting' | 'online' = 'connecting';
    const { keys, fingerprint, vaults, port } = await app({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true }, (pep) => {
      const online = pepSession(pep);
      // Offline when asked, online when the queue runs: the state is read at each step.
      return { ...online, get state() { return { status, account: JULIET }; } };
    });
    const events = new AppEvents();
    const ran: EventPayloads['queue:ran'][] = [];
    events.subscribe((name, payload) => name === 'queue:ran' && ran.push(payload as EventPayloads['queue:ran']));
    const unused = () => Promise.reject(new Error('not used here'));
    const queue = new PublishQueue({
      store: new QueueStore(vaults),
      ownKeys: keys,
      roster: { add: unused, setGroups: unused, remove: unused },
      profile: { publish: unused },
      session: port,
      events,
      log: silentLogger,
    });
    expect((await queue.publish(fingerprint, ROSTER, false)).outcome).toBe('queued');
    status = 'online';
    await queue.drain();

    expect(ran).toHaveLength(1);
    expect(ran[0]?.ok).toBe(true);
    expect(ran[0]?.deviations?.map((d) => d.code)).toContain('item-unverified');
    expect(queuedOutcomeLine(ran[0] as EventPayloads['queue:ran'])).toMatch(
      /^Queued publish done, for roster group "Friends", unverified: the server would not show the item back \(not-authorized[^)]*\)$/,
    );
  }, 60_000);

  it('the queue line, by itself: a checked one says nothing more, two unverified items are counted', () => {
    const action: QueuedWrite = { kind: 'profile-publish', profile: { emails: [], phones: [], urls: [] }, access: { model: 'presence' } };
    expect(queuedOutcomeLine({ action, ok: true })).toBe('Queued profile publish done, for contacts who see your presence');
    const unverified = (itemId: string) => ({ code: 'item-unverified' as const, itemId, detail: 'forbidden' });
    expect(queuedOutcomeLine({ action, ok: true, deviations: [unverified('current'), unverified('nick')] })).toBe(
      'Queued profile publish done, for contacts who see your presence, unverified: the server would not show 2 items back (forbidden)',
    );
    // Other deviations are the Publish panel's and the CLI's to list in full: the Activity line stays short.
    expect(queuedOutcomeLine({ action, ok: true, deviations: [{ code: 'items-not-persisted' }] })).toBe('Queued profile publish done, for contacts who see your presence');
  });

  async function profiles(options: FakeOptions) {
    dir = await mkdtemp(join(tmpdir(), 'keyring-unverified-'));
    const published = new PublishedNodesStore(await unlockedVaults(dir));
    return new ProfileService({ session: pepSession(fakePep(options)), events: new AppEvents(), log: silentLogger, published, isKnownContact: () => false });
  }

  it('profile: the Activity line and the result panel say the card and the nickname are unverified', async () => {
    const service = await profiles({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true });
    const { configs } = await service.publish({ fullName: 'Juliet Capulet', nickname: 'Jules', emails: [], phones: [], urls: [] }, ROSTER);
    expect(profilePublishedLine(configs)).toMatch(/^Published your profile, unverified: the server would not show 2 items back \(not-authorized[^)]*\)$/);
    // The panel's ⚠ line per part, in describeDeviation's full words.
    for (const config of configs) {
      expect(deviationSentences([config])).toContainEqual(expect.stringMatching(/^the server would not show the item back \(not-authorized[^)]*\), so the app could not check that it holds what was sent\.$/));
    }
  }, 60_000);

  it('avatar: the Activity line and the dialog say it is unverified, once for its two nodes', async () => {
    const service = await profiles({ fields: EJABBERD_FIELDS, hidesItemsFromOwner: true });
    const result = await service.setAvatar(makePng(64, 64), ROSTER);
    expect(avatarPublishedLine(result)).toMatch(/^Published a new avatar \(64×64\), unverified: the server would not show 2 items back \(not-authorized[^)]*\)$/);
    const unverified = deviationSentences(result.configs).filter((s) => s.startsWith('the server would not show'));
    expect(unverified).toHaveLength(1);
    expect(unverified[0]).toMatch(/, so the app could not check that it holds what was sent\.$/);
  }, 60_000);

  it('profile and avatar read back and checked: the lines say nothing more (control)', async () => {
    const service = await profiles({ fields: BASE_FIELDS });
    const { configs } = await service.publish({ fullName: 'Juliet Capulet', emails: [], phones: [], urls: [] }, { model: 'presence' });
    expect(profilePublishedLine(configs)).toBe('Published your profile');
    expect(deviationSentences(configs)).toEqual([]);
    expect(avatarPublishedLine(await service.setAvatar(makePng(64, 64), { model: 'presence' }))).toBe('Published a new avatar (64×64)');
  }, 60_000);

  it('a revocation owed (held back at the revoke), published at the next sign-in: its log line says the server would not show it back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-unverified-'));
    const pep = fakePep({ fields: BASE_FIELDS });
    const lines: string[] = [];
    const log: Logger = { ...silentLogger, info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
    const device = ownKeysOnPep(await unlockedVaults(dir), pep, { log });
    const fingerprint = certificateFingerprint(ours);
    await device.store.add(JULIET, { fingerprint, certificateDer: ours, privateKey });
    await device.keys.publish(fingerprint, { model: 'presence' });
    // Held back: another client set the node to a model the app cannot publish to (revoke-unpublishable.test.ts).
    await pep.setAccessModel(NS.pubkey, 'authorize');
    await expect(device.keys.revoke(fingerprint, 'compromised')).rejects.toMatchObject({ code: 'revocation-held-back' });
    await pep.setAccessModel(NS.pubkey, 'presence');
    // At the sign-in, the server answers the publish but not the reading of that one item back.
    const get = pep.ctx.iq.get.bind(pep.ctx.iq);
    pep.ctx.iq.get = (element, ...rest) => {
      const asked = element.getChild('items')?.getChild('item')?.attrs.id;
      if (asked === revocationItemId(fingerprint)) return Promise.reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
      return get(element, ...rest);
    };
    // The key's own item is still there, without its revocation beside it: the revocation goes out first.
    await device.signIn();
    expect(pep.nodes.get(NS.pubkey)?.items).toContain(revocationItemId(fingerprint));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^warn published the revocation of key ${fingerprint}: it was on the key node without one, unverified: the server would not show the item back \\(.+\\)$`)),
    );
  }, 60_000);
});
