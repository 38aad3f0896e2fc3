/**
 * The encrypted backup (main/vault/backup-blob.ts) on the account's own private PEP node, so that a
 * new device needs only the address, the password and the backup code.
 *
 * XEP-0223 §3 (Concepts and Approach): the node is persistent (pubsub#persist_items = true) and only
 * the owner may read it (pubsub#access_model = whitelist, with no members). §7 (Security): publish
 * only where the server advertises publish-options, and take the node's events only from our own bare
 * JID. persistent-node.ts does the configuring and reading back:
 *   publishPersistent(ctx, { node: BACKUP_NODE, access: whitelist with nobody, maxItems: BACKUP_NODE_MAX_ITEMS }, item)
 *
 * A stanza may not exceed 256 KiB on either server (Prosody's default; ejabberd is configured so
 * here, and caps items at about 250,000 bytes: docs/servers.md), so the blob is cut into parts of at
 * most BACKUP_PART_BYTES (base64 under 200,000 characters), one item each:
 *
 *   <item id='3f2a…c1-1'>
 *     <backup xmlns='urn:keyring-xmpp:backup:0' id='3f2a…c1' part='1' parts='2'
 *             size='250000' sha256='HEX OF THE WHOLE BLOB' date='2025-06-01T12:00:00Z'>BASE64</backup>
 *   </item>
 *
 * The backup's id is the start of its SHA-256, and each item id names the backup and the part, so a
 * new backup never overwrites the parts of the last one: publish all of the new parts, read them back
 * by their own ids, then retract every other item. A device that stopped half-way leaves the previous
 * backup whole beside the new one's parts.
 *
 * Which of several whole backups is the newest cannot be told from the node for certain: `date` is
 * what the writer's clock said (a clock set a year ahead makes its backup "newest" for a year), and
 * XEP-0060 defines no order for §5.5's or §6.5.2's lists. So the reader hands back every whole
 * backup, the one the app knows it made or restored last first, then by date; restoring tries them
 * with the code (main/services/backup.ts): each backup has its own code, so the code picks it.
 *
 * The reader treats the node as hostile all the same (a server could serve anything): sizes, counts
 * and every attribute are checked, and the blob's SHA-256 must match before it is returned.
 */
import { xml } from '@xmpp/client';
import { createHash } from 'node:crypto';
import type { Element } from '@xmpp/xml';
import { KeyringError } from '../errors.js';
import { BACKUP_MAX_BYTES } from '../../contract/limits.js';
import { NS } from './namespaces.js';
import type { RawItem } from './pubsub.js';

export const BACKUP_NODE = NS.backup;
/** Raw bytes per part: 196,608 characters of base64, under 200,000 with the XML around them. */
export const BACKUP_PART_BYTES = 144 * 1024;
export const MAX_BACKUP_PARTS = Math.ceil(BACKUP_MAX_BYTES / BACKUP_PART_BYTES);
/** Room for two whole backups side by side (the new one published before the old is retracted). */
export const BACKUP_NODE_MAX_ITEMS = 2 * MAX_BACKUP_PARTS + 8;
/** Largest item read: one part and its envelope. */
export const MAX_BACKUP_ITEM_BYTES = 256 * 1024;

const ID_CHARS = 16;
const HEX64 = /^[0-9a-f]{64}$/;
const BACKUP_ID = /^[0-9a-f]{16}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export interface BackupItem {
  id: string;
  payload: Element;
}

/** The items to publish for one blob, in order. */
export function backupItems(blob: Uint8Array, date: Date = new Date()): { backupId: string; items: BackupItem[] } {
  if (blob.byteLength === 0 || blob.byteLength > BACKUP_MAX_BYTES) {
    throw new KeyringError('invalid-argument', 'The backup is empty or too large for the account.', 'blob');
  }
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const backupId = sha256.slice(0, ID_CHARS);
  const parts = Math.ceil(bytes.length / BACKUP_PART_BYTES);
  const items: BackupItem[] = [];
  for (let part = 1; part <= parts; part++) {
    const chunk = bytes.subarray((part - 1) * BACKUP_PART_BYTES, part * BACKUP_PART_BYTES);
    items.push({
      id: `${backupId}-${part}`,
      payload: xml(
        'backup',
        { xmlns: NS.backup, id: backupId, part: String(part), parts: String(parts), size: String(bytes.length), sha256, date: date.toISOString() },
        chunk.toString('base64'),
      ),
    });
  }
  return { backupId, items };
}

/** One whole backup on the node, its parts checked against the SHA-256 they announce. */
export interface StoredBackup {
  backupId: string;
  /** What the writer's clock said: a hint for the order, never proof of it. */
  date: string;
  blob: Buffer;
  itemIds: string[];
}

