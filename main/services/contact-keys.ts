/**
 * Contacts' published keys: fetched on demand (send_last_published_item=never pushes nothing at login),
 * received live from PEP notifications, checked (main/keys/validate.ts), and remembered with trust on
 * first use in the vault. A notification only shows what changed; a fetch of the full set then decides
 * whether a new key replaced an old one ('changed').
 *
 * What others send is bounded before it costs anything:
 * - only the roster's contacts and the addresses the user looked up (fetch) are listened to; a
 *   notification from anyone else (a hostile server can route one to us) is logged and dropped, and
 *   nothing is written;
 * - at most one fetch per contact is in flight; notifications arriving meanwhile fold into one
 *   follow-up fetch, and follow-ups come ever further apart while they keep coming (FOLLOW_UP), so a
 *   burst of hundreds costs a few fetches; fetch results are merged in the order they were asked, and
 *   the newest knowledge wins: an answer never undoes a newer answer (fetchMany's requests are outside
 *   the one-at-a-time rule) nor a retract notification handled after its request went out;
 * - the vault is written only when the records change (lastSeen is kept to the hour), and holds at
 *   most MAX_CURRENT_KEYS + MAX_WITHDRAWN_KEYS + MAX_REVOKED_KEYS keys per contact (main/vault/contact-keys.ts).
 */
import {
  CONTACT_KEY_LIMITS,
  type ContactKeysView,
  type ContactKeyView,
  type TrustPolicy,
  type VerifyAnswer,
} from '../../contract/index.js';
import { parseVerificationClaim, type VerificationClaim } from '../../contract/format.js';
import { KeyringError } from '../errors.js';

import { decideTrust, effectivePolicy, type ContactHistory } from '../keys/trust-policy.js';
import { CertificateChecker, type CertificateCheck } from '../keys/validate.js';
import { verifyRevocation, withRevocations, type KeyCheck, type VerifiedRevocation } from '../keys/revocation.js';
import type { SuccessionStatement } from '../keys/succession.js';
import { applyKeyStatements, storedRevocations, type ContactStatements } from '../vault/contact-key-lifecycle.js';
import { readRevocationItem, readSuccession } from '../xmpp/key-statements.js';
import { readQrCodeOffThread } from '../profile/qr-off-thread.js';
import { inBackground } from './background.js';
import { cleanText, oneLine } from '../untrusted-text.js';
import {
  markAccepted,
  markRetracted,
  markUnverified,
  markVerified,
  MAX_CURRENT_KEYS,
  mergeFullKeySet,
  withKeysThatCameAndWent,
  type KeyChange,
  type SeenKey,
} from '../vault/contact-keys.js';
import type { ContactKeyRecord, ContactTrustRecord, MismatchRecord } from '../vault/schema.js';
import type { ContactKeysStore } from '../vault/stores/contact-keys-store.js';
import { DEFAULT_FETCH_TIMEOUT_MS, fetchItems, type FetchOutcome } from '../xmpp/fetch-items.js';
import { fetchAcrossServers } from '../xmpp/fetch-across-servers.js';
import { NS } from '../xmpp/namespaces.js';
import type { PepNotification } from '../xmpp/pep-events.js';
import { readPubkeyItem } from '../xmpp/pubkey-items.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { contactBareJid, contactBareJids, logSkippedAddresses } from '../xmpp/contact-jid.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { isFingerprint } from '../keys/fingerprint.js';
import { Coalescer, type FollowUpTiming } from './coalesce.js';
import type { ContactWatchDeps } from './contact-watch-deps.js';
import { ListenedContacts } from './listened-contacts.js';
import { isAccountNow, markNow, requireTrustAccountNow, signedOutMeanwhile, stillMarked, type SessionMark } from './session-mark.js';

/** The window's words for one's own address asked as a contact's (exported: the keyring command points at `keyring keys list`). */
export const OWN_ADDRESS_WORDS = 'That is your own address: your keys are under My keys.';

/** A read of a contact's keys that came back with nothing to compare with (fetch-items.ts FetchOutcome). */
export type UnreadKeys = { status: 'refused' | 'unreachable' | 'failed'; detail?: string };

/**
 * Why a comparison was refused: the latest read of the contact's keys failed, so what the vault holds
 * may be stale (a key withdrawn since, because it leaked, would still look current). The window and
 * the keyring command say it in these words; `detail` is the contact's server's, cleaned.
 */
export function unreadKeysWords(contact: string, unread: UnreadKeys): { message: string; nextStep: string } {
  const detail = cleanText(unread.detail, 200);
  const why = {
    unreachable: 'their server could not be reached',
    refused: 'they do not let you read them',
    failed: 'their server answered with an error',
  }[unread.status];
  return {
    message: `Could not read ${contact}'s current keys: ${why}${detail ? ` (${detail})` : ''}. Nothing was verified.`,
    nextStep: 'A key is compared only with the keys their server has now: compare again once their keys can be read.',
  };
}

