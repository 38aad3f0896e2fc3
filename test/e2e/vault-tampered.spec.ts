/**
 * A vault file changed outside the app (here: the server host a saved password would go to, with the
 * public checksum recomputed) is refused on the unlock screen with a plain explanation, and the person
 * can open the backup copy instead; the changed file is kept aside.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vault, VAULT_FILE } from '../../main/vault/vault';
import { stopChild } from '../support/prosody';
import { bodySha256, readEnvelope, writeEnvelope } from '../support/vault-envelope';
import { startBuiltBrowserHost } from '../support/browser-host-process';
import { axeViolations, E2E_PASSPHRASE, expect, test } from './fixtures';

const JULIET = 'juliet@capulet.lit';

/** A data dir whose vault was saved twice by the app, then edited by someone without the passphrase. */
async function tamperedDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'keyring-tampered-'));
  const vault = await Vault.open({ dir, passphrase: E2E_PASSPHRASE, scrypt: { name: 'scrypt', N: 2 ** 12, r: 8, p: 1 } });
  await vault.update((d) => {
    d.accounts[JULIET] = { jid: JULIET, settings: { host: 'xmpp.capulet.lit' }, ownKeys: [], contacts: {} };
  });
  await vault.update((d) => {
    const account = d.accounts[JULIET];
    if (account) account.settings.port = 5222;
  });
  // The app opens it next: one process at a time (main/vault/vault-lock.ts).
  await vault.close();
  const path = join(dir, VAULT_FILE);
  const envelope = await readEnvelope(path);
  envelope.body = envelope.body.replace('xmpp.capulet.lit', 'evil.example');
  envelope.sha256 = bodySha256(envelope.body);
  await writeEnvelope(path, envelope);
  return dir;
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`a vault file changed outside the app is refused, explained, and the backup copy opens (${colorScheme})`, async ({ browser }) => {
    const dataDir = await tamperedDataDir();
    const host = await startBuiltBrowserHost(dataDir);
    try {
      const page = await (await browser.newContext({ colorScheme })).newPage();
      await page.goto(host.url);
      await page.getByLabel('Vault passphrase').fill(E2E_PASSPHRASE);
      await page.getByRole('button', { name: 'Unlock' }).click();

      const notice = page.getByTestId('vault-tampered');
      await expect(notice).toContainText('Your vault file was changed outside the app');
      await expect(notice).toContainText('nothing in it was used');
      await expect(page.getByRole('navigation', { name: 'Screens' })).toBeHidden();
      expect(await axeViolations(page)).toEqual([]);

      await page.getByRole('button', { name: 'Open the backup copy' }).click();
      await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible({ timeout: 15_000 });
      // The changed file was kept aside, not deleted.
      expect((await readdir(dataDir)).filter((f) => f.startsWith(`${VAULT_FILE}.tampered-`))).toHaveLength(1);
    } finally {
      await stopChild(host.child);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}
