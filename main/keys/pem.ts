/** PEM armor (RFC 7468): finding the blocks in pasted or loaded text, and writing one. */

export interface PemBlock {
  /** The label between BEGIN and END, e.g. "CERTIFICATE", "ENCRYPTED PRIVATE KEY". */
  label: string;
  /** The whole block, armor included (legacy encrypted keys carry Proc-Type/DEK-Info headers inside). */
  text: string;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
// RFC 7468 §3: labels are printable characters without '-' (inner spaces allowed), here at most 64.
const MAX_LABEL_CHARS = 64;
const LABEL = /^[\x21-\x2c\x2e-\x7e](?:[\x21-\x2c\x2e-\x7e ]*[\x21-\x2c\x2e-\x7e])?$/;

/**
 * Every PEM block in `text`, in order; text between blocks (comments, `openssl` headers) is ignored.
 *
 * A block is a BEGIN line and the first END line after it, whose label must repeat the BEGIN label
 * (RFC 7468 §2); a BEGIN whose next END names another label starts no block, as in OpenSSL. The text
 * may be a hostile file of up to a megabyte, so this is a single left-to-right scan with indexOf: each
 * character is looked at a bounded number of times, whatever the text (a backtracking regex here took
 * 17 s on 740 KB of BEGIN lines without an END).
 */
export function findPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let nextEnd = -1; // position of the first END marker at or after the scan position, once looked up
  let at = text.indexOf(BEGIN);
  while (at !== -1) {
    const labelStart = at + BEGIN.length;
    // The label's closing dashes are looked for within the longest label only.
    const close = text.slice(labelStart, labelStart + MAX_LABEL_CHARS + DASHES.length).indexOf(DASHES);
    const label = close === -1 ? '' : text.slice(labelStart, labelStart + close);
    const afterBegin = labelStart + close + DASHES.length;
    if (!LABEL.test(label)) {
      at = text.indexOf(BEGIN, labelStart);
      continue;
    }
    // BEGIN positions only grow, so the END found last time still serves until the scan passes it.
    if (nextEnd < afterBegin) nextEnd = text.indexOf(END, afterBegin);
    if (nextEnd === -1) break; // no END anywhere after: no more blocks
    const endMarker = `${END}${label}${DASHES}`;
    if (text.startsWith(endMarker, nextEnd)) {
      blocks.push({ label, text: text.slice(at, nextEnd + endMarker.length) });
      at = text.indexOf(BEGIN, nextEnd + endMarker.length);
    } else {
      at = text.indexOf(BEGIN, labelStart);
    }
  }
  return blocks;
}

/** RFC 7468 §2: base64 in lines of 64 characters. */
export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