/** Items requests in flight at once when fetching many contacts (pipelined, not one by one). */
export const DEFAULT_FETCH_CONCURRENCY = 16;
/**
 * When a contact's fetches may start (coalesce.ts): the first at once; the next at least 1 s after it,
 * then 2 s, 4 s… up to a minute apart, until a minute passes without a notification. A single
 * notification is fetched at once; a flood lasting a minute costs about 8 fetches, and its last keys
 * are shown at most a minute late.
 */
export const FOLLOW_UP: FollowUpTiming = { spacingMs: 1000, maxSpacingMs: 60_000, calmMs: 60_000 };
const MAX_SHOWN_ID = 80;
/** Revocations checked per answer: the withdrawn keys the app keeps, and as many current ones. */
const MAX_REVOCATIONS_READ = CONTACT_KEY_LIMITS.withdrawnKeys + CONTACT_KEY_LIMITS.currentKeys;

interface NotifiedKey {
  key: SeenKey;
  notifiedAt: string;
  /** Which notification showed it (ContactKeys counts them). */
  sequence: number;
}

/** FOLLOW_UP is the default follow-up timing. */
export type ContactKeysDeps = ContactWatchDeps<ContactKeysStore>;

export class ContactKeys {
  readonly #deps: ContactKeysDeps;
  /** Each certificate is checked once (parse, signature, names), not at every fetch and view. */
  readonly #checker = new CertificateChecker();
  readonly #fetches: Coalescer<ContactKeysView>;
  /** Roster contacts and the addresses the user looked up: anyone else's notifications are ignored. */
  readonly #listened: ListenedContacts;
  /** Contacts whose next fetch a notification asked for (its result is then announced as an event). */
  readonly #notified = new Set<string>();
  /**
   * Keys notifications showed that no fetch has stored yet, per contact: if one is withdrawn before the
   * fetch that follows runs, that fetch still records it (as withdrawn). Bounded by the listened-to
   * contacts and MAX_CURRENT_KEYS each; cleared by every complete fetch.
   */
  readonly #notifiedUnstored = new Map<string, Map<string, NotifiedKey>>();
  /**
   * Retract notifications (XEP-0060 §7.2.2.1) per contact: fingerprint → the notification's number. The
   * answer to a request sent before one may still list that key, handled after it: that answer must not
   * bring the withdrawn key back, while one asked later may (the key was published again). At most
   * MAX_CURRENT_KEYS per contact (the oldest forgotten first); forgotten once an answer asked after
   * them is recorded.
   */
  readonly #retractedAt = new Map<string, Map<string, number>>();
  /**
   * Per contact, the notification count when the newest recorded answer was asked. fetchMany's requests
   * are not in the contacts' one-at-a-time lanes, so a notification's fetch can overtake one: an answer
   * asked before the newest recorded one is older news, and is not merged. One number per contact
   * fetched in this run.
   */
  readonly #answeredAt = new Map<string, number>();
  /**
   * Contacts whose latest read failed, by account and contact: verify refuses to compare with the
   * vault's copy until a read succeeds again. One entry per contact fetched, gone once read.
   */
  readonly #unread = new Map<string, UnreadKeys>();
  /** Counts notifications, so a fetch weighs only those that arrived before it asked. */
  #notifications = 0;

  constructor(deps: ContactKeysDeps) {
    this.#deps = deps;
    this.#listened = new ListenedContacts({ isKnownContact: deps.isKnownContact, account: () => deps.session.state.account, log: deps.log, what: 'key notifications' });
    this.#fetches = new Coalescer((contact) => this.#fetchNow(contact), { ...FOLLOW_UP, ...deps.followUp });
  }

