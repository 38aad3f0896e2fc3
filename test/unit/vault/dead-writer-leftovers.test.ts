/**
 * A process killed while saving the vault leaves its temporary file (vault.json.<pid>.<rand>.tmp, a
 * whole copy of the vault) and maybe its second name for the backup (vault.json.bak.<pid>.<rand>.tmp).
 * Opening the vault removes those of writers that are gone, and only those: a live process may be
 * writing its own right now, and other files in the folder are not the vault's to tidy.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Vault, VAULT_FILE } from '../../../main/vault/vault.js';
import { LIGHT_SCRYPT } from '../../support/vaults.js';
import { vaultFolderPerTest } from './vault-fixtures.js';

const folder = vaultFolderPerTest('keyring-leftovers-');
const PASSPHRASE = 'correct horse battery';

/** The pid of a process that has ended (a writer killed mid-write, as far as the folder can tell). */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => (child.pid === undefined ? reject(new Error('no pid')) : resolve(child.pid)));
  });
}

/** The names atomic-file.ts gives its temporary files. */
const tmpName = (pid: number, bak = false) => `${VAULT_FILE}${bak ? '.bak' : ''}.${pid}.${randomBytes(6).toString('hex')}.tmp`;

describe('opening the vault after a writer was killed mid-write', () => {
  it('removes the dead writer’s copies of the vault; a live writer’s and other files stay', async () => {
    await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT });
    const dead = await deadPid();
    // …and a lock file it was writing, or a stale lock it had moved aside to break it (vault-lock.ts).
    const gone = [tmpName(dead), tmpName(dead, true), `${VAULT_FILE}.lock.${dead}.${randomBytes(6).toString('hex')}.tmp`];
    const live = [tmpName(process.pid), tmpName(process.ppid)];
    const unrelated = ['notes.txt', `${VAULT_FILE}.${dead}.tmp`, `other.json.${dead}.${randomBytes(6).toString('hex')}.tmp`];
    for (const name of [...gone, ...live, ...unrelated]) await writeFile(join(folder.dir, name), 'a whole copy of the vault', { mode: 0o600 });

    const vault = await Vault.open({ dir: folder.dir, passphrase: PASSPHRASE, scrypt: LIGHT_SCRYPT });
    expect(vault).toBeInstanceOf(Vault);
    const left = await readdir(folder.dir);
    for (const name of gone) expect(left).not.toContain(name);
    for (const name of [...live, ...unrelated, VAULT_FILE]) expect(left).toContain(name);
    await vault.close();
  });
});
