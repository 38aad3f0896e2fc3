/**
 * The one normal form of a fingerprint, and the verification URI that carries one; a leaf both the
 * schemas (domain.ts) and the wording (format.ts) stand on.
 */

/**
 * A fingerprint as people write it (in blocks, with colons or dashes, in capitals) in the one form the
 * app stores and compares: colons, dashes (also the typographic ones a document or chat may turn a
 * hyphen into) and whitespace dropped, letters lowercased. Only separators go: the digits left are
 * compared exactly. The request schemas apply it at the boundary (domain.ts fingerprintText); nothing
 * behind them normalizes again.
 */
export function compactFingerprint(text: string): string {
  return text.replace(/[\s:\-\u2010-\u2015\u2212]/g, '').toLowerCase();
}

/**
 * The verification URI a QR code carries and people paste: `xmpp:<bare JID>?x509-sha256=<64 hex>`
 * (an RFC 5122 XMPP URI whose query names the certificate's SHA-256 fingerprint; README "Verification
 * URI"). The JID is percent-encoded where RFC 3986 asks (never "@").
 */
export function verificationUri(bareJid: string, fingerprint: string): string {
  const path = encodeURIComponent(bareJid).replace(/%40/g, '@');
  return `xmpp:${path}?x509-sha256=${compactFingerprint(fingerprint)}`;
}

/** What a pasted or scanned verification text claims: whose key (when a URI says) and which. */
export type VerificationClaim = { fingerprint: string; jid?: string } | { problem: string };

const HEX64 = /^[0-9a-f]{64}$/;
/** A bare JID as a URI's path names it: one "@", no resource, no spaces (full checks happen in main). */
const BARE_JID = /^[^@/\s?#]+@[^@/\s?#]+$/;

/** What is wrong with typed digits that are not a fingerprint, said so the person knows what to do. */
function fingerprintProblem(compact: string): string {
  if (compact === '') return 'Type or paste their fingerprint: 64 digits, 0–9 and a–f.';
  if (!/^[0-9a-f]+$/.test(compact)) return 'A fingerprint has only the digits 0–9 and the letters a–f (spaces and colons aside).';
  if (compact.length < 64) return `That is ${compact.length} digits; a fingerprint has 64. Type the rest to compare.`;
  return `That is ${compact.length} digits; a fingerprint has 64.`;
}

/**
 * Reads a fingerprint (spaces, colons, dashes and case ignored) or a verification URI, defensively: text from a
 * QR code or a paste is anyone's. A URI must name a bare JID and carry `x509-sha256` once with 64 hex
 * digits; its other query keys (RFC 5122 §2.2 actions and parameters, separated by ";" or "&") are
 * ignored.
 */
export function parseVerificationClaim(text: string): VerificationClaim {
  const trimmed = text.trim();
  if (!/^xmpp:/i.test(trimmed)) {
    const fingerprint = compactFingerprint(trimmed);
    return HEX64.test(fingerprint) ? { fingerprint } : { problem: fingerprintProblem(fingerprint) };
  }
  const rest = trimmed.slice('xmpp:'.length);
  const question = rest.indexOf('?');
  const rawPath = question === -1 ? rest : rest.slice(0, question);
  const query = question === -1 ? '' : rest.slice(question + 1).split('#')[0] ?? '';
  let jid: string;
  try {
    jid = decodeURIComponent(rawPath);
  } catch {
    return { problem: 'This verification link is damaged (its address cannot be read)' };
  }
  if (!BARE_JID.test(jid)) return { problem: 'This verification link does not name an address like juliet@capulet.lit' };
  const values = query
    .split(/[;&]/)
    .map((pair) => pair.split('='))
    .filter(([key]) => key?.toLowerCase() === 'x509-sha256')
    .map(([, value]) => compactFingerprint(value ?? ''));
  if (values.length === 0) return { problem: 'This verification link carries no fingerprint (x509-sha256)' };
  if (values.length > 1) return { problem: 'This verification link carries more than one fingerprint' };
  const fingerprint = values[0] as string;
  if (!HEX64.test(fingerprint)) return { problem: 'The fingerprint in this verification link is not 64 hexadecimal digits' };
  return { fingerprint, jid: jid.toLowerCase() };
}

/** Another app's key fingerprint as the app stores it: OMEMO 64 lowercase hex, OpenPGP 40 uppercase hex. */
export type OtherKeyFingerprint = { family: 'omemo'; fingerprint: string } | { family: 'openpgp'; fingerprint: string } | { problem: string };

/**
 * Reads an OMEMO or OpenPGP fingerprint the way the apps that made the key print it: Conversations and
 * Dino in lowercase groups of 8, Profanity joined by dashes, Gajim in capitals, some with the identity key's "05" type byte in front
 * (66 digits; XEP-0384 §8 leaves the form to clients), gpg in capital groups of 4, sometimes "0x"-prefixed.
 * Spaces, colons, dashes and case are ignored. 40 digits: an OpenPGP v4 fingerprint (XEP-0373 §4.1); 64: an
 * OMEMO identity key (its Curve25519 form, the same in both OMEMO versions).
 */
/**
 * An OMEMO or OpenPGP fingerprint as apps write it, down to its digits: spaces, colons, dashes and case
 * ignored, gpg's "0x" dropped (an OMEMO key's type byte "05", if typed, is still there).
 */
export function compactOtherKeyFingerprint(text: string): string {
  return compactFingerprint(text.trim()).replace(/^0x/, '');
}

export function parseOtherKeyFingerprint(text: string): OtherKeyFingerprint {
  let hex = compactOtherKeyFingerprint(text);
  if (hex.length === 66 && hex.startsWith('05')) hex = hex.slice(2);
  if (!/^[0-9a-f]*$/.test(hex)) return { problem: 'A fingerprint is hexadecimal digits (0-9, a-f)' };
  if (hex.length === 64) return { family: 'omemo', fingerprint: hex };
  if (hex.length === 40) return { family: 'openpgp', fingerprint: hex.toUpperCase() };
  return { problem: 'An OMEMO fingerprint is 64 hexadecimal digits, an OpenPGP one 40' };
}
