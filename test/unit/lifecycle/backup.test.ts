/** The backup code, the encrypted backup blob, and the content restore accepts. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { prepareRevocations } from '../../../main/keys/revocation.js';
import { formatBackupCode, generateBackupCode, parseBackupCode } from '../../../main/vault/backup-code.js';
import { BACKUP_SCRYPT, createBackup, inspectBackup, MAX_BACKUP_BYTES, openBackup } from '../../../main/vault/backup-blob.js';
import { BACKUP_CONTENT_KIND, BACKUP_CONTENT_VERSION, readBackupContent, type BackupContent } from '../../../main/vault/backup-content.js';
import { JULIET, makeKey, ROMEO } from './support.js';

/** Light scrypt for speed; one test below uses the real parameters. */
const LIGHT = { name: 'scrypt' as const, N: 2 ** 10, r: 8, p: 1 };
const CODE_SHAPE = /^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$/;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('the backup code', () => {
  it('is 7 groups of 4 Crockford base32 characters, and new every time', () => {
    const codes = new Set(Array.from({ length: 500 }, generateBackupCode));
    expect(codes.size).toBe(500);
    for (const code of codes) {
      expect(code).toMatch(CODE_SHAPE);
      expect(parseBackupCode(code)).toEqual({ ok: true, code: code.replace(/-/g, '') });
    }
  });

  it('reads what people type: lower case, spaces, no dashes, O for 0, I or L for 1', () => {
    // Find a code with a 0 and a 1 in it, to type them as letters.
    let code = generateBackupCode();
    while (!/0/.test(code) || !/1/.test(code)) code = generateBackupCode();
    const canonical = code.replace(/-/g, '');
    const typed = code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/, 'l').replace(/1/, 'I');
    expect(parseBackupCode(typed)).toEqual({ ok: true, code: canonical });
    expect(parseBackupCode(`  ${canonical}\n`)).toEqual({ ok: true, code: canonical });
  });

  it('catches every single wrong character as a typo', () => {
    for (let n = 0; n < 5; n++) {
      const canonical = generateBackupCode().replace(/-/g, '');
      for (let i = 0; i < canonical.length; i++) {
        for (const char of ALPHABET) {
          if (char === canonical[i]) continue;
          const typo = canonical.slice(0, i) + char + canonical.slice(i + 1);
          expect(parseBackupCode(typo)).toMatchObject({ ok: false, problem: 'check' });
        }
      }
    }
  });

  it('catches swapped neighbours as a typo (all but about 1 in 1000)', () => {
    let swaps = 0;
    let missed = 0;
    for (let n = 0; n < 200; n++) {
      const canonical = generateBackupCode().replace(/-/g, '');
      for (let i = 0; i + 1 < canonical.length; i++) {
        if (canonical[i] === canonical[i + 1]) continue;
        swaps++;
        const swapped = canonical.slice(0, i) + canonical[i + 1] + canonical[i] + canonical.slice(i + 2);
        if (parseBackupCode(swapped).ok) missed++;
      }
    }
    expect(missed / swaps).toBeLessThan(0.003);
  });

  it('the example in docs/key-lifecycle.md is a valid code', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'key-lifecycle.md'), 'utf8');
    const example = /```\n([0-9A-Z-]{34})\n```/.exec(doc)?.[1];
    expect(example).toMatch(CODE_SHAPE);
    expect(parseBackupCode(example)).toMatchObject({ ok: true });
  });

  it.each([
    ['', 'empty'],
    [undefined, 'empty'],
    [42, 'empty'],
    ['ABCD-EFGH', 'length'],
    ['U'.repeat(28), 'characters'],
    ['ÄBCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345', 'characters'],
    ['x'.repeat(10_000), 'length'],
  ])('refuses %j as %s', (input, problem) => {
    expect(parseBackupCode(input)).toMatchObject({ ok: false, problem });
  });
});

