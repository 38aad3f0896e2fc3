/**
 * What romeo's window shows when juliet publishes (from a raw client) a weak key and then more keys
 * than the app keeps: the weak key has a warning badge with its reason, never the green "Valid", and
 * the key list keeps 64 keys (the one already known among them) with one line saying how many were
 * left out.
 */
import forge from 'node-forge';
import { createSelfSignedCertificate } from '../../main/keys/certificate';
import { certificateFingerprint } from '../../main/keys/fingerprint';
import { generateRsaKeyPair } from '../../main/keys/generate';
import { NS } from '../../main/xmpp/namespaces';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items';
import { publishRequest } from '../../main/xmpp/pubsub';
import { CONTACT_KEY_LIMITS } from '../../contract/limits';
import { axeViolations, connectWith, expect, test } from './fixtures';

/** A 512-bit RSA certificate for `jid`, signed with MD5. */
function weakCertificate(jid: string): Buffer {
  const pair = forge.pki.rsa.generateKeyPair({ bits: 512, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = pair.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: jid }]);
  cert.setIssuer([{ name: 'commonName', value: jid }]);
  cert.sign(pair.privateKey, forge.md.md5.create());
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

test('a weak key is a warning, and keys beyond what the app keeps are left out with one line', async ({ friendsInTwoWindows }) => {
  test.setTimeout(120_000);
  const { julietAccount, romeoPage } = await friendsInTwoWindows();
  const juliet = await connectWith(julietAccount);
  try {
    const publish = (der: Buffer) =>
      juliet.session.client.iqCaller.set(
        publishRequest(
          NS.pubkey,
          { id: certificateFingerprint(der), payload: pubkeyPayload(der) },
          { 'pubsub#access_model': 'presence', 'pubsub#persist_items': true, 'pubsub#max_items': 'max' },
        ),
      );

    const weak = weakCertificate(juliet.jid);
    await publish(weak);
    await romeoPage.getByTestId('contact-row').filter({ hasText: juliet.jid }).click();
    const weakKey = romeoPage.locator(`[data-testid="contact-key"][data-status="weak"]`);
    await expect(weakKey).toHaveCount(1);
    await expect(weakKey).toContainText('Weak key');
    await expect(weakKey).not.toContainText('Valid');
    await expect(weakKey).toContainText('only 512 bits');
    await expect(weakKey).toContainText('MD5');

    const { privateKey } = await generateRsaKeyPair(2048);
    const more = await Promise.all(Array.from({ length: 70 }, () => createSelfSignedCertificate({ bareJid: juliet.jid, privateKey })));
    await Promise.all(more.map((der) => publish(der)));
    await romeoPage.getByRole('button', { name: 'Refresh keys' }).click();
    const leftOut = 71 - CONTACT_KEY_LIMITS.currentKeys;
    await expect(romeoPage.getByTestId('keys-left-out')).toContainText(`publishes ${leftOut} more keys than the app keeps`, { timeout: 20_000 });
    await expect(romeoPage.getByTestId('contact-key')).toHaveCount(CONTACT_KEY_LIMITS.currentKeys);
    // The key romeo already knew is kept first.
    await expect(weakKey).toHaveCount(1);
    expect(await axeViolations(romeoPage), 'a contact with a weak key and keys left out').toEqual([]);
  } finally {
    await juliet.session.disconnect();
  }
});
