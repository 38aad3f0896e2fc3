import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, DEFAULT_SCRYPT } from '../../../main/vault/secret-box.js';
import { KeyringError } from '../../../main/errors.js';
import { LIGHT_SCRYPT } from '../../support/vaults.js';


describe('sealing secrets with AES-256-GCM', () => {
  const box = SecretBox.fromKey(SecretBox.randomKey());
  const secret = Buffer.from('-----BEGIN PRIVATE KEY----- pretend');

  it('opens what it sealed, and never produces the same ciphertext twice', () => {
    const a = box.seal(secret, 'private-key:aa');
    const b = box.seal(secret, 'private-key:aa');
    expect(a.data).not.toBe(b.data);
    expect(box.open(a, 'private-key:aa').equals(secret)).toBe(true);
    expect(Buffer.from(a.data, 'base64').includes(secret)).toBe(false);
  });

  it('detects a flipped bit anywhere in the sealed data', () => {
    const sealed = Buffer.from(box.seal(secret, 'p').data, 'base64');
    for (const index of [0, 11, 12, sealed.length - 17, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      expect(() => box.open({ data: tampered.toString('base64') }, 'p')).toThrow(KeyringError);
    }
  });

  it('refuses a secret sealed for another purpose (no swapping keys between slots)', () => {
    const sealed = box.seal(secret, 'private-key:aa');
    expect(() => box.open(sealed, 'private-key:bb')).toThrow(/could not be unlocked/);
  });

  it('derives the same key from the same passphrase and salt, and a different one otherwise', async () => {
    const params = SecretBox.newScryptParams(LIGHT_SCRYPT);
    const one = await SecretBox.fromPassphrase('correct horse', params);
    const two = await SecretBox.fromPassphrase('correct horse', params);
    const wrong = await SecretBox.fromPassphrase('correct horsf', params);
    const sealed = one.seal(secret, 'p');
    expect(two.open(sealed, 'p').equals(secret)).toBe(true);
    const error = (() => {
      try {
        wrong.open(sealed, 'p');
      } catch (e) {
        return e as KeyringError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('wrong-passphrase');
  });

  it('uses a strong default work factor (scrypt N=2^17, r=8) and still derives off the event loop', async () => {
    expect(DEFAULT_SCRYPT.N).toBeGreaterThanOrEqual(2 ** 17);
    expect(DEFAULT_SCRYPT.r).toBeGreaterThanOrEqual(8);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    await SecretBox.fromPassphrase('a long passphrase', SecretBox.newScryptParams());
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // The derivation takes real time (it is meant to) while timers keep firing: the loop never froze.
    expect(elapsed).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
  });
});

describe('authenticating data stored in the clear (the vault document)', () => {
  const box = SecretBox.fromKey(SecretBox.randomKey());
  const text = '{"accounts":{"juliet@capulet.lit":{"settings":{"host":"xmpp.capulet.lit"}}}}';

  it('accepts its own MAC and refuses any change to the text, another purpose or another key', () => {
    const mac = box.authenticate(text, 'vault-document');
    expect(box.verify(text, 'vault-document', mac)).toBe(true);
    expect(box.verify(text.replace('xmpp.capulet.lit', 'evil.example'), 'vault-document', mac)).toBe(false);
    expect(box.verify(text, 'something-else', mac)).toBe(false);
    expect(SecretBox.fromKey(SecretBox.randomKey()).verify(text, 'vault-document', mac)).toBe(false);
    expect(box.verify(text, 'vault-document', '')).toBe(false);
    expect(box.verify(text, 'vault-document', mac.slice(0, 20))).toBe(false);
  });

  it('does not use the encryption key itself as the MAC key (HKDF subkey per purpose)', () => {
    const key = SecretBox.randomKey();
    const mac = SecretBox.fromKey(key).authenticate(text, 'vault-document');
    expect(mac).not.toBe(createHmac('sha256', key).update(text).digest('base64'));
  });
});
