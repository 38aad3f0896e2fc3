/**
 * Which subscriptions an audience leaves out, and what the app does with a server that keeps one it
 * was asked to end, or will not list them (main/xmpp/node-subscriptions.ts). The servers' own
 * behaviour is in test/integration/narrowing-subscriptions.test.ts.
 */
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { endSubscriptionsOutside, subscriptionsOutside, type NodeSubscription } from '../../../main/xmpp/node-subscriptions.js';
import type { Iq } from '../../../main/xmpp/iq-requests.js';
import type { RosterItem } from '../../../main/xmpp/roster.js';

const OWNER = 'juliet@capulet.lit';
const sub = (jid: string): NodeSubscription => ({ jid, subscription: 'subscribed' });
const ROSTER: RosterItem[] = [
  { jid: 'romeo@montague.lit', groups: ['Friends'], subscription: 'both' },
  { jid: 'nurse@capulet.lit', groups: ['Servants'], subscription: 'from' },
  { jid: 'tybalt@capulet.lit', groups: ['Friends'], subscription: 'to' },
];

describe('subscriptionsOutside', () => {
  const all = [sub(`${OWNER}/laptop`), sub(OWNER), sub('Romeo@Montague.lit/phone'), sub('nurse@capulet.lit'), sub('tybalt@capulet.lit'), sub('mallory@evil.example')];
  const jids = (list: NodeSubscription[]) => list.map((s) => s.jid);

  it('under open access, none; the account’s own never', () => {
    expect(subscriptionsOutside(OWNER, { model: 'open' }, all)).toEqual([]);
    expect(jids(subscriptionsOutside(OWNER, { model: 'whitelist', allow: [] }, all))).not.toContain(OWNER);
  });

  it('under whitelist, anyone not on it, whatever resource or case they subscribed with', () => {
    expect(jids(subscriptionsOutside(OWNER, { model: 'whitelist', allow: ['romeo@montague.lit'] }, all))).toEqual([
      'nurse@capulet.lit',
      'tybalt@capulet.lit',
      'mallory@evil.example',
    ]);
  });

  it('under presence, anyone the roster does not show subscribed to the account’s presence', () => {
    expect(jids(subscriptionsOutside(OWNER, { model: 'presence' }, all, ROSTER))).toEqual(['tybalt@capulet.lit', 'mallory@evil.example']);
  });

  it('under roster groups, anyone not so subscribed in one of them', () => {
    expect(jids(subscriptionsOutside(OWNER, { model: 'roster', groups: ['Servants'] }, all, ROSTER))).toEqual([
      'Romeo@Montague.lit/phone',
      'tybalt@capulet.lit',
      'mallory@evil.example',
    ]);
  });

  it('under presence or roster access with the roster unknown, every other subscription', () => {
    expect(jids(subscriptionsOutside(OWNER, { model: 'presence' }, all))).toEqual(['Romeo@Montague.lit/phone', 'nurse@capulet.lit', 'tybalt@capulet.lit', 'mallory@evil.example']);
  });
});

/** A PEP service's owner requests, as a test writes them: `list` answers §8.8.1, `end` takes §8.8.2. */
function fakeService(options: { list: () => string[]; end: (jids: string[]) => void }): Iq & { sets: Element[] } {
  const sets: Element[] = [];
  const subscriptions = (jids: string[]) =>
    xml('pubsub', { xmlns: NS.pubsubOwner }, xml('subscriptions', { node: NS.pubkey }, ...jids.map((jid) => xml('subscription', { jid, subscription: 'subscribed' }))));
  return {
    sets,
    get: (element: Element) => {
      if (element.getChild('subscriptions')) return Promise.resolve(subscriptions(options.list()));
      if (element.getChild('query', NS.roster)) return Promise.resolve(xml('query', { xmlns: NS.roster }));
      return Promise.reject(new Error(`unexpected request ${element.toString()}`));
    },
    set: (element: Element) => {
      sets.push(element);
      options.end((element.getChild('subscriptions')?.getChildren('subscription') ?? []).map((s) => s.attrs.jid as string));
      return Promise.resolve(undefined);
    },
  };
}

describe('endSubscriptionsOutside', () => {
  const whitelist = { model: 'whitelist' as const, allow: ['romeo@montague.lit'] };

  it('ends those outside in one request, and reads them again', async () => {
    let held = ['romeo@montague.lit', 'benvolio@montague.lit/phone', OWNER];
    const iq = fakeService({ list: () => held, end: (jids) => (held = held.filter((j) => !jids.includes(j))) });
    const changed: string[] = [];
    await expect(endSubscriptionsOutside({ iq, owner: OWNER }, NS.pubkey, whitelist, () => Promise.resolve([]), () => changed.push('now'))).resolves.toEqual({ listed: true });
    expect(iq.sets).toHaveLength(1);
    expect(held).toEqual(['romeo@montague.lit', OWNER]);
    expect(changed).toEqual(['now']);
  });

  it('nothing to end: no change asked, nothing noted as changing', async () => {
    const iq = fakeService({ list: () => ['romeo@montague.lit', OWNER], end: () => undefined });
    const changed: string[] = [];
    await endSubscriptionsOutside({ iq, owner: OWNER }, NS.pubkey, whitelist, () => Promise.resolve([]), () => changed.push('now'));
    expect(iq.sets).toHaveLength(0);
    expect(changed).toEqual([]);
  });

  it('a server that keeps a subscription it took the request to end: refused, naming who, nothing published', async () => {
    const iq = fakeService({ list: () => ['benvolio@montague.lit'], end: () => undefined });
    const refusal = await endSubscriptionsOutside({ iq, owner: OWNER }, NS.pubkey, whitelist, () => Promise.resolve([])).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(KeyringError);
    expect((refusal as KeyringError).code).toBe('access-not-revoked');
    expect((refusal as KeyringError).message).toMatch(/^benvolio@montague\.lit is still subscribed to .* Nothing was published\.$/);
  });

  it('a server that will not list them: those the publish takes off are ended by name, one request each, and the answer says the rest is unknown', async () => {
    const sets: Element[] = [];
    const unsupported = Object.assign(new Error('feature-not-implemented'), {
      condition: 'feature-not-implemented',
      element: xml('error', { type: 'cancel' }, xml('feature-not-implemented', { xmlns: NS.stanzas })),
    });
    const iq = {
      get: () => Promise.reject(unsupported),
      set: (element: Element) => {
        sets.push(element);
        return Promise.resolve(undefined);
      },
    } as unknown as Iq;
    const outcome = await endSubscriptionsOutside({ iq, owner: OWNER }, NS.pubkey, whitelist, () => Promise.resolve(['benvolio@montague.lit', 'romeo@montague.lit']));
    expect(outcome).toEqual({ listed: false, detail: 'cancel/feature-not-implemented' });
    expect(sets.map((s) => s.getChild('subscriptions')?.getChild('subscription')?.attrs)).toEqual([{ jid: 'benvolio@montague.lit', subscription: 'none' }]);
  });
});
