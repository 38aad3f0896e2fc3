/**
 * OwnKeys over a stand-in session: the list as people read it (newest first, one current key, names),
 * deleting (a published key is retracted first, and stays whole when that fails or cannot happen), and
 * the audience the publish panel starts from when offline.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import type { Element } from '@xmpp/xml';
import type { ConnectionStatus } from '../../contract/index.js';
import { CONTRACT } from '../../contract/index.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { CERTIFICATE_BACKDATE_MS } from '../../main/keys/clock-tolerance.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { createRevocation, verifyRevocation } from '../../main/keys/revocation.js';
import { OwnKeys, summarizeAll } from '../../main/services/own-keys.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../main/vault/stores/published-nodes-store.js';
import { QueueStore } from '../../main/vault/stores/queue-store.js';
import type { VaultHolder } from '../../main/vault/vault-holder.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { fakeSession, type IqAnswer } from '../support/fake-session.js';
import { codeOf, unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const DAY = 86_400_000;
let privateKey: KeyObject;
let dir: string;
let vaults: VaultHolder;
let store: OwnKeysStore;

beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-own-keys-'));
  vaults = await unlockedVaults(dir);
  store = new OwnKeysStore(vaults);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Adds a key made `daysAgo` days ago (its certificate valid from then for `validityDays`). */
async function addKey(daysAgo: number, options: { validityDays?: number; label?: string; publishedAs?: string } = {}): Promise<string> {
  const made = new Date(Date.now() - daysAgo * DAY);
  const der = await createSelfSignedCertificate({ bareJid: ACCOUNT, privateKey, validityDays: options.validityDays ?? 365, notBefore: made });
  const fingerprint = certificateFingerprint(der);
  await store.add(ACCOUNT, { fingerprint, certificateDer: der, privateKey, ...(options.label ? { label: options.label } : {}) });
  await vaults.vault.update((draft) => {
    const record = draft.accounts[ACCOUNT]?.ownKeys.find((k) => k.fingerprint === fingerprint);
    if (record) record.createdAt = made.toISOString();
  });
  if (options.publishedAs) {
    await store.setPublication(ACCOUNT, fingerprint, NS.pubkey, { accessModel: options.publishedAs, publishedAt: made.toISOString() });
  }
  return fingerprint;
}

/**
 * Adds a key taken in now whose certificate starts `startsInDays` days from now: a PKCS#12 from a tool
 * that dated it ahead, or a key made while this computer's clock ran ahead and since put right.
 */
async function addFutureKey(startsInDays: number, options: { publishedAs?: string } = {}): Promise<string> {
  const der = await createSelfSignedCertificate({ bareJid: ACCOUNT, privateKey, validityDays: 365, notBefore: new Date(Date.now() + startsInDays * DAY) });
  const fingerprint = certificateFingerprint(der);
  await store.add(ACCOUNT, { fingerprint, certificateDer: der, privateKey });
  if (options.publishedAs) {
    await store.setPublication(ACCOUNT, fingerprint, NS.pubkey, { accessModel: options.publishedAs, publishedAt: new Date().toISOString() });
  }
  return fingerprint;
}

function service(status: ConnectionStatus, answer?: IqAnswer): { keys: OwnKeys; asked: Element[] } {
  const asked: Element[] = [];
  const session = fakeSession({
    account: ACCOUNT,
    status,
    answer: (request, to, timeout) => {
      asked.push(request);
      return answer ? answer(request, to, timeout) : Promise.resolve(undefined);
    },
  });
  return { keys: new OwnKeys({ store, session, published: new PublishedNodesStore(vaults) }), asked };
}

function stanzaError(condition: string, type: string): Error {
  const element = xml('error', { type }, xml(condition, { xmlns: NS.stanzas }));
  return Object.assign(new Error(condition), { name: 'StanzaError', condition, element });
}

const retractedIds = (asked: Element[]) =>
  asked.flatMap((r) => r.getChildren('retract')).map((retract) => retract.getChild('item')?.attrs.id as string);

