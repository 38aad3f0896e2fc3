/** The printable page: the code, a QR code that holds exactly that code, instructions, nothing external. */
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { generateBackupCode } from '../../../main/vault/backup-code.js';
import { backupCodeQrSvg, backupPrintPage } from '../../../main/vault/backup-page.js';
import { JULIET } from './support.js';

const code = generateBackupCode();

describe('the printable backup page', () => {
  it('shows the account, the date and the code in its groups', async () => {
    const page = await backupPrintPage({ code, account: JULIET, createdAt: '2025-06-01T10:00:00Z', fingerprints: ['ab'.repeat(32)] });
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain(`For <strong>${JULIET}</strong>, backup made on 2025-06-01.`);
    const shown = [...page.matchAll(/<p class="code"[^>]*>(.*?)<\/p>/g)][0]?.[1]?.replace(/<[^>]+>/g, '');
    expect(shown).toBe(code);
    expect(page).toContain('abab abab');
  });

  it('carries a QR code that reads as exactly this code', async () => {
    const page = await backupPrintPage({ code: code.toLowerCase().replace(/-/g, ''), account: JULIET, createdAt: new Date() });
    const svg = /<svg[\s\S]*?<\/svg>/.exec(page)?.[0] ?? '';
    expect(svg).toContain('aria-label="QR code of the backup code"');
    expect(modulesOf(svg)).toEqual(expectedModules(code));
    expect(modulesOf(svg)).not.toEqual(expectedModules(generateBackupCode()));
    expect(modulesOf(await backupCodeQrSvg(code))).toEqual(expectedModules(code));
  });

  it('loads nothing from outside and runs nothing', async () => {
    const page = await backupPrintPage({ code, account: JULIET, createdAt: new Date() });
    expect(page).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\b(src|href|on\w+)\s*=/i);
    // The one URI is the SVG namespace name, which is never fetched.
    expect([...page.matchAll(/https?:[^\s"']*/g)].map((m) => m[0])).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('escapes the account name (it is text, never markup)', async () => {
    const page = await backupPrintPage({ code, account: '<i onmouseover="x()">j@x', createdAt: 'not a date' });
    expect(page).not.toContain('<i ');
    expect(page).toContain('&#60;i onmouseover=&#34;x()&#34;&#62;j@x');
    expect(page).toContain('an unknown date');
  });

  it('refuses a malformed code rather than print a page that opens nothing', async () => {
    await expect(backupPrintPage({ code: 'ABCD-EFGH', account: JULIET, createdAt: new Date() })).rejects.toThrow(KeyringError);
  });
});

/** The dark modules drawn by qrcode's SVG path ("M x y.5 h n m dx 0 h n …"), as rows of 0/1 without the margin. */
function modulesOf(svg: string): number[][] {
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1]);
  const d = /<path stroke="[^"]*" d="([^"]*)"/.exec(svg)?.[1] ?? '';
  const margin = 2;
  const grid = Array.from({ length: size - 2 * margin }, () => Array<number>(size - 2 * margin).fill(0));
  let x = 0;
  let y = 0;
  for (const [, command, a, b] of d.matchAll(/([MmHh])(-?[\d.]+)(?:\s(-?[\d.]+))?/g)) {
    const first = Number(a);
    if (command === 'M') [x, y] = [first, Number(b)];
    else if (command === 'm') [x, y] = [x + first, y + Number(b)];
    else {
      for (let i = 0; i < first; i++) {
        const row = grid[Math.floor(y) - margin];
        if (row) row[x + i - margin] = 1;
      }
      x += first;
    }
  }
  return grid;
}

function expectedModules(text: string): number[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return Array.from({ length: modules.size }, (_, r) => Array.from({ length: modules.size }, (_, c) => (modules.get(r, c) ? 1 : 0)));
}
