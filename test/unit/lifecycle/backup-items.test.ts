/** The backup blob on the account's private node: cut into items under the servers' stanza limit, read back whole. */
import { randomBytes } from 'node:crypto';
import parseXml from '@xmpp/xml/lib/parse.js';
import xml from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { MAX_BACKUP_BYTES } from '../../../main/vault/backup-blob.js';
import { BACKUP_NODE, BACKUP_PART_BYTES, backupItems, MAX_BACKUP_ITEM_BYTES, readBackupItems, type BackupItem } from '../../../main/xmpp/backup-items.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { parseItems, type RawItem } from '../../../main/xmpp/pubsub.js';

/** As a fetch gives them: serialized by "the server", parsed back. */
function asFetched(items: readonly BackupItem[]): RawItem[] {
  const text = xml('items', { node: BACKUP_NODE }, ...items.map((i) => xml('item', { id: i.id }, i.payload))).toString();
  return parseItems(parseXml(text));
}

describe('writing the backup as items', () => {
  it('puts a small blob in one item and reads it back', () => {
    const blob = randomBytes(3000);
    const { backupId, items } = backupItems(blob, new Date('2025-06-01T00:00:00Z'));
    expect(items).toHaveLength(1);
    expect(items[0]?.id).toBe(`${backupId}-1`);
    expect(readBackupItems(asFetched(items))).toEqual({ ok: true, backups: [{ blob, backupId, date: '2025-06-01T00:00:00.000Z', itemIds: [`${backupId}-1`] }], stale: [] });
  });

  it('cuts a large blob into parts whose items stay under 200,000 bytes (servers stop at 256 KiB)', () => {
    const blob = randomBytes(2 * BACKUP_PART_BYTES + 1234);
    const { items } = backupItems(blob);
    expect(items).toHaveLength(3);
    for (const item of items) {
      const stanza = xml('iq', { type: 'set', id: 'x' }, xml('pubsub', { xmlns: NS.pubsub }, xml('publish', { node: BACKUP_NODE }, xml('item', { id: item.id }, item.payload))));
      expect(stanza.toString().length).toBeLessThan(200_000);
    }
    const shuffled = [items[2], items[0], items[1]] as BackupItem[];
    expect(readBackupItems(asFetched(shuffled))).toMatchObject({ ok: true, backups: [{ blob }] });
  });

  it('refuses an empty blob or one over the cap', () => {
    expect(() => backupItems(Buffer.alloc(0))).toThrow(KeyringError);
    expect(() => backupItems(Buffer.alloc(MAX_BACKUP_BYTES + 1))).toThrow(KeyringError);
  });
});

describe('reading the node', () => {
  const older = backupItems(randomBytes(2 * BACKUP_PART_BYTES), new Date('2025-01-01T00:00:00Z'));
  const newer = backupItems(randomBytes(BACKUP_PART_BYTES + 10), new Date('2025-06-01T00:00:00Z'));
  const ids = (b: { items: BackupItem[] }) => b.items.map((i) => i.id);

  it('says when there is no backup', () => {
    expect(readBackupItems([])).toMatchObject({ ok: false, code: 'no-backup' });
  });

  const order = (reading: ReturnType<typeof readBackupItems>) => (reading.ok ? reading.backups.map((b) => b.backupId) : []);

  it('hands back every whole backup, the latest date first when none is known here', () => {
    const reading = readBackupItems(asFetched([...older.items, ...newer.items]));
    expect(order(reading)).toEqual([newer.backupId, older.backupId]);
    expect(reading.stale).toEqual([]);
  });

  it('puts the backup this device made or restored last first, whatever date its writer’s clock gave the others', () => {
    // Made while the clock ran a year ahead, then the clock put right: the date alone would pick the stale one.
    const ahead = backupItems(randomBytes(1000), new Date(Date.now() + 365 * 86_400_000));
    const made = backupItems(randomBytes(1000), new Date());
    const node = asFetched([...ahead.items, ...made.items]);
    expect(order(readBackupItems(node, { preferred: made.backupId }))).toEqual([made.backupId, ahead.backupId]);
    expect(order(readBackupItems(node, { preferred: 'f'.repeat(16) }))).toEqual([ahead.backupId, made.backupId]);
  });

  it('keeps the last whole backup when a new one was published only in part (a device stopped half-way)', () => {
    const reading = readBackupItems(asFetched([...older.items, newer.items[0] as BackupItem]));
    expect(order(reading)).toEqual([older.backupId]);
    expect(reading.stale).toEqual([newer.items[0]?.id]);
  });

  it('says incomplete when a part is missing or altered', () => {
    expect(readBackupItems(asFetched(older.items.slice(1)))).toMatchObject({ ok: false, code: 'backup-incomplete' });
    const altered = older.items.map((item, index) => {
      if (index !== 1) return item;
      const text = item.payload.text();
      const payload = xml('backup', { ...item.payload.attrs }, (text[0] === 'A' ? 'B' : 'A') + text.slice(1));
      return { id: item.id, payload };
    });
    expect(readBackupItems(asFetched(altered))).toMatchObject({ ok: false, code: 'backup-incomplete', stale: expect.arrayContaining(ids(older)) as unknown });
  });

  it('ignores hostile items (listing them to retract), never throws', () => {
    const good = newer.items;
    const attrs = { ...(good[0] as BackupItem).payload.attrs } as Record<string, string>;
    const hostile: BackupItem[] = [
      { id: 'junk', payload: xml('backup', { xmlns: NS.backup }, 'AAAA') },
      { id: 'foreign', payload: xml('conference', { xmlns: 'storage:bookmarks' }) },
      { id: `${attrs.id}-9`, payload: xml('backup', { ...attrs, part: '9' }, 'AAAA') },
      { id: `${attrs.id}-1x`, payload: xml('backup', { ...attrs }, 'AAAA') },
      { id: 'big', payload: xml('backup', { ...attrs, parts: '999999999' }, 'AAAA') },
      { id: 'neg', payload: xml('backup', { ...attrs, part: '-1' }, 'AAAA') },
      { id: 'nested', payload: xml('backup', { ...attrs }, xml('x', {})) },
      { id: 'b64', payload: xml('backup', { ...attrs }, '@@@@') },
      { id: 'date', payload: xml('backup', { ...attrs, date: 'yesterday' }) },
      { id: 'sha', payload: xml('backup', { ...attrs, sha256: 'f'.repeat(64) }, 'AAAA') },
    ];
    const reading = readBackupItems(asFetched([...hostile, ...good]));
    expect(order(reading)).toEqual([newer.backupId]);
    expect(reading.stale).toEqual(expect.arrayContaining(['junk', 'foreign', 'big', 'neg', 'nested', 'b64', 'date', 'sha']));
    const oversize = asFetched(good).map((item) => ({ ...item, size: MAX_BACKUP_ITEM_BYTES + 1 }));
    expect(readBackupItems(oversize)).toMatchObject({ ok: false, code: 'backup-incomplete' });
    expect(readBackupItems([{ id: 'x', payload: undefined, size: 0 }, null as unknown as RawItem])).toMatchObject({ ok: false });
  });
});
