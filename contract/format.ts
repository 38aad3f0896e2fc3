/**
 * How the app writes for people what must read the same in the window and in the terminal: a
 * fingerprint (so one read aloud from the CLI can be compared with one on screen) and what a server did
 * not apply of a node's configuration. Dependency-free: main and the renderer both import it at run
 * time (it takes only types from the rest of the contract).
 */
import type { NodeConfigDeviation } from './domain.js';
import { compactFingerprint } from './fingerprint.js';

export { compactFingerprint };

/**
 * A hex fingerprint in blocks of four characters for reading aloud and comparing by eye:
 * "3f2a9c…" → "3f2a 9c01 …".
 */
export function groupFingerprint(hex: string): string {
  return (compactFingerprint(hex).match(/.{1,4}/g) ?? []).join(' ');
}

/**
 * Another app's key fingerprint the way that app shows it, so the user can hold them side by side:
 * OMEMO in lowercase groups of 8 (Conversations; XEP-0384 §8), OpenPGP in uppercase groups of 4 (gpg,
 * Profanity's `/ox keys`). '' (no bundle or key data ever read) stays ''.
 */
export function formatOtherKeyFingerprint(protocol: 'omemo' | 'omemo2' | 'openpgp', hex: string): string {
  if (protocol === 'openpgp') return (hex.toUpperCase().match(/.{1,4}/g) ?? []).join(' ');
  return (hex.toLowerCase().match(/.{1,8}/g) ?? []).join(' ');
}

/** A node configuration's deviation from what the app asked, in one sentence. */
export function describeDeviation(deviation: NodeConfigDeviation): string {
  switch (deviation.code) {
    case 'items-not-persisted':
      return 'the server does not persist items (pubsub#persist_items)';
    case 'last-item-sent':
      return `the server sends the last item ${deviation.value ? `"${deviation.value}"` : 'by its default'} instead of never`;
    case 'too-few-items':
      return `the node keeps at most ${deviation.value ?? 'an unknown number of'} items (asked for ${deviation.asked})`;
    case 'affiliations-unknown':
      return `the server did not say who else is affiliated with the node (${deviation.detail})`;
    case 'outsiders':
      return `${deviation.members.map((m) => `${m.jid} (${m.affiliation})`).join(', ')} can get in outside the access model`;
  }
}