describe('the encrypted backup', () => {
  const content = { keys: ['private key material'], note: 'été' };
  let blob: Buffer;
  let code: string;

  beforeAll(async () => {
    ({ blob, code } = await createBackup({ account: JULIET, content, kdf: LIGHT, now: new Date('2025-06-01T00:00:00Z') }));
  });

  it('opens with its code, as displayed or as typed', async () => {
    expect(code).toMatch(CODE_SHAPE);
    expect(await openBackup(blob, code)).toEqual({ ok: true, content, account: JULIET, createdAt: '2025-06-01T00:00:00.000Z' });
    expect(await openBackup(blob, code.toLowerCase().replace(/-/g, ' '), JULIET)).toMatchObject({ ok: true, content });
    expect(blob.includes(Buffer.from('private key material'))).toBe(false);
    expect(blob.subarray(0, 20).toString()).toBe('KEYRING-XMPP-BACKUP\n');
  });

  it('reuses a code it is given (one code for all of an account’s backups)', async () => {
    const again = await createBackup({ account: JULIET, content: [1], code, kdf: LIGHT });
    expect(again.code).toBe(code);
    expect(await openBackup(again.blob, code)).toMatchObject({ ok: true, content: [1] });
    expect(again.blob.equals(blob)).toBe(false); // fresh salt and nonce
  });

  it('uses scrypt N=2^16, r=8, p=1 unless told otherwise', async () => {
    const real = await createBackup({ account: JULIET, content: 'x' });
    expect(header(real.blob).kdf).toMatchObject({ name: 'scrypt', N: 2 ** 16, r: 8, p: 1 });
    expect(BACKUP_SCRYPT).toMatchObject({ N: 2 ** 16, r: 8, p: 1 });
    expect(await openBackup(real.blob, real.code)).toMatchObject({ ok: true, content: 'x' });
  });

  it('says "wrong code" for another well-formed code, "typo" for a mistyped one', async () => {
    expect(await openBackup(blob, generateBackupCode())).toMatchObject({ ok: false, error: { code: 'wrong-backup-code' } });
    const canonical = code.replace(/-/g, '');
    const typo = canonical.slice(0, 5) + (canonical[5] === 'A' ? 'B' : 'A') + canonical.slice(6);
    expect(await openBackup(blob, typo)).toMatchObject({ ok: false, error: { code: 'backup-code-mistyped' } });
  });

  it('says "damaged" for any flipped bit or a cut, before deriving a key', async () => {
    for (const index of [21, 30, 60, blob.length - 40, blob.length - 1]) {
      const flipped = Buffer.from(blob);
      flipped[index] = (flipped[index] ?? 0) ^ 0x10;
      expect(await openBackup(flipped, code)).toMatchObject({ ok: false, error: { code: 'backup-damaged' } });
    }
    for (const length of [25, 100, blob.length - 1]) {
      expect(await openBackup(blob.subarray(0, length), code)).toMatchObject({ ok: false, error: { code: 'backup-damaged' } });
    }
  });

  it('says "damaged" for deliberate changes with the digest recomputed (content, account, date)', async () => {
    const cipherByte = Buffer.from(blob);
    cipherByte[blob.length - 50] = (cipherByte[blob.length - 50] ?? 0) ^ 0x01;
    expect(await openBackup(redigest(cipherByte), code)).toMatchObject({ ok: false, error: { code: 'backup-damaged' } });
    // Same length, so only the header's text changes: claim it is romeo's backup.
    const renamed = Buffer.from(blob.toString('latin1').replace('juliet@capulet.lit', 'romeo@capulet.lit1'), 'latin1');
    expect(await openBackup(redigest(renamed), code)).toMatchObject({ ok: false, error: { code: 'backup-damaged' } });
    const redated = Buffer.from(blob.toString('latin1').replace('2025-06-01', '2029-06-01'), 'latin1');
    expect(await openBackup(redigest(redated), code)).toMatchObject({ ok: false, error: { code: 'backup-damaged' } });
  });

  it('refuses a header asking scrypt for too much memory, without trying', async () => {
    const text = blob.toString('latin1');
    const greedy = Buffer.from(text.replace('"N":1024', '"N":1048576').replace('"r":8', '"r":9'), 'latin1');
    const fixedLength = rewriteHeader(greedy);
    const started = Date.now();
    expect(await openBackup(fixedLength, code)).toMatchObject({ ok: false, error: { code: 'backup-damaged' } });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('says which version it cannot read, and what is not a backup at all', async () => {
    const future = Buffer.from(blob);
    future[20] = 2;
    expect(await openBackup(future, code)).toMatchObject({ ok: false, error: { code: 'backup-unsupported-version', message: expect.stringMatching(/format 2/) as unknown } });
    for (const other of [Buffer.alloc(0), Buffer.from('%PDF-1.7 …'), Buffer.from('KEYRING-XMPP-BACKUP'), 'text' as unknown as Buffer, null as unknown as Buffer]) {
      expect(await openBackup(other, code)).toMatchObject({ ok: false, error: { code: 'not-a-backup' } });
    }
  });

  it('refuses a blob over the size cap without reading it, and will not make one', async () => {
    const huge = Buffer.alloc(MAX_BACKUP_BYTES + 1);
    blob.copy(huge);
    expect(await openBackup(huge, code)).toMatchObject({ ok: false, error: { code: 'backup-too-large' } });
    await expect(createBackup({ account: JULIET, content: 'x'.repeat(MAX_BACKUP_BYTES), kdf: LIGHT })).rejects.toThrow(KeyringError);
  });

  it('refuses another account’s backup when told whose it must be', async () => {
    expect(await openBackup(blob, code, ROMEO)).toMatchObject({ ok: false, error: { code: 'backup-other-account', message: expect.stringMatching(JULIET) as unknown } });
    expect(await openBackup(blob, code, 'Juliet@Capulet.lit')).toMatchObject({ ok: true });
  });

  it('changes nothing: the blob is the same bytes after any attempt', async () => {
    const before = Buffer.from(blob);
    await openBackup(blob, generateBackupCode());
    await openBackup(blob, code);
    expect(blob.equals(before)).toBe(true);
  });

  it('tells whose backup it is and when it was made before the code is typed', () => {
    expect(inspectBackup(blob)).toEqual({ ok: true, account: JULIET, createdAt: '2025-06-01T00:00:00.000Z' });
    expect(inspectBackup(Buffer.from('nope'))).toMatchObject({ ok: false, error: { code: 'not-a-backup' } });
  });

  it('refuses bad requests', async () => {
    await expect(createBackup({ account: 'not a jid', content: 1, kdf: LIGHT })).rejects.toThrow(KeyringError);
    await expect(createBackup({ account: JULIET, content: undefined, kdf: LIGHT })).rejects.toThrow(/no content/);
    await expect(createBackup({ account: JULIET, content: 1, code: 'ABCD', kdf: LIGHT })).rejects.toThrow(KeyringError);
    await expect(createBackup({ account: JULIET, content: 1, kdf: { ...LIGHT, N: 2 ** 30 } })).rejects.toThrow(/out of range/);
  });

  it('never throws on hostile input', async () => {
    for (let i = 0; i < 60; i++) {
      const mangled = Buffer.from(blob);
      const at = 20 + ((i * 7919) % (blob.length - 20 - 32)); // not the digest, which redigest rewrites
      mangled[at] = (mangled[at] ?? 0) ^ (1 + (i % 255));
      const result = await openBackup(i % 2 === 0 ? mangled : redigest(mangled), code);
      expect(result.ok).toBe(false);
    }
    expect(await openBackup(blob, undefined as unknown as string)).toMatchObject({ ok: false, error: { code: 'backup-code-mistyped' } });
  });
});

describe('the content restore accepts', () => {
  let content: BackupContent;

  beforeAll(async () => {
    const key = await makeKey();
    content = {
      kind: BACKUP_CONTENT_KIND,
      version: BACKUP_CONTENT_VERSION,
      account: JULIET,
      createdAt: '2025-06-01T00:00:00.000Z',
      ownKeys: [
        {
          fingerprint: key.fingerprint,
          certificate: key.der.toString('base64'),
          privateKey: key.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
          createdAt: '2025-06-01T00:00:00.000Z',
          revocations: await prepareRevocations({ bareJid: JULIET, certificateDer: key.der, privateKey: key.privateKey }),
        },
      ],
      contacts: { [ROMEO]: [{ fingerprint: 'ab'.repeat(32), trust: 'verified', verifiedAt: '2025-05-01T00:00:00.000Z', firstSeen: '2025-04-01T00:00:00.000Z', lastSeen: '2025-05-01T00:00:00.000Z' }] },
      trustPolicy: 'manual',
      contactTrust: { [ROMEO]: { policy: 'btbv', firstVerifiedAt: '2025-05-01T00:00:00.000Z' } },
      otherKeys: {},
    };
  });

  it('goes through a backup and back unchanged', async () => {
    const { blob, code } = await createBackup({ account: JULIET, content, kdf: LIGHT });
    const opened = await openBackup(blob, code, JULIET);
    expect(opened.ok && readBackupContent(opened.content)).toEqual({ ok: true, content });
  });

  it('refuses content from a newer version as such, and anything else as damaged', () => {
    expect(readBackupContent({ ...content, version: BACKUP_CONTENT_VERSION + 1 })).toMatchObject({ ok: false, error: { code: 'backup-unsupported-version' } });
    for (const bad of [null, 'x', {}, { ...content, ownKeys: 'none' }, { ...content, extra: 1 }, { ...content, contacts: { 'not a jid': [] } }]) {
      expect(readBackupContent(bad)).toMatchObject({ ok: false, error: { code: 'backup-damaged' } });
    }
  });
});

/** The header JSON of a blob (magic 20, version 1, length 4). */
function header(blob: Buffer): { kdf: Record<string, unknown> } {
  const length = blob.readUInt32BE(21);
  return JSON.parse(blob.subarray(25, 25 + length).toString('utf8')) as { kdf: Record<string, unknown> };
}

/** The blob with its last 32 bytes made the SHA-256 of the rest again, as a deliberate forger would. */
function redigest(blob: Buffer): Buffer {
  const body = blob.subarray(0, blob.length - 32);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** After a header edit that changed its length: fix the length field and the digest. */
function rewriteHeader(blob: Buffer): Buffer {
  const text = blob.toString('latin1');
  const start = 25;
  const end = text.indexOf('}}', start) + 2;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(end - start);
  return redigest(Buffer.concat([blob.subarray(0, 21), length, blob.subarray(start)]));
}

it('formatBackupCode groups by 4', () => {
  expect(formatBackupCode('ABCDEFGH')).toBe('ABCD-EFGH');
});
