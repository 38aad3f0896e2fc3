/**
 * The printable page for a backup code: the code in large type, a QR code of it, and what to do with
 * the page. One self-contained HTML document: no scripts, no external resources (the QR code is an
 * inline SVG, the styles an inline <style>), so it prints the same offline and leaks nothing. The
 * renderer shows it later (e.g. in a sandboxed frame for printing); everything in it that is not ours
 * is escaped.
 */
import QRCode from 'qrcode';
import { KeyringError } from '../errors.js';
import { groupFingerprint } from '../../contract/format.js';
import { formatBackupCode, parseBackupCode } from './backup-code.js';

export interface BackupPageInput {
  /** The backup code, as createBackup returned it (or typed: it is read and reformatted). */
  code: string;
  account: string;
  /** When the backup was made. */
  createdAt: Date | string;
  /** Fingerprints of the keys the backup holds, shown so the page can be matched to them later. */
  fingerprints?: readonly string[];
}

/** The QR code of a backup code as SVG: the code as displayed (upper case, dashes: QR alphanumeric mode). */
export async function backupCodeQrSvg(code: string): Promise<string> {
  return QRCode.toString(displayCode(code), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
}

export async function backupPrintPage(input: BackupPageInput): Promise<string> {
  const code = displayCode(input.code);
  const svg = (await backupCodeQrSvg(code)).replace(
    '<svg ',
    '<svg role="img" aria-label="QR code of the backup code" width="168" height="168" ',
  );
  const account = escapeHtml(input.account);
  const date = dateOnly(input.createdAt);
  const groups = code
    .split('-')
    .map((group) => `<span>${group}</span>`)
    .join('<span class="dash" aria-hidden="true">-</span>');
  const keys = (input.fingerprints ?? []).map((fp) => `<li><code>${escapeHtml(groupFingerprint(fp))}</code></li>`).join('');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Backup code for ${account} · Keyring for XMPP</title>
<style>
  @page { margin: 18mm; }
  body { font: 11pt/1.45 system-ui, sans-serif; color: #000; background: #fff; margin: 0 auto; max-width: 44rem; }
  h1 { font-size: 18pt; margin: 0 0 0.2rem; }
  h2 { font-size: 12pt; margin: 1.4rem 0 0.3rem; }
  .code { font: 600 20pt/1.3 ui-monospace, "DejaVu Sans Mono", monospace; letter-spacing: 0.08em; margin: 1rem 0; }
  .code .dash { color: #555; padding: 0 0.1em; }
  .qr { display: flex; gap: 1.2rem; align-items: center; }
  .qr svg { flex: none; }
  code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 9pt; }
  ul, ol { padding-left: 1.3rem; }
</style>
</head>
<body>
<main>
<h1>Backup code</h1>
<p>For <strong>${account}</strong>, backup made on ${date}.</p>
<div class="qr">
${svg}
<p class="code" aria-label="Backup code ${code.split('').join(' ')}">${groups}</p>
</div>
<h2>Keep this page safe</h2>
<ul>
<li>With this code, anyone who has your backup can use your private keys. Keep the page with your important papers, not on a computer or phone.</li>
<li>Keyring for XMPP showed this code once and does not keep a copy you can read. Without it the backup cannot be opened, by anyone.</li>
</ul>
<h2>To restore your keys</h2>
<ol>
<li>Open Keyring for XMPP on the new device and sign in to ${account}.</li>
<li>Choose to restore from your account, or from the backup file.</li>
<li>Type the code above, or scan the QR code. Capital or small letters, with or without the dashes: both work. The letter O is read as zero, I and L as one.</li>
</ol>
${keys === '' ? '' : `<h2>Keys in this backup</h2>\n<ul>${keys}</ul>\n`}</main>
</body>
</html>
`;
}

function displayCode(code: string): string {
  const reading = parseBackupCode(code);
  if (!reading.ok) throw new KeyringError('invalid-argument', reading.message, 'code');
  return formatBackupCode(reading.code);
}

/** YYYY-MM-DD in UTC: the same on every machine and in every language. */
function dateOnly(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? 'an unknown date' : date.toISOString().slice(0, 10);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
