/**
 * A whitelist node's members, as the publishing strategy keeps them (main/xmpp/persistent-node.ts),
 * against a PEP service in memory (test/support/fake-pep-service.ts; the integration suite,
 * test/integration/whitelist-own-address.test.ts, runs it on Prosody 0.12):
 * - the account's own address is never sent an affiliation: Prosody 0.12 demotes the owner to member
 *   when asked, and the owner can then no longer publish, withdraw or revoke on its own node;
 * - a change of the members (who reads every key on the node) needs consent, as a change of roster
 *   groups does, and the refusal names who would be added or taken off;
 * - members another client changes between that consent check and the change itself are refused the
 *   same way, never overwritten.
 */
import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { ensurePersistentNode, publishPersistent, refuseOwnAddressOnWhitelist, type NodeContext } from '../../../main/xmpp/persistent-node.js';
import { pubkeyPayload } from '../../../main/xmpp/pubkey-items.js';
import { BASE_FIELDS, fakePep, JULIET } from '../../support/fake-pep-service.js';

const KEYS = NS.pubkey;
const ROMEO = 'romeo@montague.lit';
const MALLORY = 'mallory@evil.example';
const key = (id: string) => ({ id, payload: pubkeyPayload(Buffer.from(id)) });
const whitelist = (...allow: string[]) => ({ model: 'whitelist' as const, allow });

/** Every <affiliation/> the app sent to change a node's affiliations (XEP-0060 §8.9.2). */
function affiliationsSent(requests: readonly Element[]): { jid: string | undefined; affiliation: string | undefined }[] {
  return requests
    .filter((r) => r.is('pubsub', NS.pubsubOwner) && r.getChild('affiliations') !== undefined)
    .flatMap((r) => r.getChild('affiliations')?.getChildren('affiliation') ?? [])
    .map((a) => ({ jid: a.attrs.jid, affiliation: a.attrs.affiliation }));
}

async function refusal(promise: Promise<unknown>): Promise<KeyringError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeyringError) return error;
    throw error;
  }
  throw new Error('expected a refusal, and it went through');
}