export type BackupNodeReading =
  /** `backups`: never empty; the likeliest newest first (readBackupItems). */
  | { ok: true; backups: StoredBackup[]; stale: string[] }
  | { ok: false; code: 'no-backup' | 'backup-incomplete'; message: string; stale: string[] };

export interface ReadOptions {
  /** The backup the app knows it made or restored last on this account: put first when whole. */
  preferred?: string | undefined;
}

interface Part {
  itemId: string;
  backupId: string;
  part: number;
  parts: number;
  size: number;
  sha256: string;
  date: string;
  data: Buffer;
}

/**
 * Every whole backup among the node's items (parseItems of the answers), `options.preferred` first,
 * then the latest date first; and the ids of the items in no whole backup (parts of one published
 * half-way, junk). Never throws.
 */
export function readBackupItems(items: readonly RawItem[], options: ReadOptions = {}): BackupNodeReading {
  try {
    return read(items, options);
  } catch {
    return { ok: false, code: 'backup-incomplete', message: 'The backup on this account cannot be read.', stale: [] };
  }
}

function read(items: readonly RawItem[], options: ReadOptions): BackupNodeReading {
  const groups = new Map<string, Part[]>();
  const stale: string[] = [];
  for (const item of items.slice(0, BACKUP_NODE_MAX_ITEMS * 2)) {
    const part = readPart(item);
    if (part === undefined) {
      if (typeof item?.id === 'string' && item.id !== '') stale.push(item.id);
      continue;
    }
    const group = groups.get(part.backupId) ?? [];
    group.push(part);
    groups.set(part.backupId, group);
  }

  const complete: StoredBackup[] = [];
  for (const [backupId, parts] of groups) {
    const blob = assemble(parts);
    if (blob !== undefined) complete.push({ backupId, date: parts[0]?.date ?? '', blob, itemIds: parts.map((p) => p.itemId) });
    else stale.push(...parts.map((p) => p.itemId));
  }
  // The one known here first; then the latest date (ISO dates in UTC compare as text); ties: the
  // larger id, so the order is stable.
  const rank = (b: StoredBackup) => (b.backupId === options.preferred ? 1 : 0);
  complete.sort((a, b) => rank(b) - rank(a) || (a.date === b.date ? (a.backupId < b.backupId ? 1 : -1) : a.date < b.date ? 1 : -1));
  if (complete.length === 0) {
    return items.length === 0
      ? { ok: false, code: 'no-backup', message: 'This account holds no backup.', stale: [] }
      : { ok: false, code: 'backup-incomplete', message: 'The backup on this account is incomplete or damaged.', stale };
  }
  return { ok: true, backups: complete, stale };
}

function readPart(item: RawItem): Part | undefined {
  try {
    if (item.size > MAX_BACKUP_ITEM_BYTES) return undefined;
    const el = item.payload;
    if (!el || !el.is('backup', NS.backup) || el.getChildElements().length > 0) return undefined;
    const { id, part, parts, size, sha256, date } = el.attrs as Record<string, unknown>;
    if (typeof id !== 'string' || !BACKUP_ID.test(id)) return undefined;
    if (typeof sha256 !== 'string' || !HEX64.test(sha256) || !sha256.startsWith(id)) return undefined;
    if (typeof date !== 'string' || !DATE.test(date) || Number.isNaN(Date.parse(date))) return undefined;
    const partNo = integer(part, 1, MAX_BACKUP_PARTS);
    const partCount = integer(parts, 1, MAX_BACKUP_PARTS);
    const total = integer(size, 1, BACKUP_MAX_BYTES);
    if (partNo === undefined || partCount === undefined || total === undefined || partNo > partCount) return undefined;
    if (item.id !== `${id}-${partNo}`) return undefined;
    const text = el.text();
    if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
    const data = Buffer.from(text, 'base64');
    if (data.length > BACKUP_PART_BYTES) return undefined;
    return { itemId: item.id, backupId: id, part: partNo, parts: partCount, size: total, sha256, date, data };
  } catch {
    return undefined;
  }
}

/** The whole blob when every part is there once, all agree, and the bytes hash to the announced SHA-256. */
function assemble(parts: readonly Part[]): Buffer | undefined {
  const first = parts[0];
  if (first === undefined || parts.length !== first.parts) return undefined;
  const agree = parts.every((p) => p.parts === first.parts && p.size === first.size && p.sha256 === first.sha256 && p.date === first.date);
  if (!agree) return undefined;
  const ordered = [...parts].sort((a, b) => a.part - b.part);
  if (!ordered.every((p, index) => p.part === index + 1)) return undefined;
  const blob = Buffer.concat(ordered.map((p) => p.data));
  if (blob.length !== first.size) return undefined;
  return createHash('sha256').update(blob).digest('hex') === first.sha256 ? blob : undefined;
}

function integer(value: unknown, min: number, max: number): number | undefined {
  if (typeof value !== 'string' || !/^[1-9]\d{0,8}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}
