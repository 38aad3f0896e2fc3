/**
 * Characters an address can carry that show as nothing, or as a blank, wherever it is printed: the
 * default-ignorable code points (zero-width spaces and joiners, the Hangul fillers U+115F, U+1160,
 * U+3164 and U+FFA0, the Khmer inherent vowels U+17B4/17B5, the invisible operators U+2061–2064, the
 * bidirectional controls and isolates, the tag characters…), white space of every kind, controls, the
 * interlinear annotation characters U+FFF9–FFFB and the blank Braille pattern U+2800.
 *
 * RFC 7622 §3.3 (PRECIS IdentifierClass, RFC 8264 §9.1) has no place for any of them in a localpart, but
 * servers that still prepare addresses with RFC 6122's nodeprep let several through: measured, Prosody
 * 0.12 registers "romeo\u115F" and "romeo\u17B4", ejabberd 23.01 "romeo\u115F", "romeo\u3164" and
 * "romeo\u17B4". Such an address reads exactly as a contact's own, so the screens and the keyring command
 * show each of these characters as U+FFFD (the replacement character: "something is here"), never as
 * nothing, and say so where the person decides about access (renderer/src/lib/lookalike-address.ts).
 * Dependency-free: main (the keyring command's lines) and the window both use it.
 */

// \p{White_Space} covers the spaces and line breaks; U+180E (once a space), U+FFF9–FFFB and U+2800 are
// neither white space nor default-ignorable, but draw nothing all the same.
const HIDDEN = /[\p{Cc}\p{White_Space}\p{Default_Ignorable_Code_Point}\u180e\u2800\ufff9-\ufffb]/gu;

/** The address with every hidden character shown as U+FFFD. */
export function markHiddenInAddress(address: string): string {
  return address.replace(HIDDEN, '\ufffd');
}

/** The hidden characters of `address`, each once, as "U+115F" (in the order they first appear). */
export function hiddenInAddress(address: string): string[] {
  const found = new Set<string>();
  for (const [char] of address.matchAll(HIDDEN)) found.add(`U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
  return [...found];
}

/** The address with its hidden characters taken out: what it reads as on a screen that drops them. */
export function withoutHiddenInAddress(address: string): string {
  return address.replace(HIDDEN, '');
}
