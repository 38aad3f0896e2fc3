/**
 * The keys other apps publish for an account, read in one place: OMEMO devices and bundles (XEP-0384,
 * both eu.siacs.conversations.axolotl and urn:xmpp:omemo:2) and OpenPGP for XMPP keys (XEP-0373). Read at
 * sign-in for the roster (background, bounded concurrency, fetch-across-servers.ts), when a contact is
 * opened, and on PEP notifications of the device and key lists (our caps carry +notify for them,
 * NOTIFY_NODES); what changed is decided by main/vault/other-keys.ts and remembered in the vault.
 *
 * The app never publishes these keys. The one write: on the user's own account, taking a device off the
 * published device list (XEP-0384 §5.3.1 / v0.3 §4.2: the list is republished without it), with no
 * publish-options, so the node's access stays as the client that made it set it.
 *
 * Everything read is hostile: the readers in main/protocols/ cap sizes and counts and report problems as
 * text; here requests per account are bounded (BUNDLE_CONCURRENCY at a time, at most the readers' device
 * caps), notifications count only from the roster, addresses looked up and the account itself, and a
 * burst of them folds into a few readings (Coalescer).
 */
import { createHash } from 'node:crypto';
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { KeyTrustDecision, OtherKeyProtocol, OtherKeysSourceView, OtherKeysView, OtherKeyVerifyAnswer, OtherKeyView } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import { decideTrust, effectivePolicy } from '../keys/trust-policy.js';
import { inBackground } from './background.js';
import { bundleLocation, devicesNode, readBundle, readDeviceList, verifiedLabel, type OmemoVersion } from '../protocols/omemo.js';
import { namesAddress, publicKeyNode, readPublicKeyItem, readPublicKeysList } from '../protocols/openpgp.js';
import { cleanText, markedName, oneLine } from '../untrusted-text.js';
import { knownFirst, mergeReading, staleness, stateOf, type Reading, type Sighting } from '../vault/other-keys.js';
import { acceptFingerprint, historyOf, isCurrent, unverifyFingerprint, verifyFingerprint } from '../vault/other-keys-trust.js';
import type { OtherKeyRecord, OtherKeysRecord } from '../vault/schema.js';
import type { ContactKeysStore } from '../vault/stores/contact-keys-store.js';
import type { OtherKeysStore } from '../vault/stores/other-keys-store.js';
import { recordAfterServer } from '../vault/disk-trouble.js';
import { contactBareJid, contactBareJids, logSkippedAddresses } from '../xmpp/contact-jid.js';
import { fetchAcrossServers } from '../xmpp/fetch-across-servers.js';
import { fetchItem, fetchItems, type FetchOutcome } from '../xmpp/fetch-items.js';
import { NS } from '../xmpp/namespaces.js';
import type { PepNotification } from '../xmpp/pep-events.js';
import { publishRequest } from '../xmpp/pubsub.js';
import { Coalescer, type FollowUpTiming } from './coalesce.js';
import type { ContactWatchDeps } from './contact-watch-deps.js';
import { ListenedContacts } from './listened-contacts.js';
import { accountMarkNow, forWrite, markedIq, markNow, requireMarked, requireTrustAccountNow, signedOutMeanwhile, stillMarked, type SessionMark } from './session-mark.js';

/** The list nodes whose notifications are routed here (main/core.ts). */
export const OTHER_KEY_LIST_NODES = [NS.omemoAxolotlDevices, NS.omemo2Devices, NS.openpgpPublicKeys] as const;
/** Accounts read at once in a background reading of the roster. */
export const OTHER_KEYS_CONCURRENCY = 4;
/** Bundle and key requests in flight at once for one account. */
export const BUNDLE_CONCURRENCY = 4;
/** A burst of notifications from one account folds into few readings (as for X.509 keys, contact-keys.ts). */
export const OTHER_KEYS_FOLLOW_UP: FollowUpTiming = { spacingMs: 1000, maxSpacingMs: 60_000, calmMs: 60_000 };
const MAX_PROBLEM_CHARS = 300;
/** What a background run tells the scheduler for an account it stopped at: nothing to go by. */
const STOPPED: FetchOutcome = { status: 'ok', items: [] };