  /** A PEP notification for the key node (XEP-0060 §7.1.2.1 items, §7.2.2.1 retract); the core routes it here. */
  onNotification(n: PepNotification): void {
    inBackground(this.#deps.log, `key notification from ${oneLine(n.from)}`, this.#onNotification(n));
  }

  /**
   * Fetches the contact's key node now and records what it holds. The user asked for this address, so
   * its later notifications are listened to as well. A fetch already in flight is not repeated: this
   * joins the next one, which starts after it. The view is the answer, not a `contacts:keys` event: the
   * caller gets it once (those events are for what nobody asked for, notifications and background
   * fetches); other windows hear of a change it found as `contacts:trust`.
   */
  async fetch(contact: string): Promise<ContactKeysView> {
    const bare = contactBareJid(contact);
    if (this.#isOwn(bare)) throw new KeyringError('invalid-argument', OWN_ADDRESS_WORDS, 'jid');
    this.#listened.lookedUp(bare);
    const view = await this.#fetches.request(bare);
    // What it found changed the contact's keys: every other window showing them would go on showing the
    // old ones (a key withdrawn still current, a changed key not flagged). They hear of it as of a
    // change of trust: the keys as they now stand, no second Activity line (the asking window writes it).
    if (view.changes.length > 0) this.#deps.events.emit('contacts:trust', { kind: 'contact', view: this.known(bare) });
    return view;
  }

  async #fetchNow(contact: string): Promise<ContactKeysView> {
    // Notifications asked for this run: its result is news nobody requested, so it goes out as an event.
    // A run only the user asked for answers the user alone.
    const announce = this.#notified.delete(contact);
    const asked = this.#notifications;
    const mark = markNow(this.#deps.session);
    const outcome = await fetchItems(this.#deps.session.iq, contact, NS.pubkey);
    // Asked for one account; another signed in (or the stream was replaced) before the answer: recorded
    // under neither (session-mark.ts).
    if (!stillMarked(this.#deps.session, mark)) {
      throw signedOutMeanwhile(`Another account was signed in, or the connection was lost, while ${contact}'s keys were read: nothing was recorded.`);
    }
    const view = await this.#record(contact, outcome, asked);
    if (announce) this.#deps.events.emit('contacts:keys', view);
    return view;
  }

  /**
   * Many contacts at once (asked for on purpose): at most `concurrency` items requests in flight, and
   * none of them held up by another contact's server that is down or slow
   * (main/xmpp/fetch-across-servers.ts): each request waits at most `timeoutMs`. Recording an answer
   * does not hold up the next request, so the vault saves the answers in a few group writes instead of
   * one write per contact. A background fetch: each contact's view also goes out as an event, once its
   * keys are on disk.
   *
   * `startedFor`: the account and stream the run is for (the sign-in that started it; now by default).
   * Once another account is signed in, or that stream is gone, no next contact is asked, and answers
   * still in flight are neither recorded nor announced (they are not the new account's); the views
   * then are those recorded before.
   */
  async fetchMany(
    contacts: readonly string[],
    concurrency = DEFAULT_FETCH_CONCURRENCY,
    timeoutMs = DEFAULT_FETCH_TIMEOUT_MS,
    startedFor: SessionMark = markNow(this.#deps.session),
  ): Promise<ContactKeysView[]> {
    const current = () => stillMarked(this.#deps.session, startedFor);
    // A roster may hold a gateway's domain-only address: skipped, so everyone else is still read.
    const { jids, refused } = contactBareJids(contacts);
    logSkippedAddresses(this.#deps.log, refused, 'reading contacts’ keys');
    // The own account's node is My keys' business (main/services/own-devices.ts), never a contact's.
    const bare = jids.filter((c) => !this.#isOwn(c));
    for (const contact of bare) this.#listened.lookedUp(contact);
    const recorded: (Promise<ContactKeysView> | undefined)[] = new Array<Promise<ContactKeysView> | undefined>(bare.length);
    // The notification count when each request went out (a request may wait for a free lane).
    const asked: number[] = [];
    const ownJid = this.#deps.session.ownJid;
    const ownDomain = ownJid.slice(ownJid.indexOf('@') + 1);
    await fetchAcrossServers(
      bare,
      { concurrency, ownDomain, stop: () => !current() },
      (contact, index) => {
        asked[index] = this.#notifications;
        return fetchItems(this.#deps.session.iq, contact, NS.pubkey, timeoutMs);
      },
      (index, outcome) => {
        // Answered for the account signed in before: not this one's to record (nor may a window see it).
        if (!current()) return;
        const contact = bare[index] as string;
        // A contact never asked (its server proved unreachable) has no count: its outcome stores nothing.
        const record = this.#record(contact, outcome, asked[index] ?? 0).then((view) => {
          if (current()) this.#deps.events.emit('contacts:keys', view);
          return view;
        });
        // Observed now, awaited below: a failed save must not surface as an unhandled rejection meanwhile.
        record.catch(() => undefined);
        recorded[index] = record;
      },
    );
    // Every answer is in and recorded: the vault need not wait for more of this burst.
    this.#deps.store.endOfBurst();
    // Every save settles before this does, so a failed one leaves no other still writing behind the
    // caller's back (the first failure is the one reported).
    // A run stopped by a switch leaves the contacts it did not record without a promise.
    const saved = await Promise.allSettled(recorded.filter((r): r is Promise<ContactKeysView> => r !== undefined));
    const failed = saved.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return saved.map((s) => (s as PromiseFulfilledResult<ContactKeysView>).value);
  }

  /** What the vault remembers, without asking the network. */
  known(contact: string): ContactKeysView {
    const bare = contactBareJid(contact);
    return this.#contactView(bare, { fetch: 'ok', keys: this.#stored(bare), invalid: [], changes: [] });
  }

  /**
   * Compares what the user offers with the contact's CURRENT keys (a withdrawn key is never verified):
   * the key it matches is verified; no match is recorded (what was offered, how, when) and changes no
   * key's trust. A verification URI must name this contact: one for someone else is refused, naming
   * whose it is, and recorded nowhere (nothing was compared). So is any claim while the latest read of
   * their keys in this run failed (unreadKeysWords): the vault's copy is then not their current keys.
   */
  async verify(contact: string, claim: VerificationClaim, via?: MismatchRecord['via']): Promise<VerifyAnswer> {
    return this.#verify(this.#deps.session.ownJid, contact, claim, via);
  }

  /** verify for `account`, the one signed in when the person offered the claim. */
  async #verify(account: string, contact: string, claim: VerificationClaim, via?: MismatchRecord['via']): Promise<VerifyAnswer> {
    const bare = contactBareJid(contact);
    if ('problem' in claim) throw new KeyringError('invalid-argument', claim.problem, 'claim');
    if (claim.jid !== undefined && bareJidKey(claim.jid) !== bareJidKey(bare)) {
      throw new KeyringError('invalid-argument', `This verification link is for ${claim.jid}, not for ${bare}.`, 'claim');
    }
    // Their CURRENT keys: when the latest read of them failed (their server down, slow, refusing), the
    // vault's copy may hold a key withdrawn since, and comparing with it would verify that key.
    const unread = this.#unread.get(unreadKey(account, bare));
    if (unread) {
      const words = unreadKeysWords(bare, unread);
      throw new KeyringError('precondition-not-met', words.message, undefined, { nextStep: words.nextStep });
    }
    const now = new Date();
    // A revoked key is never verified: its owner said it must not be relied on.
    const current = (keys: readonly ContactKeyRecord[]) => keys.some((k) => k.fingerprint === claim.fingerprint && k.trust !== 'retracted' && !k.revocation);
    const matched = await this.#deps.store.updateBoth(account, bare, (keys, trust) => {
      if (current(keys)) {
        return {
          keys: markVerified(keys, claim.fingerprint, now),
          trust: { ...trust, firstVerifiedAt: trust.firstVerifiedAt ?? now.toISOString(), lastMatchAt: now.toISOString() },
          result: true,
        };
      }
      const mismatch: MismatchRecord = { offered: claim.fingerprint, at: now.toISOString(), via: via ?? (claim.jid ? 'uri' : 'typed') };
      const mismatches = [mismatch, ...(trust.mismatches ?? [])].slice(0, CONTACT_KEY_LIMITS.mismatches);
      return { keys: [...keys], trust: { ...trust, mismatches }, result: false };
    });
    // A mismatch is trust news too: it shows in red on the contact until a key is verified after it.
    const view = this.#trustChanged(account, bare);
    return matched ? { outcome: 'verified', fingerprint: claim.fingerprint, view } : { outcome: 'mismatch', offered: claim.fingerprint, view };
  }

  /** A picture of the contact's QR code: read in main, on a thread of its own (main/profile/qr-image.ts), then as verify. */
  async verifyQrImage(contact: string, bytes: Uint8Array): Promise<VerifyAnswer> {
    // Whose contact it is, read before the picture is: reading it takes a while, and another window may
    // sign in to another account meanwhile, whose vault must get neither the verification nor a false
    // mismatch alarm (that account may not even know the contact's keys).
    const account = this.#deps.session.ownJid;
    const text = await readQrCodeOffThread(bytes);
    if (!isAccountNow(this.#deps.session, account)) {
      throw signedOutMeanwhile(
        `${account} was signed out (another account was signed in) while the picture was read: nothing was recorded, for it or for the other account. ` +
          `Sign in to ${account} again, then choose the picture again.`,
      );
    }
    const claim = parseVerificationClaim(text);
    // What the text lacks (a fingerprint's digits, a scheme) says nothing to someone who photographed a
    // shop's QR code: what it is not, and which code to ask for.
    if ('problem' in claim) {
      throw new KeyringError('invalid-argument', "This QR code is not a key's verification link. Ask them to show the QR code of their key (its “QR code” button).", 'dataBase64');
    }
    return this.#verify(account, contact, claim, 'qr');
  }

  /** Takes a verification back: the key is trusted again only as the policy says. */
  async unverify(contact: string, fingerprint: string): Promise<ContactKeysView> {
    const bare = contactBareJid(contact);
    const key = this.#stored(bare).find((k) => k.fingerprint === fingerprint);
    if (!key) throw new KeyringError('not-found', `No key ${fingerprint} is known for ${bare}.`, 'fingerprint');
    if (key.trust !== 'verified') throw new KeyringError('invalid-argument', `That key of ${bare} is not verified.`, 'fingerprint');
    const account = this.#deps.session.ownJid;
    await this.#deps.store.update(account, bare, (stored) => ({ keys: markUnverified(stored, fingerprint), result: undefined }));
    return this.#trustChanged(account, bare);
  }

  /** Accepts a changed key without comparing: its warning clears, and the policy decides its trust. */
  async accept(contact: string, fingerprint: string): Promise<ContactKeysView> {
    const bare = contactBareJid(contact);
    const key = this.#stored(bare).find((k) => k.fingerprint === fingerprint);
    if (!key) throw new KeyringError('not-found', `No key ${fingerprint} is known for ${bare}.`, 'fingerprint');
    if (key.trust !== 'changed') throw new KeyringError('invalid-argument', `That key of ${bare} did not change: nothing to accept.`, 'fingerprint');
    const now = new Date();
    const account = this.#deps.session.ownJid;
    await this.#deps.store.update(account, bare, (stored) => ({ keys: markAccepted(stored, fingerprint, now), result: undefined }));
    return this.#trustChanged(account, bare);
  }

  /** The contact's own trust policy, or (null) the account's again. */
  async setPolicy(contact: string, policy: TrustPolicy | null): Promise<ContactKeysView> {
    const bare = contactBareJid(contact);
    const account = this.#deps.session.ownJid;
    await this.#deps.store.updateContactTrust(account, bare, (stored) => {
      const { policy: _old, ...rest } = stored;
      return policy ? { ...rest, policy } : rest;
    });
    return this.#trustChanged(account, bare);
  }

  accountPolicy(): TrustPolicy {
    const account = this.#deps.session.state.account;
    return effectivePolicy(account ? this.#deps.store.accountPolicy(account) : undefined, undefined).policy;
  }

  async setAccountPolicy(policy: TrustPolicy): Promise<TrustPolicy> {
    const account = this.#deps.session.ownJid;
    await this.#deps.store.setAccountPolicy(account, policy);
    this.#refuseSwitched(account);
    this.#deps.events.emit('contacts:trust', { kind: 'account-policy', policy });
    return policy;
  }

  /**
   * Trust records of these contacts were written elsewhere (a restored backup): every window is told,
   * as for a change made here.
   */
  trustRestored(contacts: readonly string[]): void {
    const account = this.#deps.session.state.account;
    if (account === undefined) return;
    for (const contact of contacts) this.#trustChanged(account, contactBareJid(contact));
  }

  /**
   * The contact's keys after a change of trust now on disk, told to every window (contacts:trust): the
   * one that asked gets them as the answer too, the others would otherwise show the old trust.
   */
  #trustChanged(account: string, contact: string): ContactKeysView {
    this.#refuseSwitched(account);
    const view = this.known(contact);
    this.#deps.events.emit('contacts:trust', { kind: 'contact', view });
    return view;
  }

  /** After a change of trust written for `account`: no answer nor news under another account (session-mark.ts requireTrustAccountNow). */
  #refuseSwitched(account: string): void {
    requireTrustAccountNow(this.#deps.session, account);
  }

  async #onNotification(n: PepNotification): Promise<void> {
    const account = this.#deps.session.ownJid;
    if (this.#isOwn(n.from)) return; // our own node: main/services/own-devices.ts
    if (!(await this.#listened.listensTo(n.from))) return;
    const now = new Date();
    const sequence = ++this.#notifications;
    let changes: ContactKeysView['changes'] = [];
    if (n.retracted.length > 0) {
      this.#rememberRetracted(n.from, n.retracted, sequence);
      if ((this.#notifiedUnstored.get(n.from)?.size ?? 0) > 0) {
        // Keys were shown from a notification that no fetch has stored yet (a rotation: the new key
        // published, then the old one withdrawn at once). Judged from the stored keys alone, a verified
        // key withdrawn would not flag the key that came after it as a change, ever: the later fetch
        // would find the old key already withdrawn. So the full set is read now, out of the burst's
        // spacing (the follow-up may wait up to a minute): its merge sees the verified key go and the new
        // one stay, and applies their signed statements (a succession keeps the verification). One read
        // per withdrawal while pushed keys wait, and those wait only until a fetch stores them.
        const asked = this.#notifications;
        const view = await this.#record(n.from, await fetchItems(this.#deps.session.iq, n.from, NS.pubkey), asked);
        this.#deps.events.emit('contacts:keys', view);
        return;
      }
      let keys = this.#stored(n.from);
      for (const id of n.retracted) {
        const result = markRetracted(keys, id, now);
        keys = result.keys;
        changes = [...changes, ...result.changes];
      }
      // Unknown or already withdrawn ids change nothing, and cost no write.
      if (changes.length > 0) {
        // The change only touches the draft and returns what it found (vault.update may run it twice).
        changes = await this.#deps.store.update(account, n.from, (stored) => {
          let keys = stored;
          let found: KeyChange[] = [];
          for (const id of n.retracted) {
            const result = markRetracted(keys, id, now);
            keys = result.keys;
            found = [...found, ...result.changes];
          }
          return { keys: [...keys], result: found };
        });
      }
    }
    if (n.items.length > 0) {
      // Read once: the same items make what is remembered and what is shown.
      const read = this.#readItems(n.from, n.items.slice(0, MAX_CURRENT_KEYS));
      const added = this.#rememberNotified(n.from, read.seen, now, sequence);
      // Show the pushed keys at once, then fetch the full set: only it tells a replacement from an
      // addition. Shown even while a fetch is under way or a follow-up waits its turn (coalesce.ts, up
      // to a minute in a long burst): showing them costs no request. Meanwhile only a notification that
      // shows something new is shown, so a flood costs at most MAX_CURRENT_KEYS previews per fetch.
      if (!this.#fetches.busy(n.from) || added > 0 || changes.length > 0) this.#deps.events.emit('contacts:keys', this.#preview(n.from, read, now, changes));
      this.#notified.add(n.from);
      await this.#fetches.request(n.from);
      return;
    }
    this.#deps.events.emit('contacts:keys', { ...this.known(n.from), fetch: 'notified', changes });
  }

  /** Remembers the keys a notification showed (`seen`) that no fetch has stored yet; returns how many were new. */
  #rememberNotified(contact: string, seen: readonly SeenKey[], now: Date, sequence: number): number {
    const stored = new Set(this.#stored(contact).map((k) => k.fingerprint));
    const pending = this.#notifiedUnstored.get(contact) ?? new Map<string, NotifiedKey>();
    let added = 0;
    for (const key of seen) {
      if (stored.has(key.fingerprint) || pending.size >= MAX_CURRENT_KEYS) continue;
      if (!pending.has(key.fingerprint)) {
        pending.set(key.fingerprint, { key, notifiedAt: now.toISOString(), sequence });
        added++;
      }
    }
    if (pending.size > 0) this.#notifiedUnstored.set(contact, pending);
    return added;
  }

  /** Remembers which keys notification `sequence` withdrew (ids that are no fingerprint name no key). */
  #rememberRetracted(contact: string, ids: readonly string[], sequence: number): void {
    const retracted = this.#retractedAt.get(contact) ?? new Map<string, number>();
    for (const id of ids.slice(0, MAX_CURRENT_KEYS)) {
      if (!isFingerprint(id)) continue;
      const fingerprint = id.toLowerCase();
      retracted.delete(fingerprint); // moved to the end: the newest
      retracted.set(fingerprint, sequence);
      if (retracted.size > MAX_CURRENT_KEYS) retracted.delete(retracted.keys().next().value as string);
    }
    if (retracted.size > 0) this.#retractedAt.set(contact, retracted);
  }

  /**
   * The keys a complete answer to a request sent after notification `asked` lists, less those a later
   * retract notification withdrew. The retracts it saw are forgotten: every later request sees them too.
   */
  #notRetractedSince(contact: string, asked: number, seen: readonly SeenKey[]): SeenKey[] {
    const retracted = this.#retractedAt.get(contact);
    if (!retracted) return [...seen];
    for (const [fingerprint, sequence] of retracted) if (sequence <= asked) retracted.delete(fingerprint);
    if (retracted.size === 0) this.#retractedAt.delete(contact);
    return seen.filter((k) => !retracted.has(k.fingerprint));
  }

  /** The notified keys a complete answer to a request sent after notification `asked` accounts for. */
  #takeNotifiedBefore(contact: string, asked: number): NotifiedKey[] {
    const pending = this.#notifiedUnstored.get(contact);
    if (!pending) return [];
    const taken = [...pending.values()].filter((n) => n.sequence <= asked);
    for (const n of taken) pending.delete(n.key.fingerprint);
    if (pending.size === 0) this.#notifiedUnstored.delete(contact);
    return taken;
  }

  #isOwn(jid: string): boolean {
    const account = this.#deps.session.state.account;
    return account !== undefined && bareJidKey(jid) === bareJidKey(account);
  }

  /**
   * The keys a notification carries (`read` from its items), as they would show, first; then the others
   * earlier notifications showed that no fetch has stored yet, then the stored ones (nothing is stored here).
   */
  #preview(contact: string, read: Pick<ItemsRead, 'seen' | 'invalid'>, now: Date, changes: ContactKeysView['changes']): ContactKeysView {
    const { seen, invalid } = read;
    const known = this.#stored(contact);
    const unstored = unstoredRecord;
    const records = seen.map((s) => known.find((k) => k.fingerprint === s.fingerprint) ?? unstored(s, now.toISOString()));
    const shown = new Set(records.map((r) => r.fingerprint));
    for (const pending of this.#notifiedUnstored.get(contact)?.values() ?? []) {
      if (!shown.has(pending.key.fingerprint)) records.push(unstored(pending.key, pending.notifiedAt));
      shown.add(pending.key.fingerprint);
    }
    for (const record of known) if (!shown.has(record.fingerprint)) records.push(record);
    // Only the full set tells a key added beside the known ones from one that replaced them (a change:
    // the alarm). Until a fetch has stored it, a pushed key of a contact with known keys is not trusted,
    // whatever the policy says of an addition: the contact's server alone can push one, and hold the
    // fetch that would tell. A contact's first key is first use either way.
    const unchecked = known.length > 0 ? new Set(records.filter((r) => !known.includes(r)).map((r) => r.fingerprint)) : undefined;
    return this.#contactView(contact, { fetch: 'notified', keys: records, invalid, changes }, unchecked);
  }