describe('the list of own keys', () => {
  it('shows the newest key first, whatever order they were added in', async () => {
    const middle = await addKey(10);
    const oldest = await addKey(20);
    const newest = await addKey(1);
    expect(service('online').keys.list().map((k) => k.fingerprint)).toEqual([newest, middle, oldest]);
  });

  it('marks as current the newest published key, not a newer one that is only on this computer', async () => {
    const published = await addKey(10, { publishedAs: 'presence' });
    const draft = await addKey(1);
    const list = service('offline').keys.list();
    expect(list.filter((k) => k.current).map((k) => k.fingerprint)).toEqual([published]);
    expect(list.find((k) => k.fingerprint === draft)?.current).toBe(false);
  });

  it('never marks an expired key as current: the newest valid one is, even unpublished', async () => {
    await addKey(40, { validityDays: 30, publishedAs: 'presence' });
    const valid = await addKey(5);
    expect(service('online').keys.list().filter((k) => k.current).map((k) => k.fingerprint)).toEqual([valid]);
  });

  it('marks no key current when every key has expired', async () => {
    await addKey(40, { validityDays: 30, publishedAs: 'presence' });
    expect(service('online').keys.list().some((k) => k.current)).toBe(false);
  });

  it('never marks a key that has not started yet as current, though it is newer: the valid one is, and the other says so', async () => {
    const valid = await addKey(10, { publishedAs: 'presence' });
    const nextWeek = await addFutureKey(7);
    const list = service('online').keys.list();
    expect(list.map((k) => k.fingerprint)).toEqual([nextWeek, valid]);
    expect(list.filter((k) => k.current).map((k) => k.fingerprint)).toEqual([valid]);
    expect(list.find((k) => k.fingerprint === nextWeek)).toMatchObject({ current: false, notYetValid: true });
    expect(list.find((k) => k.fingerprint === valid)).not.toHaveProperty('notYetValid');
  });

  it('prefers a valid unpublished key to a published one that has not started yet', async () => {
    await addFutureKey(3, { publishedAs: 'presence' });
    const valid = await addKey(1);
    expect(service('online').keys.list().filter((k) => k.current).map((k) => k.fingerprint)).toEqual([valid]);
  });

  it('marks no key current while every usable key has yet to start: none is one contacts can use now', async () => {
    await addKey(40, { validityDays: 30, publishedAs: 'presence' });
    const later = await addFutureKey(2);
    const list = service('online').keys.list();
    expect(list.some((k) => k.current)).toBe(false);
    expect(list.find((k) => k.fingerprint === later)?.notYetValid).toBe(true);
  });

  it('counts a key from its start to the second: a minute before, it has not started; at its start it is current', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
    const der = await createSelfSignedCertificate({ bareJid: ACCOUNT, privateKey, validityDays: 30, notBefore: start });
    const fingerprint = certificateFingerprint(der);
    await store.add(ACCOUNT, { fingerprint, certificateDer: der, privateKey });
    const records = store.list(ACCOUNT);
    expect(summarizeAll(records, ACCOUNT, new Date(start.getTime() - 1000))[0]).toMatchObject({ current: false, notYetValid: true });
    expect(summarizeAll(records, ACCOUNT, start)[0]).toMatchObject({ current: true });
    expect(summarizeAll(records, ACCOUNT, start)[0]).not.toHaveProperty('notYetValid');
  });

  it('a key just made is current at once, beside one dated ahead: it starts an hour early and ends the days chosen from now', async () => {
    await addFutureKey(1);
    const { keys } = service('online');
    const before = Date.now();
    const made = await keys.generate({ bits: 2048, validityDays: 30 });
    const after = Date.now();
    const listed = keys.list().find((k) => k.fingerprint === made.fingerprint);
    expect(listed).toMatchObject({ current: true, expiry: { level: 'within-30-days', daysLeft: 30 } });
    expect(listed).not.toHaveProperty('notYetValid');
    const start = Date.parse(made.notBefore ?? '');
    const end = Date.parse(made.notAfter ?? '');
    expect(start).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - CERTIFICATE_BACKDATE_MS);
    expect(start).toBeLessThanOrEqual(after - CERTIFICATE_BACKDATE_MS);
    expect(end - start).toBe(30 * DAY + CERTIFICATE_BACKDATE_MS);
  }, 60_000);

  it('says when a key expires within 30, 7 and 1 days, and once it has', async () => {
    const in20 = await addKey(345, { validityDays: 365 });
    const in5 = await addKey(360, { validityDays: 365 });
    const withinDay = await addKey(30, { validityDays: 31 });
    const expired = await addKey(40, { validityDays: 37 });
    const fresh = await addKey(1);
    const expiry = new Map(service('online').keys.list().map((k) => [k.fingerprint, k.expiry]));
    expect(expiry.get(in20)).toEqual({ level: 'within-30-days', daysLeft: 20 });
    expect(expiry.get(in5)).toEqual({ level: 'within-7-days', daysLeft: 5 });
    expect(expiry.get(withinDay)?.level).toBe('within-1-day');
    expect(expiry.get(expired)).toEqual({ level: 'expired', daysAgo: 3 });
    expect(expiry.get(fresh)).toEqual({ level: 'none', daysLeft: 364 });
  });

  it('keeps the name given to a key, and renames it offline; an empty name takes it away', async () => {
    const fingerprint = await addKey(1, { label: 'Laptop' });
    const { keys } = service('offline');
    expect(keys.list()[0]?.label).toBe('Laptop');
    expect((await keys.rename(fingerprint, 'Desk computer'))[0]?.label).toBe('Desk computer');
    expect((await keys.rename(fingerprint, ''))[0]).not.toHaveProperty('label');
  });

  it('refuses a name that is too long or spans lines, at the boundary', () => {
    const schema = CONTRACT.keys.requests.rename.params;
    const fingerprint = 'a'.repeat(64);
    expect(schema.safeParse({ fingerprint, label: 'x'.repeat(81) }).success).toBe(false);
    expect(schema.safeParse({ fingerprint, label: 'one\ntwo' }).success).toBe(false);
    expect(schema.parse({ fingerprint, label: '  Laptop  ' }).label).toBe('Laptop');
  });
});

