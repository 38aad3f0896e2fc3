/**
 * A clock that jumped (attack review): a backup made while the device's clock ran a year ahead carries
 * that date on the account's node. Every backup made after the clock was put right must still be the
 * one kept, read back and restored: making one says it was kept (it was), the stale one is retracted,
 * and "restore from account" opens the backup whose code the user holds. And two devices of the account
 * making a backup at the same moment must not retract each other's, leaving none while both say "kept".
 * Over a PEP node in memory (test/support/fake-pep-service.ts); the real servers run in
 * test/integration/backup.test.ts.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IqCaller } from '@xmpp/iq/caller.js';
import type { Element } from '@xmpp/xml';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { BackupService } from '../../main/services/backup.js';
import { generateBackupCode } from '../../main/vault/backup-code.js';
import { BackupsStore } from '../../main/vault/stores/backups-store.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { OtherKeysStore } from '../../main/vault/stores/other-keys-store.js';
import { OwnKeysStore } from '../../main/vault/stores/own-keys-store.js';
import { BACKUP_NODE } from '../../main/xmpp/backup-items.js';
import { BASE_FIELDS, JULIET, fakePep, pepSession } from '../support/fake-pep-service.js';
import { codeOf, unlockedVaults } from '../support/vaults.js';

const PASSPHRASE = 'correct horse battery';
const LIGHT_KDF = { name: 'scrypt' as const, N: 2 ** 10, r: 8, p: 1 };
const YEAR = 365 * 86_400_000;

let privateKey: KeyObject;
const dirs: string[] = [];

beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

type Pep = ReturnType<typeof fakePep>;

/** A device of juliet's signed in to `pep` (through `iq` when given), with her key when `withKey`. */
async function device(pep: Pep, withKey: boolean, iq: IqCaller = pep.ctx.iq) {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-backup-clock-'));
  dirs.push(dir);
  const vaults = await unlockedVaults(dir, PASSPHRASE);
  const keys = new OwnKeysStore(vaults);
  if (withKey) {
    const der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 3 * 365 });
    await keys.add(JULIET, { fingerprint: certificateFingerprint(der), certificateDer: der, privateKey });
  }
  const service = new BackupService({
    ownKeys: keys,
    contactKeys: new ContactKeysStore(vaults),
    otherKeys: new OtherKeysStore(vaults),
    backups: new BackupsStore(vaults),
    session: pepSession({ ctx: { iq } }),
    vaultLock: vaults,
    revocations: { readNode: () => Promise.resolve([]) },
    kdf: LIGHT_KDF,
  });
  return { keys, service };
}

/** Makes a backup on the account with the device's clock at `at` (only Date is faked: scrypt runs as usual). */
async function backupAt(on: Awaited<ReturnType<typeof device>>, at: Date) {
  vi.useFakeTimers({ toFake: ['Date'], now: at });
  try {
    return await on.service.create({ file: false, toAccount: true, passphrase: PASSPHRASE });
  } finally {
    vi.useRealTimers();
  }
}

/** What the node holds now, to put back later as an older client or a failed retract would leave it. */
function snapshot(pep: Pep): Map<string, Element> {
  return new Map(pep.nodes.get(BACKUP_NODE)?.payloads);
}
function putBack(pep: Pep, items: Map<string, Element>): void {
  const node = pep.nodes.get(BACKUP_NODE);
  if (!node) throw new Error('no backup node');
  for (const [id, payload] of items) {
    if (!node.items.includes(id)) node.items.push(id);
    node.payloads.set(id, payload);
  }
}
const backupIdsOn = (pep: Pep) => [...new Set(pep.nodes.get(BACKUP_NODE)?.items.map((id) => id.replace(/-\d+$/, '')))];

