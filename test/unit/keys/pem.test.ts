import { describe, expect, it } from 'vitest';
import { findPemBlocks, toPem } from '../../../main/keys/pem.js';

describe('PEM armor (RFC 7468)', () => {
  it('finds each block with its label, skipping text around and between them', () => {
    const text = `Bag Attributes\n${toPem('CERTIFICATE', Buffer.from('a'))}junk\n${toPem('ENCRYPTED PRIVATE KEY', Buffer.from('b'))}`;
    expect(findPemBlocks(text).map((b) => b.label)).toEqual(['CERTIFICATE', 'ENCRYPTED PRIVATE KEY']);
  });

  it('ignores a block whose END label differs from its BEGIN label', () => {
    expect(findPemBlocks('-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n')).toEqual([]);
  });

  it('writes base64 in 64-character lines', () => {
    const pem = toPem('CERTIFICATE', Buffer.alloc(100, 7));
    const lines = pem.trim().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(lines.slice(1, -1).map((l) => l.length)).toEqual([64, 64, 8]);
    expect(Buffer.from(lines.slice(1, -1).join(''), 'base64')).toEqual(Buffer.alloc(100, 7));
  });
});