describe('deleting an own key', () => {
  it('retracts a published key from the node first, then erases it with what was queued for it', async () => {
    const fingerprint = await addKey(1, { publishedAs: 'presence' });
    const other = await addKey(2);
    await new QueueStore(vaults).append(ACCOUNT, { id: 'q1', kind: 'publish', fingerprint, access: { model: 'open' }, requestedAt: new Date().toISOString() });
    await new QueueStore(vaults).append(ACCOUNT, { id: 'q2', kind: 'publish', fingerprint: other, access: { model: 'open' }, requestedAt: new Date().toISOString() });
    let heldWhileRetracting = false;
    const { keys, asked } = service('online', () => {
      heldWhileRetracting = store.find(ACCOUNT, fingerprint) !== undefined;
      return Promise.resolve(undefined);
    });

    expect(await keys.delete(fingerprint)).toEqual({ retracted: true });
    expect(retractedIds(asked)).toEqual([fingerprint]);
    expect(asked[0]?.getChild('retract')?.attrs.node).toBe(NS.pubkey);
    expect(heldWhileRetracting).toBe(true);
    expect(store.find(ACCOUNT, fingerprint)).toBeUndefined();
    expect(vaults.vault.account(ACCOUNT)?.queue?.map((a) => a.id)).toEqual(['q2']);
    expect(keys.list().map((k) => k.fingerprint)).toEqual([other]);
  });

  it('keeps a published key whole when the server refuses the retract', async () => {
    const fingerprint = await addKey(1, { publishedAs: 'presence' });
    const { keys } = service('online', () => Promise.reject(stanzaError('internal-server-error', 'wait')));
    expect(await codeOf(keys.delete(fingerprint))).not.toBeUndefined();
    expect(store.find(ACCOUNT, fingerprint)?.privateKey).toBeDefined();
  });

  it('refuses to delete a published key offline, naming why, and keeps it', async () => {
    const fingerprint = await addKey(1, { publishedAs: 'presence' });
    const { keys, asked } = service('offline');
    expect(await codeOf(keys.delete(fingerprint))).toBe('not-connected');
    expect(asked).toEqual([]);
    expect(store.find(ACCOUNT, fingerprint)).toBeDefined();
  });

  it('deletes an unpublished key offline without asking the server', async () => {
    const fingerprint = await addKey(1);
    const { keys, asked } = service('offline');
    expect(await keys.delete(fingerprint)).toEqual({ retracted: false });
    expect(asked).toEqual([]);
    expect(store.find(ACCOUNT, fingerprint)).toBeUndefined();
  });

  it('deletes a key its node no longer holds (item-not-found): nothing is left to withdraw', async () => {
    const fingerprint = await addKey(1, { publishedAs: 'presence' });
    const { keys } = service('online', () => Promise.reject(stanzaError('item-not-found', 'cancel')));
    expect(await keys.delete(fingerprint)).toEqual({ retracted: false });
    expect(store.find(ACCOUNT, fingerprint)).toBeUndefined();
  });
});

