/**
 * The backup code: the one secret that opens a backup, shown once, written down or printed.
 *
 *   PWZF-Z3R0-NWAF-MEVN-44J6-VC3C-7WKZ      (7 groups of 4, 28 characters)
 *
 * - Crockford's base32 alphabet (0-9 and A-Z without I, L, O, U): no letter looks like a digit, and
 *   no accidental words. Reading it back forgives what people do: lower case, spaces or no dashes,
 *   O for 0, I or L for 1.
 * - 26 random characters: 130 bits from the system's CSPRNG, far beyond guessing, which is why the
 *   key derivation (backup-blob.ts) can be moderate.
 * - 2 check characters, so a typo is caught before any decryption is tried and reported as a typo,
 *   not as "wrong code": the 27th is Luhn mod 32 over the 26 (catches every single wrong character
 *   and nearly every swap of two neighbours), the 28th is 5 bits of SHA-256 over the 27 (catches 31
 *   of 32 of all other mistakes).
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 26;
const CODE_CHARS = RANDOM_CHARS + 2;
const GROUP = 4;

export type BackupCodeProblem = 'empty' | 'characters' | 'length' | 'check';
export type BackupCodeReading = { ok: true; code: string } | { ok: false; problem: BackupCodeProblem; message: string };

/** A new code, grouped for display. */
export function generateBackupCode(): string {
  // 256 is a multiple of 32: the low 5 bits of a random byte are uniform.
  const data = [...randomBytes(RANDOM_CHARS)].map((byte) => ALPHABET[byte & 31]).join('');
  return formatBackupCode(withChecks(data));
}

/** 28 characters in groups of 4 joined by dashes. */
export function formatBackupCode(code: string): string {
  return (code.match(new RegExp(`.{1,${GROUP}}`, 'g')) ?? []).join('-');
}

/**
 * Reads a code as a person typed it. On success `code` is the canonical form (28 characters, upper
 * case, no separators): what the key derivation uses.
 */
export function parseBackupCode(input: unknown): BackupCodeReading {
  if (typeof input !== 'string' || input.trim() === '') return fail('empty', 'Enter the backup code.');
  if (input.length > 200) return fail('length', `A backup code has ${CODE_CHARS} characters.`);
  const compact = input.replace(/[\s\-_.]+/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  for (const char of compact) {
    if (!ALPHABET.includes(char)) return fail('characters', 'A backup code has only the digits 0–9 and the letters A–Z without U.');
  }
  if (compact.length !== CODE_CHARS) return fail('length', `A backup code has ${CODE_CHARS} characters; this one has ${compact.length}.`);
  if (withChecks(compact.slice(0, RANDOM_CHARS)) !== compact) {
    return fail('check', 'This backup code has a typo: check each group against the printed code.');
  }
  return { ok: true, code: compact };
}

function withChecks(data: string): string {
  const luhn = ALPHABET[luhnMod32(data)] as string;
  const hash = createHash('sha256').update(`keyring-xmpp backup code\n${data}${luhn}`).digest();
  return `${data}${luhn}${ALPHABET[(hash[0] ?? 0) >> 3]}`;
}

/** Luhn mod N (N = 32): the check value that makes the weighted sum, check included, divisible by N. */
function luhnMod32(data: string): number {
  let factor = 2;
  let sum = 0;
  for (let i = data.length - 1; i >= 0; i--) {
    const product = factor * ALPHABET.indexOf(data[i] as string);
    sum += Math.floor(product / 32) + (product % 32);
    factor = factor === 2 ? 1 : 2;
  }
  return (32 - (sum % 32)) % 32;
}

function fail(problem: BackupCodeProblem, message: string): BackupCodeReading {
  return { ok: false, problem, message };
}

export const BACKUP_CODE_LENGTH = CODE_CHARS;
export const BACKUP_CODE_GROUP = GROUP;
