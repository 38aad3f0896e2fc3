import { describe, expect, it } from 'vitest';
import parseXml from '@xmpp/xml/lib/parse.js';
import type { Element } from '@xmpp/xml';
import type { IqCaller } from '@xmpp/iq/caller.js';
import { parseDiscoInfo } from '../../main/xmpp/disco.js';
import { describeMissingSupport, discoverPepSupport, summarizePepSupport } from '../../main/xmpp/pep-support.js';

// XEP-0222 §5, Listing 7 (the server's answer), trimmed to what matters plus noise we must ignore.
const SEED_ANSWER = `
<query xmlns='http://jabber.org/protocol/disco#info'>
  <identity category='server' type='im'/>
  <identity category='pubsub' type='pep'/>
  <identity type='no-category'/>
  <feature var='http://jabber.org/protocol/pubsub#access-presence'/>
  <feature var='http://jabber.org/protocol/pubsub#access-roster'/>
  <feature var='http://jabber.org/protocol/pubsub#publish-options'/>
  <feature var='http://jabber.org/protocol/pubsub#persistent-items'/>
  <feature/>
  <unknown-child>text</unknown-child>
</query>`;

const WITHOUT_PUBLISH_OPTIONS = `
<query xmlns='http://jabber.org/protocol/disco#info'>
  <identity category='pubsub' type='pep'/>
  <feature var='http://jabber.org/protocol/pubsub#persistent-items'/>
</query>`;

/** The ltx parser wants the root element first: no leading whitespace. */
const parse = (text: string): Element => parseXml(text.trim());

const PLAIN_SERVER = `<query xmlns='http://jabber.org/protocol/disco#info'><identity category='server' type='im'/></query>`;

describe('reading disco#info (XEP-0030) for XEP-0222 support', () => {
  it('finds pubsub/pep, publish-options and the advertised access models in XEP-0222’s example', () => {
    const support = summarizePepSupport('capulet.lit', parseDiscoInfo(parse(SEED_ANSWER)));
    expect(support).toEqual({
      queried: 'capulet.lit',
      pep: true,
      publishOptions: true,
      accessModels: ['presence', 'roster'],
      pubsubFeatures: ['access-presence', 'access-roster', 'publish-options', 'persistent-items'],
      // No software named: nothing measured applies.
      notifications: { remoteContacts: 'unknown', retractions: 'unknown', whitelistMembers: 'unknown' },
    });
    expect(describeMissingSupport(support)).toBeUndefined();
  });

  it('says exactly what is missing', () => {
    const noOptions = summarizePepSupport('x', parseDiscoInfo(parse(WITHOUT_PUBLISH_OPTIONS)));
    expect(describeMissingSupport(noOptions)).toMatch(/publish-options/);
    expect(describeMissingSupport(noOptions)).not.toMatch(/PEP/);
    const nothing = summarizePepSupport('x', parseDiscoInfo(parse(PLAIN_SERVER)));
    expect(describeMissingSupport(nothing)).toMatch(/PEP \(identity pubsub\/pep\) or publish-options/);
  });

  it('treats a missing query element as no support rather than failing', () => {
    expect(parseDiscoInfo(undefined)).toEqual({ identities: [], features: [] });
  });
});

describe('which JID answers (docs/servers.md: Prosody answers on the bare JID only)', () => {
  function fakeIq(answers: Record<string, string | Error>): IqCaller & { asked: string[] } {
    const asked: string[] = [];
    const get = (_el: Element, to?: string): Promise<Element | undefined> => {
      asked.push(to ?? '');
      const answer = answers[to ?? ''];
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve(answer === undefined ? undefined : parse(answer));
    };
    return { asked, get, set: get, request: () => Promise.reject(new Error('unused')) };
  }

  it('asks the bare JID first and stops there when it shows PEP', async () => {
    const iq = fakeIq({ 'juliet@capulet.lit': SEED_ANSWER, 'capulet.lit': PLAIN_SERVER });
    const support = await discoverPepSupport(iq, 'juliet@capulet.lit', 'capulet.lit');
    // The software version (XEP-0092) of the domain beside disco#info of the bare JID, then the PEP
    // service's default node configuration (XEP-0060 §8.3).
    expect(iq.asked).toEqual(['capulet.lit', 'juliet@capulet.lit', 'juliet@capulet.lit']);
    expect(support.queried).toBe('juliet@capulet.lit');
    expect(support.pep).toBe(true);
  });

  it('falls back to the domain (XEP-0222 §5’s way) when the bare JID shows no PEP or errors', async () => {
    for (const bare of [PLAIN_SERVER, new Error('service-unavailable')]) {
      const iq = fakeIq({ 'juliet@capulet.lit': bare, 'capulet.lit': SEED_ANSWER });
      const support = await discoverPepSupport(iq, 'juliet@capulet.lit', 'capulet.lit');
      expect(iq.asked).toEqual(['capulet.lit', 'juliet@capulet.lit', 'capulet.lit', 'juliet@capulet.lit']);
      expect(support.queried).toBe('capulet.lit');
      expect(support.publishOptions).toBe(true);
    }
  });

  it('reports no support when neither shows PEP, and fails only when nobody answered', async () => {
    const none = await discoverPepSupport(
      fakeIq({ 'juliet@capulet.lit': PLAIN_SERVER, 'capulet.lit': PLAIN_SERVER }),
      'juliet@capulet.lit',
      'capulet.lit',
    );
    expect(none.pep).toBe(false);
    await expect(
      discoverPepSupport(
        fakeIq({ 'juliet@capulet.lit': new Error('a'), 'capulet.lit': new Error('b') }),
        'juliet@capulet.lit',
        'capulet.lit',
      ),
    ).rejects.toThrow('b');
  });
});

describe('publishing is refused on a server without XEP-0222 support', () => {
  it('names exactly what is missing', async () => {
    const { AccountSession } = await import('../../main/xmpp/session.js');
    const { AppEvents } = await import('../../main/events.js');
    const { silentLogger } = await import('../../main/logger.js');
    class ServerWithout extends AccountSession {
      constructor(private readonly answer: ReturnType<typeof summarizePepSupport>) {
        super({ events: new AppEvents(), log: silentLogger });
      }
      override checkSupport() {
        return Promise.resolve(this.answer);
      }
    }
    const noOptions = new ServerWithout(summarizePepSupport('x', parseDiscoInfo(parse(WITHOUT_PUBLISH_OPTIONS))));
    await expect(noOptions.requireXep0222Support()).rejects.toMatchObject({
      code: 'pep-unsupported',
      message: expect.stringMatching(/does not support publish-options/) as unknown,
    });
    const full = new ServerWithout(summarizePepSupport('x', parseDiscoInfo(parse(SEED_ANSWER))));
    await expect(full.requireXep0222Support()).resolves.toBeUndefined();
  });
});
