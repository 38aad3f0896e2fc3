/**
 * `backup:create` through the dispatcher, as the window and the CLI send it, on a passphrase vault:
 * without the vault passphrase, with an empty or an over-long one, or with a wrong one, nothing is
 * backed up and the refusal names the field; with the right one the backup is made. The passphrase
 * appears in no answer, log line, stream log line or event. (A keychain vault, which has no
 * passphrase: test/unit/backup-service.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKeyringCore, type KeyringCore } from '../../main/core.js';
import type { Logger } from '../../main/logger.js';
import { LIGHT_SCRYPT } from '../support/vaults.js';

const ACCOUNT = 'juliet@capulet.lit';
const PASSPHRASE = 'juliet’s own vault passphrase';
const WRONG = 'romeo’s guess at it';

let dataDir: string;
let core: KeyringCore;
/** Everything the core wrote or said: log lines, stream log lines, events. */
let said: string[];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'keyring-backup-ipc-'));
  said = [];
  const log: Logger = {
    info: (m) => said.push(m),
    warn: (m) => said.push(m),
    error: (m, e) => said.push(m, e instanceof Error ? `${e.message} ${e.stack ?? ''}` : String(e)),
  };
  core = createKeyringCore({
    host: 'browser',
    version: 'test',
    log,
    dataDir,
    scrypt: LIGHT_SCRYPT,
    backupKdf: { name: 'scrypt', N: 2 ** 10, r: 8, p: 1 },
    otherKeysAtSignIn: false,
    streamLog: { write: (line) => said.push(line) },
  });
  core.events.subscribe((event, payload) => said.push(event, JSON.stringify(payload)));
  expect((await core.api.vault.unlock({ passphrase: PASSPHRASE })).ok).toBe(true);
  core.workOffline(ACCOUNT);
  expect((await core.api.keys.generate({ bits: 2048, validityDays: 30 })).ok).toBe(true);
}, 30_000);

afterEach(async () => {
  await core.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

const notBackedUp = async () => {
  const status = await core.api.backup.status();
  return status.ok ? status.value.notBackedUp.length : -1;
};

describe('backup:create on a passphrase vault', () => {
  it('refuses a request without the passphrase, or with an empty or over-long one, naming the field; nothing is backed up', async () => {
    for (const params of [{}, { passphrase: '' }, { passphrase: 'x'.repeat(1025) }]) {
      const answer = await core.api.backup.create({ file: true, toAccount: false, ...params });
      expect(answer, JSON.stringify(params).slice(0, 40)).toMatchObject({ ok: false, error: { code: 'invalid-argument', field: 'passphrase' } });
    }
    const missing = await core.api.backup.create({ file: true, toAccount: false });
    expect(missing).toEqual({ ok: false, error: { code: 'invalid-argument', message: 'Enter your vault passphrase to make a backup.', field: 'passphrase' } });
    expect(await notBackedUp()).toBe(1);
  });

  it('refuses a wrong passphrase in one sentence, before asking for the connection, and makes nothing', async () => {
    for (const toAccount of [false, true]) {
      const answer = await core.api.backup.create({ file: true, toAccount, passphrase: WRONG });
      expect(answer).toEqual({ ok: false, error: { code: 'wrong-passphrase', message: 'That is not your vault passphrase. Nothing was backed up.', field: 'passphrase' } });
    }
    expect(await notBackedUp()).toBe(1);
    // The vault stays open: a wrong try does not lock anyone out of the rest of the app.
    expect((await core.api.keys.list()).ok).toBe(true);
  });

  it('makes the backup with the right passphrase; neither passphrase is in any answer, log, stream log or event', async () => {
    expect((await core.api.backup.create({ file: true, toAccount: false, passphrase: WRONG })).ok).toBe(false);
    const made = await core.api.backup.create({ file: true, toAccount: false, passphrase: PASSPHRASE });
    expect(made.ok && made.value.fingerprints).toHaveLength(1);
    // The file counts once saved (what the screen and the CLI say after writing it).
    expect(await notBackedUp()).toBe(1);
    expect((await core.api.backup.fileSaved({ backupId: made.ok ? (made.value.file?.backupId ?? '') : '' })).ok).toBe(true);
    expect(await notBackedUp()).toBe(0);
    const everything = [...said, JSON.stringify(made)].join('\n');
    expect(everything).not.toContain(PASSPHRASE);
    expect(everything).not.toContain(WRONG);
  });
});
