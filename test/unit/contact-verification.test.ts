/**
 * Verifying a contact's key (ContactKeys.verify, verifyQrImage, unverify, accept, policies) over a
 * stand-in session and a real vault: only a match with a CURRENT key verifies; a mismatch is recorded
 * and changes no trust; a verification link for someone else is refused naming whose it is; a QR code
 * picture is read in main and goes the same way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import xml from '@xmpp/xml';
import type { EventPayload } from '../../contract/index.js';
import { parseVerificationClaim, verificationUri } from '../../contract/format.js';
import { AppEvents } from '../../main/events.js';
import { KeyringError } from '../../main/errors.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { silentLogger } from '../../main/logger.js';
import { ContactKeys } from '../../main/services/contact-keys.js';
import type { SessionPort } from '../../main/services/session-port.js';
import { ContactKeysStore } from '../../main/vault/stores/contact-keys-store.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { pubkeyPayload } from '../../main/xmpp/pubkey-items.js';
import { fakeSession } from '../support/fake-session.js';
import { unlockedVaults } from '../support/vaults.js';

const ACCOUNT = 'romeo@montague.lit';
const JULIET = 'juliet@capulet.lit';
let first: Buffer;
let second: Buffer;
let dir: string;
/** What juliet's node holds now (the stand-in server answers with it). */
let published: Buffer[];
/** The stanza error the stand-in answers with instead, when set (their server down, refusing…). */
let failing: Error | undefined;

beforeAll(async () => {
  const a = await generateRsaKeyPair(2048);
  const b = await generateRsaKeyPair(2048);
  first = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: a.privateKey });
  second = await createSelfSignedCertificate({ bareJid: JULIET, privateKey: b.privateKey });
}, 60_000);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyring-verify-'));
  published = [];
  failing = undefined;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function setup(events = new AppEvents()): Promise<ContactKeys> {
  const vaults = await unlockedVaults(dir);
  const session = fakeSession({
    account: ACCOUNT,
    answer: () =>
      failing ? Promise.reject(failing) : Promise.resolve(
        xml(
          'pubsub',
          { xmlns: NS.pubsub },
          xml('items', { node: NS.pubkey }, ...published.map((der) => xml('item', { id: certificateFingerprint(der) }, pubkeyPayload(der)))),
        ),
      ),
  });
  return new ContactKeys({ store: new ContactKeysStore(vaults), session, events, log: silentLogger, isKnownContact: () => true });
}

