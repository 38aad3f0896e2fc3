/**
 * The app's SASLprep (main/xmpp/saslprep.ts) against Prosody's own (util.encodings, ICU's SASLprep,
 * run with Prosody's Lua), on passwords chosen to exercise every mapping and prohibition. Whatever
 * Prosody accepts, the app prepares to the same bytes (so SCRAM hashes what Prosody stored), and the
 * app never refuses what Prosody accepts.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { saslprep } from '../../main/xmpp/saslprep.js';

/** Prepares each line (hex) with Prosody's saslprep; prints the result in hex, or FAIL. */
const PROSODY_SASLPREP = `
package.cpath = "/usr/lib/prosody/?.so;" .. package.cpath
package.path = "/usr/lib/prosody/?.lua;" .. package.path
local saslprep = require "util.encodings".stringprep.saslprep
for line in io.lines() do
  local input = line:gsub("..", function(h) return string.char(tonumber(h, 16)) end)
  local out = saslprep(input)
  print(out and (out:gsub(".", function(c) return string.format("%02x", c:byte()) end)) or "FAIL")
end
`;

const CORPUS = [
  'pencil', 'Äpfel-und-Birnen', 'Cafe\u0301', 'Caf\u00E9', '\uFF30\uFF41\uFF53\uFF53', 'I\u00ADX', '\u00AA', '\u2168',
  'a\u00A0b', 'a\u3000b', 'a\u200Bb', 'a\u2002b', '\uFEFFpass', 'p\u200Dass', 'p\uFE0Fass', 'пароль', '密码', 'κωδικός',
  'ﬁle', '①②③', '㍿', 'key-🔑', 'tab\there', 'bell\u0007', 'del\u007F', 'c1\u0085', 'pua\uE000', 'nonchar\uFDD0',
  'spec\uFFFD', 'idc\u2FF0', 'rlo\u202E', 'lrm\u200E', 'tag\u{E0041}', 'ümlaut\u0308', 'Å', 'A\u030A', 'x\u2060y',
  '\u05D0\u05D1', // Hebrew only: passes the bidirectional check
];

describe('SASLprep, the app against Prosody 0.12', () => {
  it('prepares every password Prosody accepts to the same bytes, and refuses none of them', async () => {
    const input = CORPUS.map((s) => Buffer.from(s, 'utf8').toString('hex')).join('\n') + '\n';
    const stdout = await new Promise<string>((resolve, reject) => {
      const lua = execFile('lua5.4', ['-e', PROSODY_SASLPREP], { encoding: 'utf8' }, (error: Error | null, out: string) => (error ? reject(error) : resolve(out)));
      lua.stdin?.end(input);
    });
    const prosody = stdout.trim().split('\n');
    expect(prosody).toHaveLength(CORPUS.length);
    let accepted = 0;
    let refused = 0;
    CORPUS.forEach((text, i) => {
      const theirs = prosody[i];
      let ours: string | undefined;
      try {
        ours = Buffer.from(saslprep(text), 'utf8').toString('hex');
      } catch {
        ours = undefined;
      }
      if (theirs === 'FAIL') {
        // Refused by Prosody: the app refuses it too, except for what it leaves to the server (bidi, unassigned).
        refused++;
        expect(ours, `Prosody refuses ${JSON.stringify(text)}; the app prepares it`).toBeUndefined();
      } else {
        accepted++;
        expect(ours, `${JSON.stringify(text)}`).toBe(theirs);
      }
    });
    expect(accepted).toBe(27);
    expect(refused).toBe(11);
  });
});