describe('a backup made while the clock ran a year ahead', () => {
  it('does not shadow the backups made after the clock was put right: each is kept, checked and the stale one retracted', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    const juliet = await device(pep, true);
    const now = new Date();
    const ahead = await backupAt(juliet, new Date(now.getTime() + YEAR));

    const made = await backupAt(juliet, now);
    expect(made.account?.backupId).toBeDefined();
    expect(made.account?.backupId).not.toBe(ahead.account?.backupId);
    expect(backupIdsOn(pep)).toEqual([made.account?.backupId]);

    // A new device restores it with its code; the stale backup's code opens nothing any more.
    const fresh = await device(pep, false);
    expect(await codeOf(fresh.service.restore({ kind: 'account' }, ahead.code))).toBe('wrong-backup-code');
    const restored = await fresh.service.restore({ kind: 'account' }, made.code);
    expect(restored.createdAt).toBe(made.createdAt);
    expect(restored.keys.map((k) => k.outcome)).toEqual(['restored']);
  });

  it('left beside the newer one (an older version, a failed retract), the code picks the backup it opens', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    const juliet = await device(pep, true);
    const now = new Date();
    const ahead = await backupAt(juliet, new Date(now.getTime() + YEAR));
    const aheadItems = snapshot(pep);
    const made = await backupAt(juliet, now);
    putBack(pep, aheadItems);
    expect(backupIdsOn(pep)).toHaveLength(2);

    // A new device knows neither: the stale one's date puts it first, and the newest code still opens the newest.
    const fresh = await device(pep, false);
    expect((await fresh.service.restore({ kind: 'account' }, made.code)).createdAt).toBe(made.createdAt);
    const other = await device(pep, false);
    expect((await other.service.restore({ kind: 'account' }, ahead.code)).createdAt).toBe(ahead.createdAt);
    expect(await codeOf(other.service.restore({ kind: 'account' }, generateBackupCode()))).toBe('wrong-backup-code');

    // The next backup made clears both away.
    const next = await backupAt(juliet, now);
    expect(backupIdsOn(pep)).toEqual([next.account?.backupId]);
  });

  it('tries the code on at most three backups (each try is a scrypt): a fourth is not opened', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    const juliet = await device(pep, true);
    const now = new Date();
    const oldest = await backupAt(juliet, now);
    const kept = [snapshot(pep)];
    for (let i = 1; i <= 3; i++) {
      await backupAt(juliet, new Date(now.getTime() + i * YEAR));
      kept.push(snapshot(pep));
    }
    for (const items of kept) putBack(pep, items);
    expect(backupIdsOn(pep)).toHaveLength(4);
    const fresh = await device(pep, false);
    expect(await codeOf(fresh.service.restore({ kind: 'account' }, oldest.code))).toBe('wrong-backup-code');
  });
});

/**
 * `pep`'s requests as one device sends them, except that once the device has published, its next
 * request waits until `together` devices have got that far: the two backups are then both on the node
 * before either device goes on to read back, list or retract.
 */
function afterPublishing(pep: Pep, barrier: { waiting: (() => void)[]; together: number }): IqCaller {
  let published = false;
  let passed = false;
  const gate = async (element: Element) => {
    const publishing = element.is('pubsub') && element.getChild('publish') !== undefined;
    if (publishing) published = true;
    else if (published && !passed) {
      passed = true;
      await new Promise<void>((resolve) => {
        barrier.waiting.push(resolve);
        if (barrier.waiting.length === barrier.together) for (const go of barrier.waiting.splice(0)) go();
      });
    }
  };
  return {
    request: (stanza, timeout) => pep.ctx.iq.request(stanza, timeout),
    get: async (element, to, timeout) => (await gate(element), pep.ctx.iq.get(element, to, timeout)),
    set: async (element, to, timeout) => (await gate(element), pep.ctx.iq.set(element, to, timeout)),
  };
}

describe('two devices of the account making a backup at the same moment', () => {
  it('do not retract each other’s: a backup stays on the node, and the code of a device that said it was kept opens it', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    const older = await backupAt(await device(pep, true), new Date());
    const barrier = { waiting: [] as (() => void)[], together: 2 };
    const [a, b] = [await device(pep, true, afterPublishing(pep, barrier)), await device(pep, true, afterPublishing(pep, barrier))];

    const made = await Promise.all([a.service.create({ file: false, toAccount: true, passphrase: PASSPHRASE }), b.service.create({ file: false, toAccount: true, passphrase: PASSPHRASE })]);

    const on = backupIdsOn(pep);
    expect(on).not.toContain(older.account?.backupId);
    expect(on.length).toBeGreaterThan(0);
    const kept = made.filter((m) => m.account !== undefined && on.includes(m.account.backupId));
    expect(kept.length).toBeGreaterThan(0);
    const fresh = await device(pep, false);
    for (const m of kept) expect((await fresh.service.restore({ kind: 'account' }, m.code)).createdAt).toBe(m.createdAt);
  });
});
