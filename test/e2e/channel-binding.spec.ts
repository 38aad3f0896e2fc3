/**
 * The SCRAM -PLUS pin on the sign-in screen: a server that offered -PLUS and now does not is refused
 * with a next step; the user can sign in without it only through a confirmation that says what it
 * risks, and the screen stays readable at both sizes and themes. Played by the fake server (test
 * support), since no real server drops -PLUS on request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScramServer, type FakeXmppServer } from '../support/fake-xmpp-server';
import { makeTestPki, type TestPki } from '../support/test-pki';
import { checkEveryLook, expect, openApp, signIn, signOut, test } from './fixtures';

const DOMAIN = 'capulet.lit';
const PASSWORD = 'balcony-secret-4711';

const fake = (pki: TestPki, mechanisms: string[]): Promise<FakeXmppServer> => startScramServer({ domain: DOMAIN, pki, password: PASSWORD, mechanisms });

test('a server that stopped offering -PLUS is refused until the user confirms signing in without it', async ({ page, launchApp, saveScreenshot }) => {
  test.setTimeout(180_000);
  const dir = await mkdtemp(join(tmpdir(), 'keyring-e2e-plus-'));
  const servers: FakeXmppServer[] = [];
  try {
    const pki = await makeTestPki(dir, [DOMAIN]);
    const honest = await fake(pki, ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    const changed = await fake(pki, ['SCRAM-SHA-256']);
    servers.push(honest, changed);
    const account = { jid: `juliet@${DOMAIN}`, password: PASSWORD, caFile: pki.caFile };

    const app = await launchApp();
    await openApp(page, app.url);
    await signIn(page, { ...account, host: honest.host, port: honest.port });
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'Account', exact: true }).click();

    await signIn(page, { ...account, host: changed.host, port: changed.port });
    const error = page.getByTestId('account-error');
    await expect(error).toContainText('used to offer a login tied to the encrypted connection');
    await expect(error).toContainText('Sign in without it');
    expect(changed.scramTranscripts()).toEqual([]);

    // The first click only asks; the warning says what it risks.
    await error.getByRole('button', { name: 'Sign in without it…' }).click();
    await expect(error.getByTestId('no-binding-confirm')).toContainText('Only if your server’s admin told you');
    await checkEveryLook(page, 'sign-in-channel-binding-stripped', saveScreenshot);
    // Cancel takes the question back and signs nobody in.
    await error.getByRole('button', { name: 'Cancel' }).click();
    await expect(error.getByTestId('no-binding-confirm')).toHaveCount(0);
    expect(changed.scramTranscripts()).toEqual([]);

    await error.getByRole('button', { name: 'Sign in without it…' }).click();
    await error.getByRole('button', { name: 'Sign in without it', exact: true }).click();
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    expect(changed.scramTranscripts().map((t) => t.mechanism)).toEqual(['SCRAM-SHA-256']);
    await page.getByRole('button', { name: 'Account', exact: true }).click();
    await signOut(page);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  }
});