describe('the account’s own address on a whitelist', () => {
  it('is never sent an affiliation: the owner stays owner, the other reader becomes a member', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: whitelist(ROMEO), maxItems: 32 }, key('k1'));
    pep.requests.length = 0;
    // Asked with the own address in another case too: it is still the account's own.
    await publishPersistent(pep.ctx, { node: KEYS, access: whitelist('Juliet@Capulet.lit', ROMEO), maxItems: 32 }, key('k2'));
    expect(affiliationsSent(pep.requests).filter((a) => a.jid?.toLowerCase() === JULIET)).toEqual([]);
    expect(pep.nodes.get(KEYS)?.affiliations.get(JULIET)).toBe('owner');
    expect(pep.nodes.get(KEYS)?.affiliations.get(ROMEO)).toBe('member');
    expect(pep.nodes.get(KEYS)?.items).toEqual(['k1', 'k2']);
  });

  it('on a new node too', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: whitelist(JULIET, ROMEO), maxItems: 32 }, key('k1'));
    expect(affiliationsSent(pep.requests)).toEqual([{ jid: ROMEO, affiliation: 'member' }]);
    expect(pep.nodes.get(KEYS)?.affiliations.get(JULIET)).toBe('owner');
  });

  it('is refused up front in words, for keys and the profile alike; other audiences pass', () => {
    expect(() => refuseOwnAddressOnWhitelist(whitelist(ROMEO, 'JULIET@capulet.lit'), JULIET, NS.pubkey)).toThrow(
      'You can always read your own keys: leave yourself off the list of who may read them.',
    );
    expect(() => refuseOwnAddressOnWhitelist(whitelist(JULIET), JULIET, NS.vcard4)).toThrow(
      'You can always read your own profile: leave yourself off the list of who may read it.',
    );
    const avatar = (() => {
      try {
        refuseOwnAddressOnWhitelist(whitelist(JULIET), JULIET, NS.avatarMetadata);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(avatar instanceof KeyringError && avatar.toIpcError()).toMatchObject({ code: 'invalid-argument', field: 'allow' });
    expect(() => refuseOwnAddressOnWhitelist(whitelist(ROMEO), JULIET, NS.pubkey)).not.toThrow();
    expect(() => refuseOwnAddressOnWhitelist({ model: 'presence' }, JULIET, NS.pubkey)).not.toThrow();
    expect(() => refuseOwnAddressOnWhitelist(whitelist(JULIET), undefined, NS.pubkey)).not.toThrow();
  });
});

describe('a change of a whitelist’s members needs consent, as a change of roster groups does', () => {
  async function publishedTo(...allow: string[]) {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: whitelist(...allow), maxItems: 32 }, key('k1'));
    pep.requests.length = 0;
    return pep;
  }

  it('narrowing {romeo, mallory} to {mallory} is refused, naming romeo; nothing is changed or published', async () => {
    const pep = await publishedTo(ROMEO, MALLORY);
    const error = await refusal(publishPersistent(pep.ctx, { node: KEYS, access: whitelist(MALLORY), maxItems: 32 }, key('k2')));
    expect(error.code).toBe('access-model-conflict');
    expect(error.message).toBe(
      `Who can read your keys is set on the server to Only ${ROMEO}, ${MALLORY}. Changing it to Only ${MALLORY} must be confirmed: ${ROMEO} would no longer be able to read them.`,
    );
    expect(affiliationsSent(pep.requests)).toEqual([]);
    expect(pep.configSets()).toBe(0);
    expect(pep.nodes.get(KEYS)?.affiliations.get(ROMEO)).toBe('member');
    expect(pep.nodes.get(KEYS)?.items).toEqual(['k1']);
  });

  it('widening {romeo} to {romeo, mallory} is refused too, naming mallory', async () => {
    const pep = await publishedTo(ROMEO);
    const error = await refusal(publishPersistent(pep.ctx, { node: KEYS, access: whitelist(ROMEO, MALLORY), maxItems: 32 }, key('k2')));
    expect(error.code).toBe('access-model-conflict');
    expect(error.message).toContain(`: ${MALLORY} would be able to read them too.`);
    expect(pep.nodes.get(KEYS)?.affiliations.has(MALLORY)).toBe(false);
  });

  it('replacing one reader names both', async () => {
    const pep = await publishedTo(ROMEO);
    const error = await refusal(ensurePersistentNode(pep.ctx, { node: KEYS, access: whitelist(MALLORY), maxItems: 32 }));
    expect(error.message).toContain(`: ${ROMEO} would no longer be able to read them; ${MALLORY} would be able to read them too.`);
  });

  it('confirmed, the members become the ones chosen, and the change is reported as a reconfiguration', async () => {
    const pep = await publishedTo(ROMEO, MALLORY);
    const outcome = await publishPersistent(pep.ctx, { node: KEYS, access: whitelist(MALLORY), maxItems: 32, reconfigure: true }, key('k2'));
    expect(outcome.reconfigured).toBe(true);
    expect(outcome.config.whitelist).toEqual([MALLORY]);
    expect(pep.nodes.get(KEYS)?.affiliations.get(ROMEO)).toBe('none');
  });

  it('the same members, in another order or case (and the own address left aside), need no consent', async () => {
    const pep = await publishedTo(ROMEO, MALLORY);
    const outcome = await publishPersistent(pep.ctx, { node: KEYS, access: whitelist('Mallory@Evil.example', ROMEO, JULIET), maxItems: 32 }, key('k2'));
    expect(outcome.reconfigured).toBe(false);
    expect(affiliationsSent(pep.requests)).toEqual([]);
    expect(pep.nodes.get(KEYS)?.items).toEqual(['k1', 'k2']);
  });

  it('an address typed decomposed (NFD, as some keyboards give it) is the member it names, not a reader left behind', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    const outcome = await publishPersistent(pep.ctx, { node: KEYS, access: whitelist('jose\u0301@example.com'), maxItems: 32 }, key('k1'));
    expect(outcome.config.whitelist?.map((jid) => jid.normalize('NFC'))).toEqual(['jos\u00e9@example.com']);
    expect(pep.nodes.get(KEYS)?.items).toEqual(['k1']);
  });
});

