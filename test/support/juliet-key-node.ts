/**
 * What the revocation tests on the real servers set up alike: juliet's app, with drift watch's timer
 * out of the way (what is checked comes from sign-in or notifications); her keys, made and published
 * for contacts who see her presence; another client signed in with her password (another device of
 * hers, or someone holding the stolen password), which may open her key node to everyone and stop it
 * keeping items; and her key node as anyone reads it.
 */
import type { DriftReport } from '../../contract/index.js';
import { KEY_NODE_MAX_ITEMS } from '../../main/services/own-keys.js';
import { fetchItems } from '../../main/xmpp/fetch-items.js';
import type { Iq } from '../../main/xmpp/iq-requests.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { readEffectiveConfig } from '../../main/xmpp/persistent-node.js';
import { configureSetRequest } from '../../main/xmpp/pubsub.js';
import { type App, connect, type OpenCore, openCore, resultValue, startApp } from './app.js';
import { until } from './scenario.js';
import type { ServerInfo } from './xmpp-server.js';

/** Juliet's app on `server`, connected; drift watch checks at sign-in and on notifications (settled within 150 ms), its timer out of the way. */
export function startJuliet(server: ServerInfo): Promise<App> {
  return startApp('juliet', 'capulet.lit', server, { driftWatch: { intervalMs: 3_600_000, settleMs: 150 } });
}

/** `count` new 2048-bit keys of the app's account, each published for contacts who see its presence; their fingerprints. */
export async function publishedKeys(device: OpenCore, count: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const fingerprint = resultValue(await device.core.api.keys.generate({ bits: 2048, validityDays: 30 })).fingerprint;
    resultValue(await device.core.api.keys.publish({ fingerprint, access: { model: 'presence' } }));
    keys.push(fingerprint);
  }
  return keys;
}

/** Another client of `ours`'s account: an app of its own, signed in with the same password. */
export async function otherClient(ours: App): Promise<OpenCore> {
  const other = await openCore();
  await connect(other.core, ours.actor.params);
  return other;
}

/** The other client opens the key node to everyone, with a key of its own (published with `reconfigure`); that key's fingerprint. */
export async function openKeyNodeToEveryone(other: OpenCore): Promise<string> {
  const othersKey = resultValue(await other.core.api.keys.generate({ bits: 2048, validityDays: 30 })).fingerprint;
  resultValue(await other.core.api.keys.publish({ fingerprint: othersKey, access: { model: 'open' }, reconfigure: true }));
  return othersKey;
}

/** Stops `owner`'s key node keeping items, over `iq` (XEP-0060 §8.2.4, one field: the rest stays as it is). */
export function stopKeepingItems(iq: Iq, owner: string): Promise<unknown> {
  return iq.set(configureSetRequest(NS.pubkey, { 'pubsub#persist_items': false }), owner);
}

/** `owner`'s key node's configuration as read over `iq` (one of the account's own clients). */
export function readKeyNodeConfig(iq: Iq, owner: string) {
  return readEffectiveConfig({ iq, owner }, NS.pubkey, KEY_NODE_MAX_ITEMS);
}

/** The ids of the items on `owner`'s key node as read over `iq`, sorted; a failed read as it came. */
export async function readKeyNodeIds(iq: Iq, owner: string) {
  const read = await fetchItems(iq, owner, NS.pubkey);
  return read.status === 'ok' ? read.items.map((i) => i.id).sort() : read;
}

/** The key node's part of a drift report. */
export function keyNodeOf(report: DriftReport) {
  return report.nodes.find((n) => n.node === NS.pubkey);
}

/** What the app says of a key's revocation: when, and why; undefined while it is not revoked there. */
export async function revokedHere(device: OpenCore, fingerprint: string) {
  return resultValue(await device.core.api.keys.list()).find((k) => k.fingerprint === fingerprint)?.revoked;
}

/** Signs the app in again; the report of the first check drift watch makes by itself then. */
export async function signInAndFirstCheck(ours: App): Promise<DriftReport> {
  const before = ours.core.drift.status().checkedAt ?? '';
  await connect(ours.core, ours.actor.params);
  // The first check waits for the revocations read at sign-in (core.ts), a publish among them.
  await until(() => (ours.core.drift.status().checkedAt ?? '') > before, 'drift watch has checked after sign-in', 15_000);
  return ours.core.drift.status();
}
