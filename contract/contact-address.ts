/**
 * A contact's address as people paste it into "Add contact…": typed plainly, or as an XMPP link
 * (RFC 5122), the form this app's own verification link and QR code take (`xmpp:<jid>?x509-sha256=…`)
 * and other apps' "add me" links (`xmpp:<jid>?roster`, `?subscribe`). A leaf the schemas (domain.ts)
 * and the screens both stand on.
 */

export type ReadContactAddress = { address: string } | { problem: string };

/**
 * The address with the dot that may end its domainpart taken off ("juliet@capulet.lit." is
 * juliet@capulet.lit): RFC 7622 §3.2 has that dot stripped before the address is compared, used for
 * routing or put in a URI, before any other step. One dot only: "capulet.lit.." stays refused, and so
 * does a dot after an IP literal ("juliet@[::1]."): it ends no DNS name (the Server host field's rule too,
 * domain.ts hostWithoutFinalDot).
 */
export function withoutFinalDot(address: string): string {
  return /@[^@]*[^.@\]]\.$/.test(address) ? address.slice(0, -1) : address;
}

/**
 * The address a text names: plain text as it is (trimmed), a link's path (percent-decoded). Its query
 * (RFC 5122 §2.2 action, or our fingerprint) says what to do with the address, not whose it is, and is
 * left out. Links that do not name one contact are refused in words. Whether the address itself is
 * well formed is checked after (domain.ts bareJidText, then main).
 */
export function readContactAddress(text: string): ReadContactAddress {
  const trimmed = text.trim();
  if (!/^xmpp:/i.test(trimmed)) return { address: trimmed };
  const rest = trimmed.slice('xmpp:'.length);
  // RFC 5122 §2.3: "xmpp://account@server/…" names the account to act as, not someone to add.
  if (rest.startsWith('//')) return { problem: 'This xmpp:// link names an account to sign in with, not a contact. Paste their address, like juliet@capulet.lit' };
  const end = rest.search(/[?#]/);
  const path = end === -1 ? rest : rest.slice(0, end);
  const query = end === -1 || rest[end] !== '?' ? '' : rest.slice(end + 1).split('#')[0] ?? '';
  let address: string;
  try {
    address = decodeURIComponent(path);
  } catch {
    return { problem: 'This xmpp: link is damaged: its address cannot be read' };
  }
  // XEP-0045 §15.6.1: "?join" is a group chat's link; a room is not a contact.
  if (/^join(?:[;&]|$)/i.test(query)) return { problem: 'This is a link to a group chat, not to a contact' };
  if (address.includes('/')) return { problem: 'This link names one device of a contact (the “/…” part). Paste their address, like juliet@capulet.lit' };
  if (!/^[^@\s]+@[^@\s]+$/.test(address)) return { problem: 'This xmpp: link does not name a contact’s address, like juliet@capulet.lit' };
  return { address };
}
