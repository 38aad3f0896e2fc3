/** PEM armor (RFC 7468): finding the blocks in pasted or loaded text, and writing one. */

export interface PemBlock {
  /** The label between BEGIN and END, e.g. "CERTIFICATE", "ENCRYPTED PRIVATE KEY". */
  label: string;
  /** The whole block, armor included (legacy encrypted keys carry Proc-Type/DEK-Info headers inside). */
  text: string;
}

// RFC 7468 §3: labels are printable characters without '-'; the END label must repeat the BEGIN label.
const PEM_BLOCK = /-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[\x21-\x2c\x2e-\x7e ]{0,62}[\x21-\x2c\x2e-\x7e])?)-----[\s\S]*?-----END \1-----/g;

/** Every PEM block in `text`, in order; text between blocks (comments, `openssl` headers) is ignored. */
export function findPemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1] ?? '', text: m[0] }));
}

/** RFC 7468 §2: base64 in lines of 64 characters. */
export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