describe('another client changing the members between the consent check and the change is never overwritten', () => {
  const NURSE = 'nurse@capulet.lit';

  /**
   * `pep`'s context, with `meanwhile` run (as another client of the account would act) right after
   * the first reading of the node's affiliations answered: the consent check's reading.
   */
  function changedAfterFirstRead(pep: ReturnType<typeof fakePep>, meanwhile: () => void): NodeContext {
    let reads = 0;
    const get = async (element: Element, to?: string, timeout?: number) => {
      const answer = await pep.ctx.iq.get(element, to, timeout);
      if (element.is('pubsub', NS.pubsubOwner) && element.getChild('affiliations') !== undefined && ++reads === 1) meanwhile();
      return answer;
    };
    return { iq: { get, set: (element: Element, to?: string, timeout?: number) => pep.ctx.iq.set(element, to, timeout) }, owner: pep.ctx.owner };
  }

  it('the members as asked, mallory added meanwhile: refused, naming mallory; she stays, nothing is published', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: whitelist(ROMEO), maxItems: 32 }, key('k1'));
    pep.requests.length = 0;
    const ctx = changedAfterFirstRead(pep, () => pep.nodes.get(KEYS)?.affiliations.set(MALLORY, 'member'));
    const error = await refusal(publishPersistent(ctx, { node: KEYS, access: whitelist(ROMEO), maxItems: 32 }, key('k2')));
    expect(error.code).toBe('access-model-conflict');
    expect(error.message).toBe(
      `Who can read your keys changed on the server while the app was setting it (another client of your account, or the server's admin): it is now Only ${ROMEO}, ${MALLORY}. ` +
        `Changing it to Only ${ROMEO} must be confirmed: ${MALLORY} would no longer be able to read them. Nothing was published.`,
    );
    expect(affiliationsSent(pep.requests)).toEqual([]);
    expect(pep.nodes.get(KEYS)?.affiliations.get(MALLORY)).toBe('member');
    expect(pep.nodes.get(KEYS)?.items).toEqual(['k1']);
  });

  it('a confirmed change, the nurse added meanwhile: refused, the nurse left as she is; the confirmed change is not made either', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: whitelist(ROMEO, MALLORY), maxItems: 32 }, key('k1'));
    pep.requests.length = 0;
    const ctx = changedAfterFirstRead(pep, () => pep.nodes.get(KEYS)?.affiliations.set(NURSE, 'member'));
    const error = await refusal(publishPersistent(ctx, { node: KEYS, access: whitelist(ROMEO), maxItems: 32, reconfigure: true }, key('k2')));
    expect(error.code).toBe('access-model-conflict');
    expect(error.message).toContain(`: ${MALLORY}, ${NURSE} would no longer be able to read them. Nothing was published.`);
    expect(affiliationsSent(pep.requests)).toEqual([]);
    expect(pep.nodes.get(KEYS)?.affiliations.get(NURSE)).toBe('member');
    expect(pep.nodes.get(KEYS)?.affiliations.get(MALLORY)).toBe('member');
    expect(pep.nodes.get(KEYS)?.items).toEqual(['k1']);
  });

  it('every member taken off meanwhile: the refusal says only you can read it now', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: whitelist(ROMEO), maxItems: 32 }, key('k1'));
    const ctx = changedAfterFirstRead(pep, () => pep.nodes.get(KEYS)?.affiliations.set(ROMEO, 'none'));
    const error = await refusal(publishPersistent(ctx, { node: KEYS, access: whitelist(ROMEO), maxItems: 32 }, key('k2')));
    expect(error.message).toContain('it is now Only you. ');
  });

  it('a change meanwhile that leaves nothing to send (the same one, made by the other client) goes through', async () => {
    const pep = fakePep({ fields: BASE_FIELDS });
    await publishPersistent(pep.ctx, { node: KEYS, access: whitelist(ROMEO, MALLORY), maxItems: 32 }, key('k1'));
    const ctx = changedAfterFirstRead(pep, () => pep.nodes.get(KEYS)?.affiliations.set(MALLORY, 'none'));
    const outcome = await publishPersistent(ctx, { node: KEYS, access: whitelist(ROMEO), maxItems: 32, reconfigure: true }, key('k2'));
    expect(outcome.config.whitelist).toEqual([ROMEO]);
    expect(pep.nodes.get(KEYS)?.items).toEqual(['k1', 'k2']);
  });
});