const claim = (text: string) => {
  const parsed = parseVerificationClaim(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
};
const trustOf = (contactKeys: ContactKeys, der: Buffer) => contactKeys.known(JULIET).keys.find((k) => k.fingerprint === certificateFingerprint(der));

describe('verification only on a match', () => {
  it('a fingerprint that matches no current key verifies nothing and is recorded as a mismatch', async () => {
    published = [first];
    const contactKeys = await setup();
    await contactKeys.fetch(JULIET);
    const answer = await contactKeys.verify(JULIET, claim(certificateFingerprint(second)));
    expect(answer.outcome).toBe('mismatch');
    expect(trustOf(contactKeys, first)).toMatchObject({ trust: 'unverified', decision: 'trusted' });
    expect(answer.view.mismatches).toMatchObject([{ offered: certificateFingerprint(second), via: 'typed' }]);
  });

  it('the matching fingerprint, typed with spaces and capitals, verifies that key', async () => {
    published = [first, second];
    const contactKeys = await setup();
    await contactKeys.fetch(JULIET);
    const typed = certificateFingerprint(second).toUpperCase().match(/.{4}/g)?.join(' ') ?? '';
    const answer = await contactKeys.verify(JULIET, claim(typed));
    expect(answer).toMatchObject({ outcome: 'verified', fingerprint: certificateFingerprint(second) });
    expect(trustOf(contactKeys, second)).toMatchObject({ trust: 'verified', decision: 'verified' });
    expect(trustOf(contactKeys, first)?.trust).toBe('unverified');
  });

  it('a key its owner withdrew is never verified, even when its fingerprint is offered', async () => {
    published = [first];
    const contactKeys = await setup();
    await contactKeys.fetch(JULIET);
    published = [second];
    await contactKeys.fetch(JULIET);
    const answer = await contactKeys.verify(JULIET, claim(certificateFingerprint(first)));
    expect(answer.outcome).toBe('mismatch');
    expect(trustOf(contactKeys, first)?.trust).toBe('retracted');
  });

  it('a verification link for someone else is refused, naming whose it is, and nothing is recorded', async () => {
    published = [first];
    const contactKeys = await setup();
    await contactKeys.fetch(JULIET);
    const error = await contactKeys.verify(JULIET, claim(verificationUri('nurse@capulet.lit', certificateFingerprint(first)))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).message).toBe('This verification link is for nurse@capulet.lit, not for juliet@capulet.lit.');
    expect(contactKeys.known(JULIET).mismatches).toEqual([]);
    expect(trustOf(contactKeys, first)?.trust).toBe('unverified');
  });

  it('a picture of their QR code verifies the key it names; a picture with no code is refused', async () => {
    published = [first, second];
    const contactKeys = await setup();
    await contactKeys.fetch(JULIET);
    const png = await QRCode.toBuffer(verificationUri(JULIET, certificateFingerprint(first)), { type: 'png', margin: 2, scale: 4 });
    const answer = await contactKeys.verifyQrImage(JULIET, png);
    expect(answer).toMatchObject({ outcome: 'verified', fingerprint: certificateFingerprint(first) });
    expect(trustOf(contactKeys, second)?.trust).toBe('unverified');

    const { PNG } = await import('pngjs');
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    await expect(contactKeys.verifyQrImage(JULIET, PNG.sync.write(blank))).rejects.toThrow('No QR code was found in the picture');
    // No type is said: the bytes tell. Text is no picture, whatever a file name would have claimed.
    await expect(contactKeys.verifyQrImage(JULIET, Buffer.from('not a picture'))).rejects.toThrow('That is not a PNG or JPEG image: choose a PNG or JPEG picture of the QR code.');
    // A shop's QR code (a plain web address): said as what it is not, not as a fingerprint's parse error.
    const shop = await QRCode.toBuffer('https://example.com/menu', { type: 'png', margin: 2, scale: 4 });
    const refused = contactKeys.verifyQrImage(JULIET, shop);
    await expect(refused).rejects.toThrow("This QR code is not a key's verification link. Ask them to show the QR code of their key (its “QR code” button).");
    await expect(refused).rejects.not.toThrow(/digits|\.\.$/);
  });

  it('a comparison that matches is remembered for the contact, past a verification taken back (its earlier mismatch stays answered)', async () => {
    published = [first, second];
    const contactKeys = await setup();
    await contactKeys.fetch(JULIET);
    const mismatch = await contactKeys.verify(JULIET, { fingerprint: 'f'.repeat(64) });
    expect(mismatch.outcome).toBe('mismatch');
    const matched = await contactKeys.verify(JULIET, { fingerprint: certificateFingerprint(first) });
    const after = await contactKeys.unverify(JULIET, certificateFingerprint(first));
    expect(after.mismatches).toHaveLength(1);
    expect(after.lastMatchAt).toBeDefined();
    expect(Date.parse(after.lastMatchAt ?? '')).toBeGreaterThanOrEqual(Date.parse(after.mismatches[0]?.at ?? ''));
    expect(matched.view.lastMatchAt).toBe(after.lastMatchAt);
  });

  it('a verification can be taken back', async () => {
    published = [first];
    const contactKeys = await setup();
    await contactKeys.fetch(JULIET);
    await contactKeys.verify(JULIET, claim(certificateFingerprint(first)));
    const view = await contactKeys.unverify(JULIET, certificateFingerprint(first));
    expect(view.keys[0]).toMatchObject({ trust: 'unverified', decision: 'trusted' });
  });
});

/** A stanza error as xmpp.js's iq caller rejects with it (RFC 6120 §8.3). */
function stanzaError(condition: string, type: string): Error {
  const element = xml('error', { type }, xml(condition, { xmlns: NS.stanzas }));
  return Object.assign(new Error(condition), { name: 'StanzaError', condition, element });
}

