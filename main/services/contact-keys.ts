/**
 * Contacts' published keys: fetched on demand (send_last_published_item=never pushes nothing at login),
 * received live from PEP notifications, checked (main/keys/validate.ts), and remembered with trust on
 * first use in the vault. A notification only shows what changed; a fetch of the full set then decides
 * whether a new key replaced an old one ('changed').
 */
import type { ContactKeysView, ContactKeyView } from '../../preload/contract.js';
import type { AppEvents } from '../events.js';
import { KeyringError } from '../errors.js';
import { CertificateChecker, type CertificateCheck } from '../keys/validate.js';
import type { Logger } from '../logger.js';
import { markRetracted, markVerified, mergeFullKeySet, type SeenKey } from '../vault/contact-keys.js';
import type { ContactKeyRecord } from '../vault/schema.js';
import { DEFAULT_FETCH_TIMEOUT_MS, fetchItems, type FetchOutcome } from '../xmpp/fetch-items.js';
import { fetchAcrossServers } from '../xmpp/fetch-across-servers.js';
import { NS } from '../xmpp/namespaces.js';
import type { PepNotification } from '../xmpp/pep-events.js';
import { readPubkeyItem } from '../xmpp/pubkey-items.js';
import type { RawItem } from '../xmpp/pubsub.js';
import type { AccountSession } from '../xmpp/session.js';
import { contactBareJid } from '../xmpp/contact-jid.js';
import { VaultHolder } from './vault-holder.js';

/** Items requests in flight at once when fetching many contacts (pipelined, not one by one). */
export const DEFAULT_FETCH_CONCURRENCY = 16;
const MAX_SHOWN_ID = 80;

export class ContactKeys {
  readonly #vaults: VaultHolder;
  readonly #session: AccountSession;
  readonly #events: AppEvents;
  readonly #log: Logger;
  /** Each certificate is checked once (parse, signature, names), not at every fetch and view. */
  readonly #checker = new CertificateChecker();