const PROTOCOL_VERSION: Readonly<Record<'omemo' | 'omemo2', OmemoVersion>> = { omemo: 'axolotl', omemo2: 'omemo2' };

/** What one reading saw of a device or key besides what is stored. */
interface Observed extends Sighting {
  problems: string[];
  hasData: boolean;
  signatureValid?: boolean;
  /** A known device or key the list still names, past the reader's cap: listed, its data not read. */
  notRead?: true;
  /** An OMEMO device its app published no bundle for (OtherKeyView.noBundle). */
  noBundle?: true;
}

interface AccountReading {
  reading: Reading;
  observed: Observed[];
  sources: OtherKeysSourceView[];
  leftOut: number;
}

export interface OtherAppKeysDeps extends ContactWatchDeps<OtherKeysStore> {
  /** The trust policies the user chose, the same ones their X.509 keys follow. */
  trust: Pick<ContactKeysStore, 'accountPolicy' | 'contactTrust'>;
  /** The clock (tests move it). */
  now?: () => Date;
}

export class OtherAppKeys {
  readonly #deps: OtherAppKeysDeps;
  readonly #now: () => Date;
  readonly #readings: Coalescer<{ view: OtherKeysView; outcome: FetchOutcome }>;
  /** Roster contacts and the addresses the user looked up: anyone else's notifications are ignored. */
  readonly #listened: ListenedContacts;

  constructor(deps: OtherAppKeysDeps) {
    this.#deps = deps;
    this.#listened = new ListenedContacts({ isKnownContact: deps.isKnownContact, account: () => deps.session.state.account, log: deps.log, what: 'device list notifications' });
    this.#now = deps.now ?? (() => new Date());
    this.#readings = new Coalescer((jid) => this.#readAndRecord(jid), { ...OTHER_KEYS_FOLLOW_UP, ...deps.followUp });
  }