describe('only against the keys their server has now', () => {
  const cases = [
    { condition: 'remote-server-timeout', type: 'wait', fetch: 'unreachable', why: 'their server could not be reached' },
    { condition: 'forbidden', type: 'auth', fetch: 'refused', why: 'they do not let you read them' },
    { condition: 'internal-server-error', type: 'wait', fetch: 'failed', why: 'their server answered with an error' },
  ] as const;

  it('while the latest read of their keys failed, a key of the vault’s older copy (withdrawn since, perhaps) is not verified, and no mismatch is recorded', async () => {
    for (const c of cases) {
      published = [first];
      failing = undefined;
      const contactKeys = await setup();
      await contactKeys.fetch(JULIET);
      // Juliet withdraws that key (it leaked); her server cannot be read now.
      failing = stanzaError(c.condition, c.type);
      expect((await contactKeys.fetch(JULIET)).fetch).toBe(c.fetch);
      const error = await contactKeys.verify(JULIET, claim(certificateFingerprint(first))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeyringError);
      expect(error).toMatchObject({ code: 'precondition-not-met', nextStep: expect.stringMatching(/compare again once their keys can be read/) as unknown });
      expect((error as KeyringError).message).toMatch(new RegExp(`^Could not read juliet@capulet.lit's current keys: ${c.why} \\(${c.condition}\\)\\. Nothing was verified\\.$`));
      expect(trustOf(contactKeys, first)?.trust).toBe('unverified');
      expect(contactKeys.known(JULIET).mismatches).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('once their keys are read again, the comparison is made with what their server has', async () => {
    published = [first];
    const contactKeys = await setup();
    await contactKeys.fetch(JULIET);
    failing = stanzaError('remote-server-timeout', 'wait');
    await contactKeys.fetch(JULIET);
    failing = undefined;
    published = [second];
    await contactKeys.fetch(JULIET);
    // The key withdrawn meanwhile is a mismatch; the current one verifies.
    expect((await contactKeys.verify(JULIET, claim(certificateFingerprint(first)))).outcome).toBe('mismatch');
    expect(await contactKeys.verify(JULIET, claim(certificateFingerprint(second)))).toMatchObject({ outcome: 'verified' });
  });
});

describe('trust policies on a contact', () => {
  it('blind trust before verification: after one key is verified, a new key needs verifying', async () => {
    published = [first];
    const contactKeys = await setup();
    await contactKeys.fetch(JULIET);
    await contactKeys.setPolicy(JULIET, 'btbv');
    expect(trustOf(contactKeys, first)?.decision).toBe('trusted');
    await contactKeys.verify(JULIET, claim(certificateFingerprint(first)));
    published = [first, second];
    const view = await contactKeys.fetch(JULIET);
    expect(view).toMatchObject({ policy: 'btbv', policySource: 'contact' });
    expect(trustOf(contactKeys, second)).toMatchObject({ trust: 'unverified', decision: 'untrusted' });
    // Under trust on first use the same key is trusted.
    await contactKeys.setPolicy(JULIET, null);
    expect(trustOf(contactKeys, second)?.decision).toBe('trusted');
  });

  it('manual: nothing is trusted until verified, whatever the account says', async () => {
    published = [first];
    const contactKeys = await setup();
    await contactKeys.setAccountPolicy('manual');
    const view = await contactKeys.fetch(JULIET);
    expect(view).toMatchObject({ policy: 'manual', policySource: 'account' });
    expect(view.keys[0]?.decision).toBe('untrusted');
  });
});

describe('every window hears of a change of trust (two tabs, two windows on one core)', () => {
  it('a verification, a mismatch, one taken back, a change accepted and policies each go out as contacts:trust', async () => {
    const events = new AppEvents();
    const heard: EventPayload<'contacts:trust'>[] = [];
    events.subscribe((event, payload) => {
      if (event === 'contacts:trust') heard.push(payload as EventPayload<'contacts:trust'>);
    });
    published = [first];
    const contactKeys = await setup(events);
    // The first fetch found a key: the other windows hear of the keys as they now stand.
    const fetched = await contactKeys.fetch(JULIET);
    expect(heard).toEqual([{ kind: 'contact', view: expect.objectContaining({ jid: JULIET, keys: fetched.keys }) as unknown }]);
    // Asked again, nothing changed: nothing to tell.
    await contactKeys.fetch(JULIET);
    expect(heard).toHaveLength(1);
    const trustIn = (change: EventPayload<'contacts:trust'> | undefined, der: Buffer) =>
      change?.kind === 'contact' ? change.view.keys.find((k) => k.fingerprint === certificateFingerprint(der))?.trust : undefined;

    const verified = await contactKeys.verify(JULIET, claim(certificateFingerprint(first)));
    expect(heard.at(-1)).toEqual({ kind: 'contact', view: verified.view });
    expect(trustIn(heard.at(-1), first)).toBe('verified');

    await contactKeys.verify(JULIET, claim(certificateFingerprint(second)));
    expect(heard.at(-1)).toMatchObject({ kind: 'contact', view: { jid: JULIET, mismatches: [expect.objectContaining({ offered: certificateFingerprint(second) })] } });

    const unverified = await contactKeys.unverify(JULIET, certificateFingerprint(first));
    expect(heard.at(-1)).toEqual({ kind: 'contact', view: unverified });
    expect(trustIn(heard.at(-1), first)).toBe('unverified');

    published = [second];
    await contactKeys.fetch(JULIET);
    // The key replaced: told to the other windows too.
    expect(trustIn(heard.at(-1), second)).toBe('changed');
    const accepted = await contactKeys.accept(JULIET, certificateFingerprint(second));
    expect(heard.at(-1)).toEqual({ kind: 'contact', view: accepted });

    await contactKeys.setPolicy(JULIET, 'manual');
    expect(heard.at(-1)).toMatchObject({ kind: 'contact', view: { jid: JULIET, policy: 'manual', policySource: 'contact' } });
    await contactKeys.setAccountPolicy('btbv');
    expect(heard.at(-1)).toEqual({ kind: 'account-policy', policy: 'btbv' });
    // Six changes of trust, and the two fetches that changed the keys.
    expect(heard).toHaveLength(8);
  });
});

describe('a QR picture read for one account while another signs in', () => {
  it('mercutio signs in while romeo’s picture of juliet’s code is read: nothing is recorded for either account, and no window hears of it', async () => {
    const MERCUTIO = 'mercutio@montague.lit';
    published = [first];
    const vaults = await unlockedVaults(dir);
    const store = new ContactKeysStore(vaults);
    let account = ACCOUNT;
    let generation = 1;
    const base = fakeSession({
      account: ACCOUNT,
      answer: () =>
        Promise.resolve(
          xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.pubkey }, ...published.map((der) => xml('item', { id: certificateFingerprint(der) }, pubkeyPayload(der))))),
        ),
    });
    // The session another window switches: mercutio's sign-in opens a new stream.
    const session: SessionPort = {
      iq: base.iq,
      send: (stanza) => base.send(stanza),
      requireXep0222Support: () => base.requireXep0222Support(),
      get ownJid() {
        return account;
      },
      get state() {
        return { status: 'online' as const, account };
      },
      get sessionGeneration() {
        return generation;
      },
    };
    const events = new AppEvents();
    const heard: unknown[] = [];
    events.subscribe((event, payload) => {
      if (event === 'contacts:trust') heard.push(payload);
    });
    const contactKeys = new ContactKeys({ store, session, events, log: silentLogger, isKnownContact: () => true });
    await contactKeys.fetch(JULIET);
    heard.length = 0;
    const png = await QRCode.toBuffer(verificationUri(JULIET, certificateFingerprint(first)), { type: 'png', margin: 2, scale: 4 });

    // The picture is read on a thread of its own: mercutio signs in meanwhile.
    const answer = contactKeys.verifyQrImage(JULIET, png);
    account = MERCUTIO;
    generation++;
    const error = await answer.catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KeyringError);
    expect(error).toMatchObject({ code: 'signed-out-meanwhile', message: expect.stringMatching(/^romeo@montague\.lit was signed out .*nothing was recorded/) as string });
    // Neither a verification nor a false mismatch alarm, under either account; no window told.
    expect(store.contactTrust(MERCUTIO, JULIET).mismatches ?? []).toEqual([]);
    expect(store.keys(MERCUTIO, JULIET)).toEqual([]);
    expect(store.contactTrust(ACCOUNT, JULIET).mismatches ?? []).toEqual([]);
    expect(store.keys(ACCOUNT, JULIET).map((k) => k.trust)).toEqual(['unverified']);
    expect(heard).toEqual([]);
  });
});
