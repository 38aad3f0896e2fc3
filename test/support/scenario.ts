/**
 * XEP-0222's cast (its examples) on a real server: juliet; romeo in her "Friends" group and the nurse in
 * "Servants", both with mutual presence subscriptions; benvolio with none. Subscriptions are made the
 * way clients make them (roster set + subscribe/subscribed both ways), through the app's own session.
 */
import xml, { type Element } from '@xmpp/xml';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { AccountSession } from '../../main/xmpp/session.js';
import { fetchRoster, setRosterItem, subscriptionStanza } from '../../main/xmpp/roster.js';
import { capsElement } from '../../main/xmpp/caps.js';
import { NS } from '../../main/xmpp/namespaces.js';
import type { ConnectParams } from '../../contract/index.js';
import { freshAccount } from './accounts.js';
import type { ServerInfo } from './xmpp-server.js';

export interface Actor {
  params: ConnectParams;
  session: AccountSession;
  jid: string;
}

export async function connectActor(role: string, domain: string, server?: ServerInfo): Promise<Actor> {
  const params = await freshAccount(role, domain, server);
  const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
  await session.connect(params);
  return { params, session, jid: params.jid };
}

/** Another resource of the same account (juliet's "chamber" beside her "balcony"). */
export async function secondResource(actor: Actor): Promise<Actor> {
  const session = new AccountSession({ events: new AppEvents(), log: silentLogger });
  await session.connect(actor.params);
  return { ...actor, session };
}

/** Mutual presence subscription between `owner` and `contact`, with `contact` in `groups` on owner's roster. */
export async function befriend(owner: Actor, contact: Actor, groups: string[]): Promise<void> {
  await setRosterItem(owner.session.client.iqCaller, { jid: contact.jid, groups });
  const stopOwner = autoAccept(owner, contact.jid);
  const stopContact = autoAccept(contact, owner.jid);
  try {
    await owner.session.send(subscriptionStanza(contact.jid, 'subscribe'));
    await contact.session.send(subscriptionStanza(owner.jid, 'subscribe'));
    await until(async () => {
      const [ownerSide, contactSide] = await Promise.all([
        fetchRoster(owner.session.client.iqCaller),
        fetchRoster(contact.session.client.iqCaller),
      ]);
      return (
        ownerSide.some((i) => i.jid === contact.jid && i.subscription === 'both') &&
        contactSide.some((i) => i.jid === owner.jid && i.subscription === 'both')
      );
    }, `mutual subscription ${owner.jid} ⇄ ${contact.jid}`);
  } finally {
    stopOwner();
    stopContact();
  }
}

function autoAccept(actor: Actor, from: string): () => void {
  return actor.session.events.on('subscriptionRequest', (request) => {
    if (request.from === from) void actor.session.send(subscriptionStanza(from, 'subscribed'));
  });
}

/**
 * Sends presence with our caps again, now that the subscriptions exist, so the contacts' PEP services
 * hold our +notify interest, then waits until the service that matters has taken it in: a ping round
 * trip to `ownerDomain` (our own domain by default). Stanzas from one stream are handled in order, so
 * once the ping returns, what we sent before it was processed there.
 *
 * A PEP service learns an unknown caps hash by asking us disco#info (XEP-0115 §6.2); our answer must
 * reach it before the ping does. On our own server that holds by stream order. Across servers the
 * question comes back over server-to-server links, so we first wait (briefly: a service that knows the
 * hash from another contact asks nothing) for the question from `ownerDomain`, and ping after answering.
 */
export async function announceInterest(actor: Actor, ownerDomain = actor.jid.split('@')[1] ?? ''): Promise<void> {
  const remote = ownerDomain !== actor.jid.split('@')[1];
  const asked = remote ? discoQueryFrom(actor, ownerDomain, 3000) : Promise.resolve();
  await actor.session.send(xml('presence', {}, capsElement()));
  await asked;
  // Our answer is sent by the session's own handler; let it go out before the ping.
  if (remote) await new Promise((r) => setTimeout(r, 100));
  await actor.session.client.iqCaller.get(xml('ping', { xmlns: NS.ping }), ownerDomain);
}

/** Resolves once a disco#info question from someone at `domain` reaches the actor, or after `timeoutMs`. */
function discoQueryFrom(actor: Actor, domain: string, timeoutMs: number): Promise<void> {
  const entity = actor.session.client.entity;
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      entity.removeListener('stanza', onStanza);
      resolve();
    };
    const onStanza = (stanza: Element) => {
      const from = stanza.attrs.from;
      const fromDomain = from?.split('/')[0]?.split('@').at(-1);
      if (stanza.name === 'iq' && stanza.attrs.type === 'get' && stanza.getChild('query', NS.discoInfo) && fromDomain === domain) done();
    };
    const timer = setTimeout(done, timeoutMs);
    entity.on('stanza', onStanza);
  });
}

export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Resolves with the first value `subscribe` delivers that matches, or rejects after the timeout. */
export function nextEvent<T>(
  subscribe: (listener: (value: T) => void) => () => void,
  matches: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const unsubscribe = subscribe((value) => {
      if (!matches(value)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

/** Collects every value `subscribe` delivers until stopped. */
export function collect<T>(subscribe: (listener: (value: T) => void) => () => void): { values: T[]; stop: () => void } {
  const values: T[] = [];
  const stop = subscribe((v) => values.push(v));
  return { values, stop };
}
