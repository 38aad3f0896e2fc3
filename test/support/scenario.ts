/**
 * The XEP-0222 seed's cast on a real server: juliet; romeo in her "Friends" group and the nurse in
 * "Servants", both with mutual presence subscriptions; benvolio with none. Subscriptions are made the
 * way clients make them (roster set + subscribe/subscribed both ways), through the app's own session.
 */
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { AccountSession } from '../../main/xmpp/session.js';
import { fetchRoster, setRosterItem, subscriptionStanza } from '../../main/xmpp/roster.js';
import type { ConnectParams } from '../../preload/contract.js';
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