  constructor(deps: { vaults: VaultHolder; session: AccountSession; events: AppEvents; log: Logger }) {
    this.#vaults = deps.vaults;
    this.#session = deps.session;
    this.#events = deps.events;
    this.#log = deps.log;
    this.#session.events.on('pep', (n) => {
      if (n.node !== NS.pubkey) return;
      void this.#onNotification(n).catch((error: unknown) => this.#log.warn(`key notification from ${n.from}: ${String(error)}`));
    });
  }

  /** Fetches the contact's key node now and records what it holds. */
  async fetch(contact: string): Promise<ContactKeysView> {
    const bare = contactBareJid(contact);
    const outcome = await fetchItems(this.#session.client.iqCaller, bare, NS.pubkey);
    return this.#record(bare, outcome);
  }

  /**
   * Many contacts at once: at most `concurrency` items requests in flight, and none of them held up by
   * another contact's server that is down or slow (main/xmpp/fetch-across-servers.ts): each request
   * waits at most `timeoutMs`. Recording an answer does not hold up the next request, so the vault
   * saves the answers in a few group writes instead of one write per contact; each contact's event
   * still follows only once its keys are on disk.
   */
  async fetchMany(
    contacts: readonly string[],
    concurrency = DEFAULT_FETCH_CONCURRENCY,
    timeoutMs = DEFAULT_FETCH_TIMEOUT_MS,
  ): Promise<ContactKeysView[]> {
    const bare = contacts.map((c) => contactBareJid(c));
    const recorded: Promise<ContactKeysView>[] = new Array<Promise<ContactKeysView>>(bare.length);
    const ownDomain = this.#session.bareJid.slice(this.#session.bareJid.indexOf('@') + 1);
    await fetchAcrossServers(
      bare,
      { concurrency, ownDomain },
      (contact) => fetchItems(this.#session.client.iqCaller, contact, NS.pubkey, timeoutMs),
      (index, outcome) => {
        const record = this.#record(bare[index] as string, outcome);
        // Observed now, awaited below: a failed save must not surface as an unhandled rejection meanwhile.
        record.catch(() => undefined);
        recorded[index] = record;
      },
    );
    // Every save settles before this does, so a failed one leaves no other still writing behind the
    // caller's back (the first failure is the one reported).
    const saved = await Promise.allSettled(recorded);
    const failed = saved.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return saved.map((s) => (s as PromiseFulfilledResult<ContactKeysView>).value);
  }

  /** What the vault remembers, without asking the network. */
  known(contact: string): ContactKeysView {
    const bare = contactBareJid(contact);
    return { jid: bare, fetch: 'ok', keys: this.#stored(bare).map((k) => this.#view(bare, k)), invalid: [], changes: [] };
  }

  async markVerified(contact: string, fingerprint: string): Promise<ContactKeysView> {
    const bare = contactBareJid(contact);
    const account = this.#session.bareJid;
    if (!this.#stored(bare).some((k) => k.fingerprint === fingerprint)) {
      throw new KeyringError('not-found', `No key ${fingerprint} known for ${bare}.`, 'fingerprint');
    }
    await this.#vaults.vault.update((draft) => {
      const contacts = VaultHolder.accountIn(draft, account).contacts;
      contacts[bare] = markVerified(contacts[bare] ?? [], fingerprint, new Date());
    });
    return this.known(bare);
  }

  async #onNotification(n: PepNotification): Promise<void> {
    const account = this.#session.bareJid;
    const now = new Date();
    const { seen, invalid } = this.#readItems(n.from, n.items);
    let changes: ContactKeysView['changes'] = [];
    if (n.retracted.length > 0) {
      // The change only touches the draft and returns what it found (vault.update may run it twice).
      changes = await this.#vaults.vault.update((draft) => {
        const contacts = VaultHolder.accountIn(draft, account).contacts;
        let keys = contacts[n.from] ?? [];
        let found: ContactKeysView['changes'] = [];
        for (const id of n.retracted) {
          const result = markRetracted(keys, id, now);
          keys = result.keys;
          found = [...found, ...result.changes];
        }
        contacts[n.from] = keys;
        return found;
      });
    }
    if (seen.length > 0 || invalid.length > 0) {
      // Show the pushed keys at once, then fetch the full set: only it tells a replacement from an addition.
      const known = this.#stored(n.from);
      const preview = seen.map((s) => {
        const record = known.find((k) => k.fingerprint === s.fingerprint) ?? {
          fingerprint: s.fingerprint,
          certificate: s.certificate,
          firstSeen: now.toISOString(),
          lastSeen: now.toISOString(),
          trust: 'unverified' as const,
        };
        return this.#view(n.from, record);
      });
      this.#events.emit('contacts:keys', { jid: n.from, fetch: 'notified', keys: preview, invalid, changes });
      await this.fetch(n.from);
      return;
    }
    this.#events.emit('contacts:keys', { ...this.known(n.from), fetch: 'notified', changes });
  }

  async #record(contact: string, outcome: FetchOutcome): Promise<ContactKeysView> {
    if (outcome.status !== 'ok' && outcome.status !== 'none') {
      const result: ContactKeysView = {
        ...this.known(contact),
        fetch: outcome.status,
        detail: outcome.detail,
      };
      this.#events.emit('contacts:keys', result);
      return result;
    }
    const account = this.#session.bareJid;
    const { seen, invalid } = outcome.status === 'ok' ? this.#readItems(contact, outcome.items) : { seen: [], invalid: [] };
    const changes = await this.#vaults.vault.update((draft) => {
      const contacts = VaultHolder.accountIn(draft, account).contacts;
      const merged = mergeFullKeySet(contacts[contact] ?? [], seen, new Date());
      contacts[contact] = merged.keys;
      return merged.changes;
    });
    const result: ContactKeysView = {
      jid: contact,
      fetch: outcome.status,
      keys: this.#stored(contact).map((k) => this.#view(contact, k)),
      invalid,
      changes,
    };
    this.#events.emit('contacts:keys', result);
    return result;
  }

  #stored(contact: string): readonly ContactKeyRecord[] {
    const account = this.#session.state.account;
    if (!account) return [];
    return this.#vaults.vault.account(account)?.contacts[contact] ?? [];
  }

  /** Items that are well-formed key payloads whose certificate is at least readable; the rest, with why. */
  #readItems(publisher: string, items: readonly RawItem[]): { seen: SeenKey[]; invalid: ContactKeysView['invalid'] } {
    const seen: SeenKey[] = [];
    const invalid: ContactKeysView['invalid'] = [];
    for (const item of items) {
      const shownId = item.id.length > MAX_SHOWN_ID ? `${item.id.slice(0, MAX_SHOWN_ID)}…` : item.id;
      const read = readPubkeyItem(item);
      if ('problem' in read) {
        invalid.push({ itemId: shownId, reason: read.problem });
        continue;
      }
      const check = this.#checker.check({ der: read.der, publisherJid: publisher, itemId: read.id });
      if (check.status === 'malformed' || check.status === 'fingerprint-mismatch' || !check.fingerprint) {
        invalid.push({ itemId: shownId, reason: check.reason });
        continue;
      }
      seen.push({ fingerprint: check.fingerprint, certificate: read.der.toString('base64') });
    }
    return { seen, invalid };
  }

  #view(contact: string, record: ContactKeyRecord): ContactKeyView {
    const check: CertificateCheck = record.certificate
      ? this.#checker.check({ der: Buffer.from(record.certificate, 'base64'), publisherJid: contact, itemId: record.fingerprint })
      : { status: 'malformed', reason: 'No certificate was stored for this key.' };
    return view(record, check);
  }
}

function view(record: ContactKeyRecord, check: CertificateCheck): ContactKeyView {
  const result: ContactKeyView = {
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
  return result;
}

