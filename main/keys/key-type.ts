/** Names for Node's `asymmetricKeyType` values in messages a user reads. */

const NAMES: Readonly<Record<string, string>> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA-PSS',
  dsa: 'DSA',
  dh: 'DH',
  ec: 'EC',
  ed25519: 'Ed25519',
  ed448: 'Ed448',
  x25519: 'X25519',
  x448: 'X448',
};

export function keyTypeName(type: string | undefined): string {
  return type === undefined ? 'an unknown type' : (NAMES[type] ?? type);
}
