/**
 * Found by a user's walk (review-walk4): the server's own certificate typed as the "Extra CA
 * certificate" was shown with its fingerprint as if it were fine, and Connect then advised choosing the
 * CA certificate, which the person believed they had done. The field now says it is no authority and
 * names the one that issued it.
 */
import { join } from 'node:path';
import { checkEveryLook, expect, openApp, test } from './fixtures';

test('a server’s own certificate as the extra CA: the field says it is none, and names its issuer', async ({ page, browserHost, prosody, saveScreenshot }) => {
  await openApp(page, browserHost.url);
  await page.getByText('Server settings').click();
  await page.getByLabel('Extra CA certificate (PEM file path)').fill(join(prosody.dir, 'server.crt'));
  const shown = page.getByTestId('ca-fingerprint');
  await expect(shown.getByTestId('ca-not-authority')).toHaveText(
    /CN=capulet\.lit is a server’s own certificate, not a CA certificate:[\s\S]* authority that issued it \(CN=Keyring throwaway test CA\)\./,
  );
  await checkEveryLook(page, 'ca-file-server-certificate', saveScreenshot);

  // The CA's own certificate: no such words.
  await page.getByLabel('Extra CA certificate (PEM file path)').fill(join(prosody.dir, 'ca.crt'));
  await expect(shown).toContainText('CN=Keyring throwaway test CA');
  await expect(shown.getByTestId('ca-not-authority')).toHaveCount(0);
});