  /** `asked`: the notification count when the request went out (the answer knows nothing later). */
  async #record(contact: string, outcome: FetchOutcome, asked: number): Promise<ContactKeysView> {
    const account = this.#deps.session.ownJid;
    if (outcome.status !== 'ok' && outcome.status !== 'none') {
      this.#unread.set(unreadKey(account, contact), { status: outcome.status, detail: outcome.detail });
      return { ...this.known(contact), fetch: outcome.status, detail: outcome.detail };
    }
    // Asked before an answer already recorded (fetchMany's, overtaken): what it says is older news.
    if (asked < (this.#answeredAt.get(contact) ?? 0)) return { ...this.known(contact), fetch: outcome.status };
    this.#answeredAt.set(contact, asked);
    this.#unread.delete(unreadKey(account, contact));
    const now = new Date();
    const read = outcome.status === 'ok' ? this.#readItems(contact, outcome.items) : { seen: [], invalid: [], statements: NO_STATEMENTS };
    const { invalid, statements } = read;
    const seen = this.#notRetractedSince(contact, asked, read.seen);
    const before = this.#stored(contact);
    const notified = this.#takeNotifiedBefore(contact, asked);
    // The complete set merged, then what the contact's signed statements say (revocations, successions).
    const merge = (stored: readonly ContactKeyRecord[]) => {
      // Read with the records it is merged with: a verification written meanwhile makes this run again.
      const contactVerified = this.#deps.store.contactTrust(account, contact).firstVerifiedAt !== undefined;
      const full = mergeFullKeySet(withKeysThatCameAndWent(stored, seen, notified), seen, now, { contactVerified });
      const applied = applyKeyStatements(stored, full, statements, {
        publisherJid: contact,
        now,
        statusOf: (record, revocations) => this.#check(contact, record, revocations).status,
      });
      return { ...applied, leftOut: full.leftOut };
    };
    const merged = merge(before);
    let changes: KeyChange[] = merged.changes;
    // Nothing new (the usual answer to a notification burst or a refresh): no write at all.
    if (!sameRecords(before, merged.keys)) {
      changes = await this.#deps.store.update(account, contact, (stored) => {
        // Merged again only if another write changed the records meanwhile (rare): the merge is the
        // larger part of recording a contact's answer.
        const again = sameRecords(stored, before) ? merged : merge(stored);
        return { keys: again.keys, result: again.changes };
      });
    }
    return this.#contactView(contact, {
      fetch: outcome.status,
      keys: this.#stored(contact),
      invalid: [
        ...invalid,
        ...merged.leftOut.map((k) => ({
          itemId: k.fingerprint,
          reason: `Left out: ${contact} publishes more than ${MAX_CURRENT_KEYS} keys, and the app keeps only ${MAX_CURRENT_KEYS}.`,
          tooMany: true as const,
        })),
      ],
      changes,
    });
  }

  /** A contact's view: their keys as the policy that applies to them decides, and their mismatches. */
  /** `unchecked`: keys shown before a fetch could decide them (#preview): never more than untrusted. */
  #contactView(
    contact: string,
    parts: Pick<ContactKeysView, 'fetch' | 'invalid' | 'changes'> & { keys: readonly ContactKeyRecord[] },
    unchecked?: ReadonlySet<string>,
  ): ContactKeysView {
    const account = this.#deps.session.state.account;
    const trust: ContactTrustRecord = account ? this.#deps.store.contactTrust(account, contact) : {};
    const { policy, source } = effectivePolicy(account ? this.#deps.store.accountPolicy(account) : undefined, trust.policy);
    const history: ContactHistory = { firstVerifiedAt: trust.firstVerifiedAt };
    const revocations = storedRevocations(parts.keys);
    return {
      jid: contact,
      fetch: parts.fetch,
      keys: parts.keys.map((k) => {
        const shown = view(k, this.#check(contact, k, revocations));
        const decision = decideTrust(policy, { ...k, revoked: shown.status === 'revoked' }, history);
        return { ...shown, decision: decision === 'trusted' && unchecked?.has(k.fingerprint) ? 'untrusted' : decision };
      }),
      invalid: parts.invalid,
      changes: parts.changes,
      policy,
      policySource: source,
      mismatches: (trust.mismatches ?? []).map((m) => ({ ...m })),
      ...(trust.lastMatchAt ? { lastMatchAt: trust.lastMatchAt } : {}),
    };
  }

  #stored(contact: string): readonly ContactKeyRecord[] {
    const account = this.#deps.session.state.account;
    if (!account) return [];
    return this.#deps.store.keys(account, contact);
  }

  /**
   * Items that are well-formed key payloads whose certificate is at least readable, with the succession
   * statement each carries; revocation items whose signature verifies (at most MAX_REVOCATIONS_READ
   * per answer: each costs a signature check); the rest, with why.
   */
  #readItems(publisher: string, items: readonly RawItem[]): ItemsRead {
    const seen: SeenKey[] = [];
    const invalid: ContactKeysView['invalid'] = [];
    const successions = new Map<string, SuccessionStatement>();
    const revocations: ContactStatements['revocations'][number][] = [];
    for (const item of items) {
      const shownId = item.id.length > MAX_SHOWN_ID ? `${item.id.slice(0, MAX_SHOWN_ID)}…` : item.id;
      const revocation = readRevocationItem(item);
      if (revocation.kind === 'invalid') {
        invalid.push({ itemId: shownId, reason: `Not a readable revocation: ${revocation.problem}.` });
        continue;
      }
      if (revocation.kind === 'revocation') {
        if (revocations.length >= MAX_REVOCATIONS_READ) {
          invalid.push({ itemId: shownId, reason: `Left out: more than ${MAX_REVOCATIONS_READ} revocations in one answer.` });
          continue;
        }
        const checked = verifyRevocation(revocation.statement, { publisherJid: publisher });
        if (!checked.valid) {
          invalid.push({ itemId: shownId, reason: `A revocation that does not hold: ${checked.reason}` });
          continue;
        }
        const { valid: _valid, ...verified } = checked;
        revocations.push({ revocation: verified, certificate: revocation.statement.certificate });
        continue;
      }
      const read = readPubkeyItem(item);
      if ('problem' in read) {
        invalid.push({ itemId: shownId, reason: read.problem });
        continue;
      }
      // The text the record will store: its checks when merged and shown then find it (checkText).
      const certificate = read.der.toString('base64');
      const check = this.#checker.check({ der: read.der, publisherJid: publisher, itemId: read.id }, certificate);
      if (check.status === 'malformed' || check.status === 'fingerprint-mismatch' || !check.fingerprint) {
        invalid.push({ itemId: shownId, reason: check.reason });
        continue;
      }
      seen.push({ fingerprint: check.fingerprint, certificate });
      const succession = readSuccession(item.payload);
      if (succession.kind === 'statement') successions.set(check.fingerprint, succession.statement);
    }
    return { seen, invalid, statements: { successions, revocations } };
  }

  /** The key's certificate check, then its owner's revocations (a revoked key is never valid). */
  #check(contact: string, record: ContactKeyRecord, revocations: readonly VerifiedRevocation[]): KeyCheck {
    if (!record.certificate) return { status: 'malformed', reason: 'No certificate was stored for this key.' };
    const check: CertificateCheck = this.#checker.checkText(record.certificate, contact, record.fingerprint);
    // Decoded only when a revocation may name its key (most contacts have none).
    return revocations.length === 0 ? check : withRevocations(check, Buffer.from(record.certificate, 'base64'), revocations);
  }
}