  /** Reads a contact's devices and keys now (the contact was opened). */
  async fetch(contact: string): Promise<OtherKeysView> {
    const jid = contactBareJid(contact);
    this.#listened.lookedUp(jid);
    // The user asked: read now, not after a burst's follow-up spacing (that is for notifications).
    return (await this.#readAndRecord(jid)).view;
  }

  /**
   * Reads many accounts in the background (the roster at sign-in), OTHER_KEYS_CONCURRENCY at a time, a
   * dead server holding up nobody else; each result goes out as a 'devices:contact' event.
   *
   * `startedFor`: the account and stream the run is for (the sign-in that started it; now by default).
   * Once another account is signed in, or that stream is gone, no next contact is read, and nothing read
   * across the switch is recorded (#readAndRecord) or announced: it is not the new account's.
   */
  async fetchMany(contacts: readonly string[], startedFor: SessionMark = markNow(this.#deps.session)): Promise<void> {
    // A roster may hold a gateway's domain-only address: skipped, so everyone else is still read.
    const addresses = contactBareJids(contacts);
    logSkippedAddresses(this.#deps.log, addresses.refused, 'reading other apps’ keys');
    const jids = [...new Set(addresses.jids)];
    const ownDomain = (startedFor.account ?? this.#deps.session.ownJid).split('@')[1] ?? '';
    const current = () => stillMarked(this.#deps.session, startedFor);
    await fetchAcrossServers(
      jids,
      { concurrency: OTHER_KEYS_CONCURRENCY, ownDomain, stop: () => !current() },
      async (jid) => {
        let reading: { view: OtherKeysView; outcome: FetchOutcome };
        try {
          reading = await this.#readings.request(jid);
        } catch (error) {
          // Cut off by the switch (#readAndRecord refused to record): the run ends quietly.
          if (!current()) return STOPPED;
          // A disk that refuses the records refuses everyone's: the run ends and says so.
          if (error instanceof KeyringError && error.code === 'storage-failed') throw error;
          // Anything else is this account's alone (what it publishes tripped a reader): logged, and every
          // other contact is still read. One contact's data never ends the reading of the rest.
          this.#deps.log.warn(`reading ${oneLine(jid)}'s other apps' keys failed: ${oneLine(error instanceof Error ? error.message : String(error))}`);
          return { status: 'failed', detail: 'the reading failed' };
        }
        // Read and recorded for the account before, but the window now shows another's.
        if (!current()) return STOPPED;
        this.#deps.events.emit('devices:contact', reading.view);
        return reading.outcome;
      },
      () => undefined,
    );
  }

  /** What the vault holds for an account, without asking the network. */
  stored(contact: string): OtherKeysView {
    const jid = contactBareJid(contact);
    return this.#view(jid, this.#deps.store.of(this.#deps.session.ownJid, jid), undefined);
  }

  /** A notification of a device list or the OpenPGP key list; the core routes it here. */
  onNotification(n: PepNotification): void {
    inBackground(this.#deps.log, `device list notification from ${oneLine(n.from)}`, this.#onNotification(n));
  }

  async #onNotification(n: PepNotification): Promise<void> {
    const own = n.from.toLowerCase() === this.#deps.session.ownJid.toLowerCase();
    if (!own && !(await this.#listened.listensTo(n.from))) return;
    // The list in the notification may be one of several; the reading asks for all of them and the bundles.
    const { view } = await this.#readings.request(n.from);
    this.#deps.events.emit('devices:contact', view);
  }

  /** The user's own account: what their other clients published, stale ones flagged. */
  async own(): Promise<OtherKeysView> {
    return (await this.#readAndRecord(this.#deps.session.ownJid)).view;
  }

  /**
   * Compares a fingerprint the user offers (normalized by the contract: 64 lowercase hex digits for
   * OMEMO, 40 uppercase for OpenPGP) with the account's current devices and keys as last read: those
   * with it are verified; none with it is recorded as a mismatch and verifies nothing (as
   * ContactKeys.verify does for X.509 keys). The first verification of any key of a contact starts
   * blind trust before verification's count for all of them.
   */
  async verify(contact: string, fingerprint: string): Promise<OtherKeyVerifyAnswer> {
    const jid = contactBareJid(contact);
    const account = this.#deps.session.ownJid;
    const now = this.#now();
    const known = this.#deps.store.of(account, jid);
    if (!known) throw this.#nothingRead(jid);
    const current = known.keys.filter((k) => isCurrent(k, fingerprint));
    if (current.length > 0 && current.every((k) => k.forAnotherAddress === true)) {
      // It matched, but the key is not theirs to verify: neither "Verified" nor a mismatch alarm.
      throw new KeyringError(
        'invalid-argument',
        `That OpenPGP key is issued for another address: none of its User IDs is xmpp:${jid}, so it cannot be verified as ${jid}'s. Nothing was marked verified.`,
        'fingerprint',
      );
    }
    const matched = await this.#deps.store.updateWithTrust(account, jid, (stored, trust) => {
      if (!stored) return { record: undefined, trust, result: false };
      const { record, matched } = verifyFingerprint(stored, fingerprint, now);
      return { record, trust: matched ? { ...trust, firstVerifiedAt: trust.firstVerifiedAt ?? now.toISOString() } : trust, result: matched };
    });
    this.#deps.log.info(`${oneLine(jid)}: other app's key ${matched ? 'verified' : 'compared: no match'}`);
    const view = this.#trustChanged(account, jid);
    return matched ? { outcome: 'verified', fingerprint, view } : { outcome: 'mismatch', offered: fingerprint, view };
  }

  /** Accepts a changed device or key without comparing: its warning clears, and the policy decides its trust. */
  async accept(contact: string, fingerprint: string): Promise<OtherKeysView> {
    const jid = contactBareJid(contact);
    const account = this.#deps.session.ownJid;
    const stored = this.#deps.store.of(account, jid);
    if (!stored) throw this.#nothingRead(jid);
    if (!acceptFingerprint(stored, fingerprint, this.#now()).accepted) {
      throw new KeyringError('invalid-argument', `None of ${jid}'s current devices or keys with that fingerprint changed: nothing to accept.`, 'fingerprint');
    }
    const now = this.#now();
    await this.#deps.store.update(account, jid, (current) => {
      if (!current) throw this.#nothingRead(jid);
      return { record: acceptFingerprint(current, fingerprint, now).record, result: undefined };
    });
    return this.#trustChanged(account, jid);
  }

  /**
   * Takes back a verification (a mistaken one): the device or key is trusted again only as the
   * contact's policy says, and a change the verification had cleared warns again
   * (main/vault/other-keys-trust.ts unverifyFingerprint). The contact's first verification stays as it
   * was, and so does when a comparison last matched (a mismatch it answered stays answered), as for
   * X.509 keys (ContactKeys.unverify).
   */
  async unverify(contact: string, fingerprint: string): Promise<OtherKeysView> {
    const jid = contactBareJid(contact);
    const account = this.#deps.session.ownJid;
    const stored = this.#deps.store.of(account, jid);
    if (!stored) throw this.#nothingRead(jid);
    // Refused before any write, as accept is.
    const { outcome } = unverifyFingerprint(stored, fingerprint);
    if (outcome === 'unknown') throw new KeyringError('not-found', `None of ${jid}'s current devices or keys has that fingerprint.`, 'fingerprint');
    if (outcome === 'not-verified') throw new KeyringError('invalid-argument', `That device or key of ${jid} is not verified: nothing to take back.`, 'fingerprint');
    await this.#deps.store.update(account, jid, (current) => {
      if (!current) throw this.#nothingRead(jid);
      return { record: unverifyFingerprint(current, fingerprint).record, result: undefined };
    });
    this.#deps.log.info(`${oneLine(jid)}: other app's key no longer verified`);
    return this.#trustChanged(account, jid);
  }

  /**
   * The contact's devices and keys after a change of trust now on disk, told to every window
   * (devices:contact): the one that asked gets them as the answer too.
   */
  #trustChanged(account: string, jid: string): OtherKeysView {
    requireTrustAccountNow(this.#deps.session, account);
    const view = this.stored(jid);
    this.#deps.events.emit('devices:contact', view);
    return view;
  }

  #nothingRead(jid: string): KeyringError {
    return new KeyringError('not-found', `No OMEMO devices or OpenPGP keys of ${jid} were read yet: read them first.`, 'jid');
  }

  /**
   * Takes a device off the user's own published device list: reads the list as it is now, republishes it
   * without that device under the same item id, and reads the account again. XEP-0384 lets any of the
   * account's clients edit the list; the device's own client, if still running, will add itself back
   * when it next starts (which is why the confirmation names it).
   */
  async removeOwnDevice(protocol: 'omemo' | 'omemo2', deviceId: number): Promise<OtherKeysView> {
    // A write to the account's own list: it goes on over a reconnect of the account, never over another's.
    const mark = forWrite(accountMarkNow(this.#deps.session));
    const owner = mark.account;
    const version = PROTOCOL_VERSION[protocol];
    const node = devicesNode(version);
    const listName = `${protocol === 'omemo' ? 'OMEMO' : 'OMEMO 2'} device list`;
    // Every request goes over whichever stream is up: once another account signed in, the read would be
    // its list and the publish would be refused by romeo's server in its own words. Stopped before, in ours.
    const iq = markedIq(
      this.#deps.session,
      mark,
      () => `${owner} was signed out (another account was signed in) before device ${deviceId} could be taken off your ${listName}: nothing was changed. Sign in to ${owner} again and do it there.`,
    );
    const outcome = await fetchItems(iq, owner, node);
    if (outcome.status !== 'ok') throw new KeyringError('not-found', `Your ${protocol === 'omemo' ? 'OMEMO' : 'OMEMO 2'} device list could not be read (${outcome.status}).`);
    const read = readDeviceList(version, outcome.items);
    if (!read.ok) throw new KeyringError('invalid-payload', `Your device list cannot be read: ${read.problem}.`);
    // A device past the reader's cap is still on the list, and can be taken off it.
    if (!read.list.devices.some((d) => d.id === deviceId) && !read.list.leftOut.includes(deviceId)) throw new KeyringError('not-found', `Device ${deviceId} is not on your published device list.`);
    const item = outcome.items.find((i) => i.id === read.list.itemId);
    const payload = item?.payload ? withoutDevice(item.payload, deviceId) : undefined;
    if (!payload) throw new KeyringError('invalid-payload', 'Your device list cannot be read.');
    // XEP-0384: the list is a single item ('current'); no publish-options, so the access model stays.
    await iq.set(publishRequest(node, { id: read.list.itemId || 'current', payload }), owner);
    this.#deps.log.info(`removed device ${deviceId} from own ${node}`);
    requireMarked(
      this.#deps.session,
      mark,
      () => `Device ${deviceId} was taken off ${owner}'s ${listName} on the server, but ${owner} was signed out meanwhile; this app shows it once ${owner} signs in again.`,
    );
    // The list is on the server without the device from here on: a vault that cannot record the reading
    // after it (a full disk) must not say "nothing was changed".
    const recorded = await recordAfterServer(() => this.#readAndRecord(owner), {
      done: `Device ${deviceId} was taken off your ${listName} on your server`,
      next: 'Until it is, this app still shows the device as listed. Free some space, then read your other apps’ keys again: the app then records it.',
    });
    return recorded.view;
  }

  /** One reading of an account, recorded; the view says what is known now. */
  async #readAndRecord(jid: string): Promise<{ view: OtherKeysView; outcome: FetchOutcome }> {
    const account = this.#deps.session.ownJid;
    const mark = markNow(this.#deps.session);
    // Its requests go over whichever stream is up: once another account is signed in (or the stream was
    // replaced), the rest would ask as that account, and what it read may be what that account sees.
    // No further request, and recorded under neither.
    const stillHere = () => {
      if (!stillMarked(this.#deps.session, mark)) {
        throw signedOutMeanwhile(`Another account was signed in, or the connection was lost, while ${jid}'s devices and keys were read: nothing was recorded.`);
      }
    };
    const read = await this.#read(jid, account, stillHere);
    stillHere();
    const now = this.#now();
    const before = this.#deps.store.of(account, jid);
    let record = before;
    if (mergeReading(before, read.reading, now).dirty) {
      const merged = await this.#deps.store.update(account, jid, (stored) => {
        const result = mergeReading(stored, read.reading, now);
        return { record: result.record, result };
      });
      record = merged.record;
      for (const change of merged.changes) {
        const where = change.deviceId === undefined ? change.fingerprint : `device ${change.deviceId}`;
        this.#deps.log.info(`${oneLine(jid)}: ${change.protocol} ${where} ${change.kind}`);
      }
    }
    const unreachable = read.sources.find((s) => s.status === 'unreachable');
    const outcome: FetchOutcome = unreachable ? { status: 'unreachable', detail: unreachable.detail ?? 'unreachable' } : { status: 'ok', items: [] };
    return { view: this.#view(jid, record, read), outcome };
  }

  #view(jid: string, record: OtherKeysRecord | undefined, read: AccountReading | undefined): OtherKeysView {
    const now = this.#now();
    const own = jid.toLowerCase() === this.#deps.session.ownJid.toLowerCase();
    const decide = this.#decider(jid);
    const keys = (record?.keys ?? []).map((stored) => {
      const seen = read?.observed.find((o) => matches(stored, o));
      return keyView(stored, record as OtherKeysRecord, seen, own, now, decide(stored));
    });
    const order: Record<OtherKeyProtocol, number> = { omemo: 0, omemo2: 1, openpgp: 2 };
    keys.sort((a, b) => order[a.protocol] - order[b.protocol] || Number(a.state === 'removed') - Number(b.state === 'removed') || (a.deviceId ?? 0) - (b.deviceId ?? 0) || a.fingerprint.localeCompare(b.fingerprint));
    const mismatches = (record?.mismatches ?? []).map((m) => ({ ...m }));
    return { jid, sources: read?.sources ?? [], keys, leftOut: read?.leftOut ?? 0, mismatches, ...(record?.lastMatchAt ? { lastMatchAt: record.lastMatchAt } : {}) };
  }

  /** The policy that applies to the account (theirs, else the user's default), as for their X.509 keys. */
  #decider(jid: string): (record: OtherKeyRecord) => KeyTrustDecision {
    const account = this.#deps.session.ownJid;
    const trust = this.#deps.trust.contactTrust(account, jid);
    const { policy } = effectivePolicy(this.#deps.trust.accountPolicy(account), trust.policy);
    return (record) => decideTrust(policy, historyOf(record), { firstVerifiedAt: trust.firstVerifiedAt });
  }

  /** `stillHere`: throws once the account or stream the reading began on is gone (before each request). */
  async #read(jid: string, account: string, stillHere: () => void): Promise<AccountReading> {
    const iq = this.#deps.session.iq;
    const stored = this.#deps.store.of(account, jid);
    const [axolotl, omemo2, openpgp] = await Promise.all([
      fetchItems(iq, jid, devicesNode('axolotl')),
      fetchItems(iq, jid, devicesNode('omemo2')),
      fetchItems(iq, jid, NS.openpgpPublicKeys),
    ]);
    stillHere();
    const result: AccountReading = { reading: {}, observed: [], sources: [], leftOut: 0 };
    await this.#readOmemo(jid, 'omemo', axolotl, stored, result, stillHere);
    await this.#readOmemo(jid, 'omemo2', omemo2, stored, result, stillHere);
    await this.#readOpenPgp(jid, openpgp, stored, result, stillHere);
    return result;
  }

  async #readOmemo(jid: string, protocol: 'omemo' | 'omemo2', outcome: FetchOutcome, stored: OtherKeysRecord | undefined, result: AccountReading, stillHere: () => void): Promise<void> {
    const version = PROTOCOL_VERSION[protocol];
    if (!listed(protocol, outcome, result)) return;
    const known = knownFirst(stored, protocol).flatMap((k) => (k.deviceId === undefined ? [] : [k.deviceId]));
    const list = readDeviceList(version, outcome.status === 'ok' ? outcome.items : [], known);
    if (!list.ok) {
      result.sources.push({ protocol, status: 'invalid', detail: clean(list.problem) });
      return;
    }
    result.sources.push(list.list.problems.length > 0 ? { protocol, status: 'ok', detail: clean(list.list.problems.join('; ')) } : { protocol, status: 'ok' });
    const knownIds = new Set(known);
    const notRead = list.list.leftOut.filter((id) => knownIds.has(id)).map((deviceId) => notReadThisTime({ protocol, deviceId, fingerprint: '' }));
    result.leftOut += list.list.leftOut.length - notRead.length;
    const observed = await inTurn(list.list.devices, BUNDLE_CONCURRENCY, async (device): Promise<Observed> => {
      const { node, itemId } = bundleLocation(version, device.id);
      stillHere();
      const fetched = itemId === undefined ? await fetchItems(this.#deps.session.iq, jid, node) : await fetchItem(this.#deps.session.iq, jid, node, itemId);
      const base: Observed = { protocol, deviceId: device.id, fingerprint: '', problems: [], hasData: false };
      const unpublished: Observed = { ...base, problems: ['no bundle published'], noBundle: true };
      if (fetched.status !== 'ok') return fetched.status === 'none' ? unpublished : { ...base, problems: [`bundle: ${fetched.status}`] };
      const item = itemId === undefined ? fetched.items[fetched.items.length - 1] : fetched.items.find((i) => i.id === itemId);
      if (!item) return unpublished;
      const bundle = readBundle(version, item, device.id);
      if (!bundle.ok) return { ...base, problems: [clean(bundle.problem)] };
      const label = verifiedLabel(device, bundle.bundle);
      return {
        ...base,
        fingerprint: bundle.bundle.fingerprint,
        hasData: true,
        signatureValid: bundle.bundle.signatureValid,
        problems: bundle.bundle.problems.map(clean),
        bundleDigest: createHash('sha256').update(item.payload?.toString() ?? '').digest('hex').slice(0, 32),
        ...(label !== undefined ? { label } : {}),
      };
    });
    // A known device past the cap is still listed: not removed, its last identity key kept ('' reads as
    // "bundle not read this time", main/vault/other-keys.ts).
    result.reading[protocol] = [...observed, ...notRead].map(sightingOf);
    result.observed.push(...observed, ...notRead);
  }

  async #readOpenPgp(jid: string, outcome: FetchOutcome, stored: OtherKeysRecord | undefined, result: AccountReading, stillHere: () => void): Promise<void> {
    if (!listed('openpgp', outcome, result)) return;
    const known = knownFirst(stored, 'openpgp').map((k) => k.fingerprint);
    const list = readPublicKeysList(outcome.status === 'ok' ? outcome.items : [], known);
    if (!list.ok) {
      result.sources.push({ protocol: 'openpgp', status: 'invalid', detail: clean(list.problem) });
      return;
    }
    result.sources.push(list.problems.length > 0 ? { protocol: 'openpgp', status: 'ok', detail: clean(list.problems.join('; ')) } : { protocol: 'openpgp', status: 'ok' });
    const knownFingerprints = new Set(known);
    const notRead = list.leftOut.filter((f) => knownFingerprints.has(f)).map((fingerprint) => notReadThisTime({ protocol: 'openpgp', fingerprint }));
    result.leftOut += list.leftOut.length - notRead.length;
    const observed = await inTurn(list.keys, BUNDLE_CONCURRENCY, async (listedKey): Promise<Observed> => {
      const base: Observed = { protocol: 'openpgp', fingerprint: listedKey.fingerprint, problems: [], hasData: false };
      stillHere();
      const fetched = await fetchItems(this.#deps.session.iq, jid, publicKeyNode(listedKey.fingerprint));
      if (fetched.status !== 'ok') return { ...base, problems: [fetched.status === 'none' ? 'no key data published' : `key data: ${fetched.status}`] };
      const key = readPublicKeyItem(fetched.items, listedKey.fingerprint);
      if (!key.ok) return { ...base, problems: [clean(key.problem)] };
      const namesAccount = namesAddress(key.key, jid);
      return {
        ...base,
        hasData: true,
        created: key.key.created.toISOString(),
        algorithm: key.key.algorithm.slice(0, 64),
        ...(key.key.bits !== undefined ? { bits: key.key.bits } : {}),
        namesAccount,
        problems: [...(namesAccount ? [] : [forAnotherAddressProblem(key.key.userIds, jid)]), ...key.key.problems.map(clean)],
      };
    });
    result.reading.openpgp = [...observed, ...notRead].map(sightingOf);
    result.observed.push(...observed, ...notRead);
  }
}

/** Records the source of a list that could not be read as a list; true when there is one to read. */
function listed(protocol: OtherKeyProtocol, outcome: FetchOutcome, result: AccountReading): boolean {
  if (outcome.status === 'ok') return true;
  if (outcome.status === 'none') {
    // No node: the account publishes nothing there (an empty list, so known devices count as removed).
    result.sources.push({ protocol, status: 'none' });
    result.reading[protocol] = [];
    return false;
  }
  result.sources.push({ protocol, status: outcome.status, detail: clean(outcome.detail) });
  return false;
}

/** A known device or key past the reader's cap, as it shows (its data was not asked for). */
function notReadThisTime(what: Pick<Observed, 'protocol' | 'deviceId' | 'fingerprint'>): Observed {
  return { ...what, problems: ['still listed, but not read this time: the list names more than the app reads'], hasData: false, notRead: true };
}

function sightingOf(o: Observed): Sighting {
  const { problems: _p, hasData: _h, signatureValid: _s, notRead: _n, noBundle: _b, ...sighting } = o;
  return sighting;
}

function matches(record: OtherKeyRecord, o: Observed): boolean {
  return record.protocol === o.protocol && (o.protocol === 'openpgp' ? record.fingerprint === o.fingerprint : record.deviceId === o.deviceId);
}

function keyView(stored: OtherKeyRecord, of: OtherKeysRecord, seen: Observed | undefined, own: boolean, now: Date, decision: KeyTrustDecision): OtherKeyView {
  const view: OtherKeyView = {
    protocol: stored.protocol,
    fingerprint: stored.fingerprint,
    firstSeen: stored.firstSeen,
    lastSeen: stored.lastSeen,
    state: stateOf(stored, of, now),
    decision,
    problems: seen?.problems ?? [],
  };
  if (stored.verifiedAt !== undefined) view.verifiedAt = stored.verifiedAt;
  if (stored.acceptedAt !== undefined) view.acceptedAt = stored.acceptedAt;
  if (stored.deviceId !== undefined) view.deviceId = stored.deviceId;
  if (view.state === 'changed' && stored.previous) view.previous = stored.previous;
  const since = view.state === 'removed' ? stored.removedAt : view.state === 'changed' ? stored.changedAt : undefined;
  if (since !== undefined) view.since = since;
  if (stored.label !== undefined) view.label = stored.label;
  if (stored.created !== undefined) view.created = stored.created;
  if (stored.algorithm !== undefined) view.algorithm = stored.algorithm;
  if (stored.bits !== undefined) view.bits = stored.bits;
  if (seen?.signatureValid !== undefined) view.signatureValid = seen.signatureValid;
  if (seen?.noBundle === true) view.noBundle = true;
  if (stored.forAnotherAddress === true) view.forAnotherAddress = true;
  if (own && seen !== undefined && seen.notRead === undefined) {
    const stale = staleness(stored, seen.hasData, now);
    if (stale !== undefined) view.stale = stale;
  }
  return view;
}

/** The list element without one device (other devices' attributes, labels included, as published). */
function withoutDevice(list: Element, deviceId: number): Element | undefined {
  const kept = list.getChildElements().filter((child) => !(child.name === 'device' && child.attrs.id === String(deviceId)));
  return xml(list.name, { ...list.attrs }, ...kept);
}

function clean(text: string): string {
  return cleanText(text, MAX_PROBLEM_CHARS) ?? '';
}

/** What a key without the contact's "xmpp:" User ID is said to be, naming the addresses it does give (at most three). */
function forAnotherAddressProblem(userIds: readonly string[], jid: string): string {
  const named = userIds.slice(0, 3).map((uid) => markedName(uid, 100));
  const given = named.length === 0 ? 'it names no address' : `it names ${named.map((uid) => `“${uid}”`).join(', ')}${userIds.length > 3 ? ' and more' : ''}`;
  return clean(`Issued for another address: ${given}, not xmpp:${jid}. Never trusted as theirs.`);
}

/** `work` over `items`, at most `limit` at a time, answers in the items' order. */
async function inTurn<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