describe('renewing an own key', () => {
  it('renews a key once: a second renewal, which would give it a second successor contacts refuse, is refused in words', async () => {
    const old = await addKey(10);
    const { keys, asked } = service('offline');
    const first = await keys.renew(old, { newKey: false });
    expect(first).toMatchObject({ published: false, withdrawn: false });
    await expect(keys.renew(old, { newKey: true })).rejects.toMatchObject({
      code: 'invalid-argument',
      message: `This key was already renewed: its successor is ${first.fingerprint}. Contacts accept only one successor for a key: publish or renew the successor instead, or make a new key.`,
    });
    expect(store.list(ACCOUNT)).toHaveLength(2);
    // The successor itself renews.
    expect((await keys.renew(first.fingerprint, { newKey: false })).fingerprint).not.toBe(first.fingerprint);
    expect(asked).toEqual([]);
  });

  it('two renewals of one key at once (two windows, a request sent again): the second is refused in words, and the key has one successor', async () => {
    const old = await addKey(10);
    const { keys } = service('offline');
    const [first, second] = await Promise.allSettled([keys.renew(old, { newKey: false }), keys.renew(old, { newKey: false })]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { published: false } });
    expect(second).toMatchObject({
      status: 'rejected',
      reason: {
        code: 'invalid-argument',
        message:
          'This key is being renewed already (in another window, or by a request still under way). Wait for that renewal to finish: contacts accept only one successor for a key.',
      },
    });
    expect(store.list(ACCOUNT).filter((k) => k.succession?.old === old)).toHaveLength(1);
  });

  it('a key revoked while its renewal makes the new key (a reading of the key node): no successor is stored', async () => {
    const old = await addKey(10);
    const record = store.find(ACCOUNT, old);
    if (!record) throw new Error('no key');
    const statement = await createRevocation({ bareJid: ACCOUNT, certificateDer: Buffer.from(record.certificate, 'base64'), privateKey, reason: 'compromised' });
    const { keys } = service('offline');
    const renewal = keys.renew(old, { newKey: true });
    // The renewal is past its first checks and making the new key (RSA, in the thread pool).
    await new Promise((resolve) => setTimeout(resolve, 0));
    await store.setRevoked(ACCOUNT, old, statement);
    await expect(renewal).rejects.toMatchObject({ code: 'invalid-argument', message: 'This key was revoked: it is never published again.' });
    expect(store.list(ACCOUNT)).toHaveLength(1);
  });

  it('a renewal that failed does not keep the key from being renewed again', async () => {
    const old = await addKey(10, { publishedAs: 'presence' });
    const { keys } = service('offline');
    // Published, so its successor must go to the server: refused offline, with nothing made.
    expect(await codeOf(keys.renew(old, { newKey: false }))).toBe('not-connected');
    expect(await codeOf(keys.renew(old, { newKey: false }))).toBe('not-connected');
    expect(store.list(ACCOUNT)).toHaveLength(1);
  });
});

describe('the audience the publish panel starts from', () => {
  it('offline: as this app last recorded it, with how many keys it covers', async () => {
    await addKey(3, { publishedAs: 'presence' });
    await addKey(2, { publishedAs: 'presence' });
    await addKey(1);
    expect(await service('offline').keys.audience()).toEqual({ source: 'saved', publishedKeys: 2, access: { model: 'presence' } });
  });

  it('offline with nothing published: no audience yet', async () => {
    await addKey(1);
    expect(await service('offline').keys.audience()).toEqual({ source: 'saved', publishedKeys: 0 });
  });
});

describe('revocations prepared for the backup', () => {
  it('a key made now keeps one statement per reason, signed by it; an older key gets them once, when the account is online', async () => {
    const { keys } = service('online');
    const made = await keys.generate({ bits: 2048 });
    const kept = store.find(ACCOUNT, made.fingerprint)?.revocations ?? [];
    expect(kept.map((r) => r.reason).sort()).toEqual(['compromised', 'retired', 'superseded', 'unspecified']);
    for (const statement of kept) expect(verifyRevocation(statement, { publisherJid: ACCOUNT })).toMatchObject({ valid: true, fingerprint: made.fingerprint });
    expect(made.hasPreparedRevocations).toBe(true);

    const older = await addKey(10);
    expect(store.find(ACCOUNT, older)?.revocations).toBeUndefined();
    expect(await keys.prepareMissingRevocations()).toBe(1);
    expect(store.find(ACCOUNT, older)?.revocations).toHaveLength(4);
    expect(await keys.prepareMissingRevocations()).toBe(0);
  }, 60_000);

  it('a key revoked offline with no key published is revoked in the vault only, never current, and never published again', async () => {
    const { keys, asked } = service('online');
    const fingerprint = await addKey(1);
    expect(await keys.revoke(fingerprint, 'retired')).toEqual({ published: false, withdrawn: false, withdrawalPending: false });
    // Only asked whether the key is on the node after all (the record can miss a publish): it is not, so nothing was sent.
    expect(asked.map((r) => r.getChildElements()[0]?.name)).toEqual(['items']);
    expect(keys.list()[0]).toMatchObject({ fingerprint, current: false, revoked: { reason: 'retired' } });
    await expect(keys.revoke(fingerprint, 'retired')).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(keys.publish(fingerprint, { model: 'presence' })).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
