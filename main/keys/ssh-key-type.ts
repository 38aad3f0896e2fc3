/**
 * The key type inside an OpenSSH private key file ("-----BEGIN OPENSSH PRIVATE KEY-----"), so that an
 * import refused for being one can say which SSH key it is. The public half sits unencrypted at the
 * front of the file even when the private half has a passphrase (OpenSSH PROTOCOL.key, "openssh-key-v1").
 */

const MAGIC = 'openssh-key-v1\0';

/** What a person calls each type (the public key's type string, RFC 4253 §6.6 and OpenSSH's own). */
const NAMES: Readonly<Record<string, string>> = {
  'ssh-ed25519': 'Ed25519',
  'ssh-ed448': 'Ed448',
  'ssh-rsa': 'RSA',
  'ssh-dss': 'DSA',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ecdsa-sha2-nistp384': 'ECDSA',
  'ecdsa-sha2-nistp521': 'ECDSA',
  'sk-ssh-ed25519@openssh.com': 'Ed25519 on a security key',
  'sk-ecdsa-sha2-nistp256@openssh.com': 'ECDSA on a security key',
};

/** The key's type as a person names it ("Ed25519"); undefined when the file cannot be read so far. */
export function opensshKeyType(pemText: string): string | undefined {
  const body = pemText
    .split(/\r?\n/)
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('');
  const bytes = Buffer.from(body, 'base64');
  if (bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return undefined;
  let at = MAGIC.length;
  /** One SSH "string" (a uint32 length, then that many bytes); undefined past the end. */
  const string = (): Buffer | undefined => {
    if (at + 4 > bytes.length) return undefined;
    const length = bytes.readUInt32BE(at);
    if (at + 4 + length > bytes.length) return undefined;
    const value = bytes.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return value;
  };
  // ciphername, kdfname, kdfoptions, then the number of keys and the first public key.
  if (!string() || !string() || !string() || at + 4 > bytes.length) return undefined;
  at += 4;
  const publicKey = string();
  if (!publicKey || publicKey.length < 4) return undefined;
  const typeLength = publicKey.readUInt32BE(0);
  if (4 + typeLength > publicKey.length) return undefined;
  const type = publicKey.subarray(4, 4 + typeLength).toString('latin1');
  return NAMES[type];
}
