import { sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRsaKeyPair, isRsaKeySize, RSA_KEY_SIZES, type RsaKeySize } from '../../../main/keys/generate.js';

describe('generating RSA key pairs', () => {
  it('returns Node KeyObjects: an RSA private and public key of the asked size, exponent 65537', async () => {
    const { privateKey, publicKey } = await generateRsaKeyPair(2048);
    expect(privateKey.type).toBe('private');
    expect(publicKey.type).toBe('public');
    expect(privateKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails).toEqual({ modulusLength: 2048, publicExponent: 65537n });
  });

  it('gives a pair whose halves belong together', async () => {
    const { privateKey, publicKey } = await generateRsaKeyPair(2048);
    const data = Buffer.from('O Romeo, Romeo!');
    expect(verify('sha256', data, publicKey, sign('sha256', data, privateKey))).toBe(true);
  });

  it('makes a new key each time', async () => {
    const [a, b] = await Promise.all([generateRsaKeyPair(2048), generateRsaKeyPair(2048)]);
    expect(a.publicKey.equals(b.publicKey)).toBe(false);
  });

  it('offers exactly 2048, 3072 and 4096 bits and refuses other sizes', async () => {
    expect(RSA_KEY_SIZES).toEqual([2048, 3072, 4096]);
    for (const bits of [1024, 2047, 8192, 0, Number.NaN]) {
      expect(isRsaKeySize(bits)).toBe(false);
      await expect(generateRsaKeyPair(bits as RsaKeySize)).rejects.toMatchObject({ code: 'invalid-argument', field: 'bits' });
    }
  });
});
