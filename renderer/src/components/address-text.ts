/**
 * Where an address may break across lines: only before the "@" and before a "/resource"
 * (XMPP addresses, RFC 7622 §3: localpart@domainpart/resourcepart; the same for e-mail). A line break
 * inside a part ("romeo-mon" / "tague@…") reads as two names.
 */
export function addressParts(address: string): string[] {
  const slash = address.indexOf('/');
  const bare = slash === -1 ? address : address.slice(0, slash);
  const at = bare.lastIndexOf('@');
  return [...(at > 0 ? [bare.slice(0, at), bare.slice(at)] : [bare]), ...(slash === -1 ? [] : [address.slice(slash)])];
}

/**
 * A bound address cut into the account (the bare JID people know) and the resource the server gave
 * this connection (RFC 7622 §3: the first "/" ends the bare part; neither the localpart nor the domain
 * may hold one). No resource: the address as given, alone.
 */
export function boundAddressParts(address: string): { bare: string; resource?: string } {
  const slash = address.indexOf('/');
  if (slash === -1) return { bare: address };
  const resource = address.slice(slash + 1);
  return resource ? { bare: address.slice(0, slash), resource } : { bare: address.slice(0, slash) };
}

// localpart@domain with an optional /resource as the app's own sentences name them; the domain ends
// before an apostrophe or punctuation ("juliet@capulet.lit's key", "… from a@b.c.").
const ADDRESS = /[^\s@/]+@[^\s@/'’",;:!?()]*[^\s@/'’",;:!?().](?:\/\S*[^\s.,;:!?)'’])?/g;

/** A sentence cut into plain text and the addresses it names, in order. */
export function splitAddresses(text: string): { text: string; address: boolean }[] {
  const pieces: { text: string; address: boolean }[] = [];
  let last = 0;
  for (const match of text.matchAll(ADDRESS)) {
    if (match.index > last) pieces.push({ text: text.slice(last, match.index), address: false });
    pieces.push({ text: match[0], address: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), address: false });
  return pieces;
}

/**
 * A bare address on two lines, as a list row shows it: the localpart, then "@" and the domain on a line
 * of its own, so a long name is cut without ever hiding the server (what tells romeo@montague.lit from
 * romeo@montague.lit.example). An address with no localpart is its domain alone.
 */
export function addressLines(address: string): { first: string; second: string } {
  const at = address.lastIndexOf('@');
  return at > 0 ? { first: address.slice(0, at), second: address.slice(at) } : { first: address, second: '' };
}
