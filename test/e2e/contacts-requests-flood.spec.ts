/**
 * More requests to see your presence than the app keeps (hostile review #1: a stranger's server can ask
 * from thousands of addresses, and Prosody sends every one still pending again at each login, RFC 6121
 * §3.1.3). The newest PRESENCE_REQUEST_LIMITS.listed are listed, and one line says how many more came.
 * The requests are put in romeo's stored roster as pending before he signs in: Prosody then sends them
 * all after his initial presence, as it would after a real flood.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRESENCE_REQUEST_LIMITS } from '../../contract/limits';
import { expect, openApp, signInOnline, SIZES, test } from './fixtures';

const ASKING = PRESENCE_REQUEST_LIMITS.listed + 44;

/** Prosody's datamanager names files and folders with every non-alphanumeric character as %xx. */
const prosodyName = (text: string) => text.replace(/\W/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

test(`${ASKING} requests: the newest ${PRESENCE_REQUEST_LIMITS.listed} are listed, and the window says ${ASKING - PRESENCE_REQUEST_LIMITS.listed} more came`, async ({ page, launchApp, newAccount, prosody, saveScreenshot }) => {
  test.setTimeout(120_000);
  const romeo = await newAccount('romeo');
  const [local = '', domain = ''] = romeo.jid.split('@');
  const pending = Array.from({ length: ASKING }, (_, i) => `    ["asker-${String(i).padStart(3, '0')}@evil.lit"] = true;`).join('\n');
  const rosterDir = join(prosody.dir, 'data', prosodyName(domain), 'roster');
  await mkdir(rosterDir, { recursive: true });
  await writeFile(join(rosterDir, `${prosodyName(local)}.dat`), `return {\n  [false] = {\n    ["version"] = 1;\n    ["pending"] = {\n${pending}\n    };\n  };\n};\n`);

  const app = await launchApp();
  await openApp(page, app.url);
  await page.setViewportSize(SIZES[1]);
  await signInOnline(page, romeo);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: /^Contacts/ }).click();

  const requests = page.getByTestId('subscription-requests');
  await expect(page.getByTestId('requests-not-shown')).toHaveText(
    `${ASKING - PRESENCE_REQUEST_LIMITS.listed} more requests came than are listed. Your server sends them again at your next sign-in.`,
    { timeout: 20_000 },
  );
  await expect(requests.getByRole('button', { name: 'Approve' })).toHaveCount(PRESENCE_REQUEST_LIMITS.listed);
  await expect(page.getByTestId('requests-badge')).toHaveText(String(PRESENCE_REQUEST_LIMITS.listed));
  // The list scrolls in its box: the contacts below it stay on the screen, at the smallest size too.
  await expect(page.getByRole('searchbox', { name: 'Search contacts' })).toBeInViewport({ ratio: 1 });
  await saveScreenshot('contacts-requests-not-shown-800');
});
