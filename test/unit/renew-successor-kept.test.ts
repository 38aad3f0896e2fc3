/**
 * A renewal makes and stores its successor before publishing it: a publish that fails then leaves the
 * successor in the vault, and the key's one renewal used (contacts take one successor per key). The
 * failure says so, and how to publish the successor: the window's next step points to My keys, the
 * CLI's names the command, and the key list says which key is whose successor. Over a PEP service in
 * memory, with a real vault.
 */
import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { successorKeptStep } from '../../main/cli/commands/keys.js';
import { describeOwnKey } from '../../main/cli/output.js';
import { KeyringError } from '../../main/errors.js';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET, stanzaError } from '../support/fake-pep-service.js';
import { ownKeysOnPep, type OwnKeysOnPep } from '../support/own-keys-on-pep.js';
import { unlockedVaults } from '../support/vaults.js';

let privateKey: KeyObject;
beforeAll(async () => {
  ({ privateKey } = await generateRsaKeyPair(2048));
}, 60_000);

describe('a renewal whose successor could not be published', () => {
  let dir: string;
  let pep: ReturnType<typeof fakePep>;
  let laptop: OwnKeysOnPep;
  let old: string;

  beforeEach(async () => {
    pep = fakePep({ fields: BASE_FIELDS });
    dir = await mkdtemp(join(tmpdir(), 'keyring-renew-kept-'));
    laptop = ownKeysOnPep(await unlockedVaults(dir), pep);
    const der = await createSelfSignedCertificate({ bareJid: JULIET, privateKey, validityDays: 30 });
    old = certificateFingerprint(der);
    await laptop.store.add(JULIET, { fingerprint: old, certificateDer: der, privateKey });
    await laptop.keys.publish(old, { model: 'presence' });
    // From here the server refuses every publish (as the broken node of the CLI walk did).
    const set = pep.ctx.iq.set.bind(pep.ctx.iq);
    pep.ctx.iq.set = async (element, ...rest) => {
      if (element.is('pubsub', NS.pubsub) && element.getChild('publish')) throw stanzaError('forbidden', 'auth');
      return set(element, ...rest);
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function failedRenewal(): Promise<KeyringError> {
    const error: unknown = await laptop.keys.renew(old, { newKey: false }).then(
      () => expect.fail('the renewal succeeded'),
      (e: unknown) => e,
    );
    if (!(error instanceof KeyringError)) return expect.fail(`not a KeyringError: ${String(error)}`);
    return error;
  }

  it('says the new certificate was made and kept, that the renewal is used, and where to publish it', async () => {
    const error = await failedRenewal();
    const successor = laptop.keys.list().find((k) => k.continues === old);
    expect(successor).toMatchObject({ publications: [] });
    expect(error.message).toMatch(/\. The new certificate [0-9a-f ]+… was made and kept, not published: it is this key's renewal, so renewing this key again is refused\. Your old key is still published as it was\.$/);
    expect(error.nextStep).toBe('Publish the new key from My keys (its card says it replaces this one) to the same people; then retract the old one.');
    // The old key is untouched on the server and in the record.
    expect(pep.nodes.get(NS.pubkey)?.items).toEqual([old]);
    expect(laptop.keys.list().find((k) => k.fingerprint === old)?.publications).toHaveLength(1);
    // The retry is refused, naming the successor; the list names the renewal from both sides.
    await expect(laptop.keys.renew(old, { newKey: false })).rejects.toThrow(`already renewed: its successor is ${successor?.fingerprint ?? '?'}`);
    const list = laptop.keys.list();
    expect(describeOwnKey(list.find((k) => k.continues === old) ?? expect.fail('no successor'), list)).toContain('successor of ');
  });

  it('the CLI gives the command that publishes it to the old key’s audience, then withdraws the old one', async () => {
    const before = laptop.keys.list();
    const error = (await failedRenewal()).toIpcError();
    const list = () => Promise.resolve({ ok: true as const, value: laptop.keys.list() });
    const successor = laptop.keys.list().find((k) => k.continues === old)?.fingerprint ?? expect.fail('no successor');

    const said = await successorKeptStep({ keys: { list } }, before, error);
    expect(said.message).toBe(error.message);
    expect(said.nextStep).toBe(
      `Publish it with \`keyring keys publish ${successor} --access presence\` (the audience your old key has), then withdraw the old one with \`keyring keys retract ${old}\`.`,
    );
    // Any other failure (no successor made by it) is left as main said it.
    expect(await successorKeptStep({ keys: { list } }, laptop.keys.list(), error)).toBe(error);
  });
});
