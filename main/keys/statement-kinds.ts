/**
 * The kinds of signed statement (docs/key-lifecycle.md), each named by a URI: the first field every
 * signature covers (signed-statement.ts), so a signature made for one kind can never pass for another,
 * and the XML namespace the statement travels in (main/xmpp/namespaces.ts takes them from here).
 */
export const SUCCESSION_STATEMENT = 'urn:keyring-xmpp:succession:0';
export const REVOCATION_STATEMENT = 'urn:keyring-xmpp:revocation:0';