/** What a contact's items say (ContactKeys.#readItems). */
interface ItemsRead {
  seen: SeenKey[];
  invalid: ContactKeysView['invalid'];
  statements: ContactStatements;
}

function unreadKey(account: string, contact: string): string {
  return `${bareJidKey(account)}\n${contact}`;
}

const NO_STATEMENTS: ContactStatements = { successions: new Map(), revocations: [] };

/** A key a notification showed that no fetch has stored yet, as a record to show (never stored as such). */
function unstoredRecord(key: SeenKey, notifiedAt: string): ContactKeyRecord {
  return {
    fingerprint: key.fingerprint,
    ...(key.certificate === undefined ? {} : { certificate: key.certificate }),
    firstSeen: notifiedAt,
    lastSeen: notifiedAt,
    trust: 'unverified',
  };
}

/** Stored records are plain JSON (schema.ts): the same text means the same records. */
function sameRecords(a: readonly ContactKeyRecord[], b: readonly ContactKeyRecord[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

function view(record: ContactKeyRecord, check: KeyCheck): Omit<ContactKeyView, 'decision'> {
  const result: Omit<ContactKeyView, 'decision'> = {
    fingerprint: record.fingerprint,
    status: check.status,
    reason: check.reason,
    trust: record.trust,
    firstSeen: record.firstSeen,
    lastSeen: record.lastSeen,
  };
  if ('notBefore' in check && check.notBefore) result.notBefore = check.notBefore;
  if ('notAfter' in check && check.notAfter) result.notAfter = check.notAfter;
  if ('bits' in check && check.bits) result.bits = check.bits;
  if (record.replaces) result.replaces = [...record.replaces];
  if (record.verifiedAt) result.verifiedAt = record.verifiedAt;
  if (record.acceptedAt) result.acceptedAt = record.acceptedAt;
  if (record.continues) result.continues = { ...record.continues };
  if (record.continuityProblem) result.continuityProblem = record.continuityProblem;
  if (check.revocation) result.revocation = { reason: check.revocation.reason, date: check.revocation.date };
  return result;
}

