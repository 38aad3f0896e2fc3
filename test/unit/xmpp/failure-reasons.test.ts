/**
 * No failure reaches a person with an empty reason. xmpp.js rejects an unanswered request with a
 * TimeoutError whose message is empty; the app used to print "Could not read the configuration of
 * urn:xmpp:vcard4: " and nothing after it, as 'protocol-error'.
 */
import { describe, expect, it } from 'vitest';
import { xml } from '@xmpp/client';
import type { IqCaller } from '@xmpp/iq/caller.js';
import { KeyringError } from '../../../main/errors.js';
import { describeFailure, failureCode } from '../../../main/xmpp/failure.js';
import { fetchItems } from '../../../main/xmpp/fetch-items.js';
import { readNodeConfig, restorePersistence } from '../../../main/xmpp/persistent-node.js';

/** What xmpp.js throws when no answer comes (@xmpp/events' TimeoutError). */
const xmppTimeout = () => Object.assign(new Error(), { name: 'TimeoutError' });
const failingIq = (error: Error): IqCaller => ({
  request: () => Promise.reject(error),
  get: () => Promise.reject(error),
  set: () => Promise.reject(error),
});

describe('failure reasons', () => {
  it.each([
    [xmppTimeout(), 'the server did not answer in time', 'timeout'],
    [new Error(''), 'Error without details', 'protocol-error'],
    [Object.assign(new Error(''), { name: '' }), 'error without details', 'protocol-error'],
    ['', 'unknown error', 'protocol-error'],
    [undefined, 'undefined', 'protocol-error'],
    [new KeyringError('timeout', 'romeo@montague.lit did not answer the request for pubsub items within 20 s.'), 'romeo@montague.lit did not answer the request for pubsub items within 20 s.', 'timeout'],
    [new KeyringError('not-connected', 'The connection closed before the server answered.'), 'The connection closed before the server answered.', 'not-connected'],
  ])('%s → "%s" (%s)', (error, reason, code) => {
    expect(describeFailure(error)).toBe(reason);
    expect(failureCode(error, 'protocol-error')).toBe(code);
  });

  it('a failure that is a sentence itself is put in the sentence without its period (no "answered..")', async () => {
    const cut = new KeyringError('not-connected', 'The connection closed before the server answered.');
    const failure = await restorePersistence(
      { iq: failingIq(cut), owner: 'juliet@capulet.lit' },
      { node: 'urn:xmpp:tmp:pubkey', access: { model: 'open' }, maxItems: 20 },
      { node: 'urn:xmpp:tmp:pubkey', accessModel: 'open', persistItems: false, sendLastPublishedItem: 'never', maxItems: '20', rosterGroupsAllowed: [], members: [], deviations: [] },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KeyringError);
    expect((failure as KeyringError).message).toMatch(/: The connection closed before the server answered\. Nothing was published\.$/);
  });

  it('reading a node configuration that gets no answer fails as a timeout with a reason', async () => {
    const failure = await readNodeConfig({ iq: failingIq(xmppTimeout()), owner: 'juliet@capulet.lit' }, 'urn:xmpp:vcard4').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KeyringError);
    expect(failure).toMatchObject({ code: 'timeout', message: 'Could not read the settings of your profile card: the server did not answer in time' });
  });

  it('keeps the IQ layer’s own words and code', async () => {
    const timeout = new KeyringError('timeout', 'juliet@capulet.lit did not answer the request for pubsub#owner configure of urn:xmpp:vcard4 within 30 s.');
    const failure = await readNodeConfig({ iq: failingIq(timeout), owner: 'juliet@capulet.lit' }, 'urn:xmpp:vcard4').catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'timeout', message: expect.stringMatching(/: juliet@capulet\.lit did not answer .* within 30 s\.$/) as string });
  });

  it('a contact fetch that gets no answer says so: their server is unreachable, and for how long we waited', async () => {
    expect(await fetchItems(failingIq(xmppTimeout()), 'romeo@montague.lit', 'urn:xmpp:tmp:pubkey')).toEqual({
      status: 'unreachable',
      detail: 'no answer within 20 s',
    });
  });

  it('a whitelist node that keeps us out (not-allowed + closed-node, type cancel) is a refusal, not a failure', async () => {
    const refusal = Object.assign(new Error('not-allowed'), {
      condition: 'not-allowed',
      element: xml(
        'error',
        { type: 'cancel' },
        xml('not-allowed', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
        xml('closed-node', { xmlns: 'http://jabber.org/protocol/pubsub#errors' }),
      ),
    });
    expect(await fetchItems(failingIq(refusal), 'romeo@montague.lit', 'urn:xmpp:tmp:pubkey')).toEqual({
      status: 'refused',
      detail: 'not-allowed + closed-node',
    });
  });
});
