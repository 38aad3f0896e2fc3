/**
 * Messages about the account's nodes name them and their audiences in a person's words, the same as
 * drift watch's (main/xmpp/node-words.ts): never a namespace, unless the node is one the app does not know.
 */
import { describe, expect, it } from 'vitest';
import { NS } from '../../../main/xmpp/namespaces.js';
import { nodeTitle, nodeTitleFirst, requestedAudience } from '../../../main/xmpp/node-words.js';

describe('node words', () => {
  it('names every node the app publishes to without its namespace', () => {
    for (const node of [NS.pubkey, NS.vcard4, NS.nick, NS.avatarMetadata, NS.avatarData, NS.profile, NS.backup]) {
      expect(nodeTitle(node)).toMatch(/^your /);
      expect(nodeTitle(node)).not.toContain(':');
    }
    expect(nodeTitle(NS.pubkey)).toBe('your keys');
    expect(nodeTitleFirst(NS.vcard4)).toBe('Your profile card');
  });

  it('names a node it does not know by its name, quoted', () => {
    expect(nodeTitle('urn:example:other')).toBe('the node “urn:example:other”');
  });

  it('says an audience as drift watch does', () => {
    expect(requestedAudience({ model: 'open' })).toBe('Anyone');
    expect(requestedAudience({ model: 'roster', groups: ['Friends', 'Family'] })).toBe('roster groups "Friends", "Family"');
    expect(requestedAudience({ model: 'whitelist', allow: [] })).toBe('Only you');
    expect(requestedAudience({ model: 'whitelist', allow: ['nurse@capulet.lit'] })).toBe('Only nurse@capulet.lit');
  });
});
