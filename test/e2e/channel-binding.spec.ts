/**
 * The login pins on the sign-in screen: a server that offered -PLUS and now does not, or that took
 * SCRAM and now offers only PLAIN, is refused with a next step; the user can sign in anyway only
 * through a confirmation that says what it risks, and the screen stays readable at both sizes and
 * themes. Played by the fake server (test support), since no real server changes its offer on request.
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
    await expect(error.getByTestId('weaker-login-confirm')).toContainText('Only if your server’s admin told you');
    await checkEveryLook(page, 'sign-in-channel-binding-stripped', saveScreenshot);
    // Cancel takes the question back and signs nobody in.
    await error.getByRole('button', { name: 'Cancel' }).click();
    await expect(error.getByTestId('weaker-login-confirm')).toHaveCount(0);
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

test('a server that took SCRAM and now offers only PLAIN gets no password until the user confirms sending it', async ({ page, launchApp, saveScreenshot }) => {
  test.setTimeout(180_000);
  const dir = await mkdtemp(join(tmpdir(), 'keyring-e2e-scram-'));
  const servers: FakeXmppServer[] = [];
  try {
    const pki = await makeTestPki(dir, [DOMAIN]);
    const honest = await fake(pki, ['SCRAM-SHA-256', 'PLAIN']);
    const changed = await fake(pki, ['PLAIN']);
    servers.push(honest, changed);
    const account = { jid: `juliet@${DOMAIN}`, password: PASSWORD, caFile: pki.caFile };
    const passwordSent = () => changed.received().join('').includes(Buffer.from(`\0juliet\0${PASSWORD}`).toString('base64'));

    const app = await launchApp();
    await openApp(page, app.url);
    await signIn(page, { ...account, host: honest.host, port: honest.port });
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    await page.getByRole('button', { name: 'Account', exact: true }).click();

    await signIn(page, { ...account, host: changed.host, port: changed.port });
    const error = page.getByTestId('account-error');
    await expect(error).toContainText('used to take a login that does not send your password (SCRAM)');
    await expect(error).toContainText('choose “Sign in by sending the password”');
    expect(passwordSent()).toBe(false);

    // The first click only asks; the warning says who would get the password.
    await error.getByRole('button', { name: 'Sign in by sending the password…' }).click();
    await expect(error.getByTestId('weaker-login-confirm')).toContainText('Anyone posing as your server with a false certificate would get your password.');
    await checkEveryLook(page, 'sign-in-scram-stripped', saveScreenshot);
    // Cancel takes the question back and sends nothing.
    await error.getByRole('button', { name: 'Cancel' }).click();
    await expect(error.getByTestId('weaker-login-confirm')).toHaveCount(0);
    expect(passwordSent()).toBe(false);

    await error.getByRole('button', { name: 'Sign in by sending the password…' }).click();
    await error.getByRole('button', { name: 'Send the password', exact: true }).click();
    await expect(page.getByTestId('connection-status')).toHaveText(/Online/);
    expect(passwordSent()).toBe(true);
    await page.getByRole('button', { name: 'Account', exact: true }).click();
    await signOut(page);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  }
});
