/**
 * The contact list for the UI and CLI (RFC 6121 §2): add a contact (with groups, asking to see their
 * presence), regroup, remove, answer requests to see the user's presence; and, for key notifications,
 * whether an address is a contact at all.
 *
 * The roster is kept here as a copy, in memory and in the vault (main/vault/stores/roster-store.ts):
 * fetched once per stream when first needed (§2.2; with the saved version, only the changes, §2.6),
 * then kept current by the server's roster pushes (§2.1.6, accepted only from the account itself:
 * main/xmpp/roster.ts). `list()` answers from the copy, so thousands of contacts cost no round trip,
 * and offline it answers the roster last saved.
 *
 * A sign-in with a saved copy shows it at once, as serious clients do: a server can take seconds to
 * send thousands of contacts (Prosody: 3.6 s of its CPU for 5,000), and the screen need not wait.
 * Until this stream's sync lands, the list may show a contact removed meanwhile from another device,
 * or miss one added there; `roster:changed` follows when the server's answer differs, and everything
 * that acts on the roster (membership for notifications, the keys fetched at sign-in, changes, the
 * CLI) waits for the server's roster instead (`list({ fresh: true })`, `has()`).
 */
import type { PresenceRequestsView, RosterContactView, SavedRosterView } from '../../contract/index.js';
import type { AppEvents } from '../events.js';
import { KeyringError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RosterCopyRecord } from '../vault/schema.js';
import type { RosterStore } from '../vault/stores/roster-store.js';
import { contactBareJid } from '../xmpp/contact-jid.js';
import type { Iq } from '../xmpp/iq-requests.js';
import { readStanzaError } from '../xmpp/pubsub.js';
import { fetchRosterSince, removeRosterItem, setRosterItem, type RosterItem, type RosterPush } from '../xmpp/roster.js';
import type { Presence } from './presence.js';
import { forWrite, markedIq, markNow, signedOutMeanwhile, stillMarked, type SessionMark } from './session-mark.js';
import type { SessionPort } from './session-port.js';

export interface RosterServiceDeps {
  session: SessionPort;
  presence: Presence;
  events: AppEvents;
  log: Logger;
  store: RosterStore;
}

/** The roster of one account: by lowercase bare JID, in the server's order. */
interface RosterCopy {
  account: string;
  items: Map<string, RosterItem>;
  version?: string;
  savedAt?: string;
}

export class RosterService {
  readonly #deps: RosterServiceDeps;
  /** The copy, brought up to date with this stream's roster; undefined until first needed per stream. */
  #synced: Promise<RosterCopy> | undefined;
  /** The last copy known (synced or loaded from the vault), for answers while offline. */
  #last: RosterCopy | undefined;
  /** This stream's copy once its sync landed; undefined before that (and after a reset). */
  #current: RosterCopy | undefined;
  /** The saved copy list() answered while this stream's sync ran: the screens hear when the sync differs. */
  #servedBeforeSync: RosterCopy | undefined;
  /** Counts streams, so a sync of a stream already left behind changes nothing when it lands. */
  #stream = 0;
  /** The vault writes of the copy still running (in order: each is a whole roster). */
  #saving: Promise<void> = Promise.resolve();

  constructor(deps: RosterServiceDeps) {
    this.#deps = deps;
  }

  /**
   * The contacts. Online: this stream's roster once synced; while the sync runs, the copy last saved
   * at once (then `roster:changed` if the server's differs), or, with `fresh` or without a saved copy,
   * the server's roster when it comes. Offline: the roster last saved.
   */
  async list(options: { fresh?: boolean } = {}): Promise<RosterContactView[]> {
    if (this.#deps.session.state.status !== 'online') {
      const copy = this.#offlineCopy();
      return copy ? this.#views(copy) : [];
    }
    const syncing = this.#sync();
    if (this.#current) return this.#views(this.#current);
    const saved = options.fresh ? undefined : this.#offlineCopy();
    if (!saved) return this.#views(await syncing);
    this.#servedBeforeSync = saved;
    return this.#views(saved);
  }

  /**
   * The contacts as far as the app knows them, for a judgement that must not guess (roster-reach.ts):
   * online, this stream's roster (read now if it was not yet); when that cannot be read, or offline, the
   * copy last saved; undefined when there is neither. list() answers [] then, which would pass for a
   * roster with nobody in it.
   */
  async known(): Promise<RosterContactView[] | undefined> {
    if (this.#deps.session.state.status === 'online') {
      try {
        return this.#views(await this.#sync());
      } catch (error) {
        this.#deps.log.warn(`could not read the roster: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const copy = this.#offlineCopy();
    return copy ? this.#views(copy) : undefined;
  }

  /** Resolves once the copy's vault writes asked so far are done (before the app quits). */
  whenSaved(): Promise<void> {
    return this.#saving;
  }

  /** The roster as last saved in the vault, and when, without asking the network; undefined before any. */
  saved(): SavedRosterView | undefined {
    const copy = this.#offlineCopy();
    if (!copy?.savedAt) return undefined;
    return { savedAt: copy.savedAt, contacts: this.#views(copy) };
  }

  /**
   * §2.3 + §3.1.1: adds a contact and asks to see their presence. A roster set replaces the item's
   * groups whole (§2.1.2.2), so adding someone already in the roster keeps the groups they are in and
   * joins the ones named: an add never takes anyone out of a group, since a group can be the audience of
   * a published key (XEP-0060 §4.5 roster access). Taking a contact out of a group is setGroups' job.
   * Their name stays unless a new one is given.
   */
  async add(contact: { jid: string; name?: string; groups: string[] }): Promise<RosterContactView[]> {
    const typed = ownAddressRefused(contactBareJid(contact.jid), this.#deps.session.state.account);
    const asking = markNow(this.#deps.session);
    const existing = (await this.#sync()).items.get(typed);
    const jid = existing?.jid ?? typed;
    const name = contact.name ?? existing?.name;
    const groups = existing ? mergedGroups(existing.groups, contact.groups) : contact.groups;
    const item = { jid, ...(name ? { name } : {}), groups };
    // The roster read above may have been another account's, had one signed in meanwhile: the set is
    // refused then, never sent (a roster set names no account: it would change the other's roster).
    await rosterSet(this.#changeIq(asking, `${jid} could be added`), item);
    await this.#appliedIfStill(asking, item, `${jid} was added to`);
    await this.#askToSeePresence(jid, asking);
    return this.list({ fresh: true });
  }

  async setGroups(jid: string, groups: string[]): Promise<RosterContactView[]> {
    const asking = markNow(this.#deps.session);
    const current = (await this.list({ fresh: true })).find((c) => c.jid === jid);
    if (!current) throw new KeyringError('not-found', `${jid} is not in your contacts.`, 'jid');
    const item = { jid, ...(current.name ? { name: current.name } : {}), groups };
    await rosterSet(this.#changeIq(asking, `${jid}'s groups could be changed`), item);
    await this.#appliedIfStill(asking, item, `${jid}'s groups were changed in`);
    return this.list({ fresh: true });
  }

  async remove(jid: string): Promise<RosterContactView[]> {
    const asking = markNow(this.#deps.session);
    try {
      await removeRosterItem(this.#changeIq(asking, `${jid} could be removed`), jid);
    } catch (error) {
      // RFC 6121 §2.5.3: item-not-found says the contact is not in the roster, which is what was asked
      // (removed already from another device, or by this one's earlier try, queued and run again).
      if (readStanzaError(error)?.condition !== 'item-not-found') throw error;
    }
    await this.#appliedIfStill(asking, { jid, remove: true }, `${jid} was removed from`);
    return this.list({ fresh: true });
  }

  /**
   * The session's requests for a change of `asked`'s roster: refused, before anything is sent, once
   * another account signed in (services/session-mark.ts). A change of the account's own roster goes on
   * over a reconnect of that account (forWrite): the roster set then goes to its server all the same.
   */
  #changeIq(asked: SessionMark, what: string): Iq {
    const account = asked.account ?? 'your account';
    return markedIq(
      this.#deps.session,
      forWrite(asked),
      () => `${account} was signed out (another account was signed in) before ${what}: no account's contacts were changed. Sign in to ${account} again and do it there.`,
    );
  }

  /**
   * The server took the change: applied to the copy, unless the copy is now another account's (it comes
   * with the next sign-in's sync). After a reconnect of the same account the copy is read afresh first
   * (#applied syncs), then the change applied to it.
   */
  async #appliedIfStill(asked: SessionMark, change: { jid: string; name?: string; groups: string[] } | { jid: string; remove: true }, done: string): Promise<void> {
    if (!stillMarked(this.#deps.session, forWrite(asked))) {
      const account = asked.account ?? 'your account';
      throw signedOutMeanwhile(`${done} ${account}'s contacts on the server, but ${account} was signed out meanwhile; the list shows it once ${account} signs in again.`);
    }
    await this.#applied(change);
  }

  /** Contacts asking to see the user's presence, not yet answered (and how many more asked than are listed). */
  requests(): PresenceRequestsView {
    return this.#deps.presence.requestsView();
  }

  /** §3.1.4/§3.1.5: approve (and ask back, for a mutual subscription) or refuse. */
  async answer(jid: string, approve: boolean): Promise<PresenceRequestsView> {
    // The account (and connection) the request was answered on: only it may ask back.
    const answering = markNow(this.#deps.session);
    await this.#deps.presence.reply(jid, approve);
    if (approve) await this.#askToSeePresence(jid, answering);
    return this.#deps.presence.requestsView();
  }

  /** Whether `bareJid` is in the roster (any subscription state). False when the roster cannot be read. */
  async has(bareJid: string): Promise<boolean> {
    try {
      return (await this.#sync()).items.has(bareJid.toLowerCase());
    } catch (error) {
      this.#deps.log.warn(`could not read the roster: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  /**
   * Whether `bareJid` is a contact, for presence (who is online): this stream's roster once read; before
   * that, a contact in the copy last saved counts at once, without starting the roster's read (a repeat
   * sign-in's contacts announce themselves while list() still shows the saved copy, which must not be
   * overtaken by a read their presence started); anyone else waits for this stream's roster (has()), so
   * a contact added on another device meanwhile is not taken for a stranger.
   */
  async isContactForPresence(bareJid: string): Promise<boolean> {
    const key = bareJid.toLowerCase();
    const known = this.#current ?? (this.#deps.session.state.status === 'online' ? this.#offlineCopy() : undefined);
    if (known?.items.has(key) === true) return true;
    return this.has(bareJid);
  }

  /** The server changed the roster (§2.1.6): the copy follows, the vault too, and the screens fetch it again. */
  onPush(push: RosterPush): void {
    const syncing = this.#synced;
    if (syncing !== undefined) {
      // After the sync: pushes that follow a versioned request's empty answer (§2.6.3) apply on top of it.
      const next = syncing.then((copy) => {
        apply(copy, push);
        this.#save(copy);
        return copy;
      });
      next.catch(() => undefined); // a failed sync is reported (and retried) by has() and list()
      this.#synced = next;
      void next.then(
        () => this.#deps.events.emit('roster:changed', undefined),
        () => this.#deps.events.emit('roster:changed', undefined),
      );
      return;
    } // not synced yet: the sync will see the change
    this.#deps.events.emit('roster:changed', undefined);
  }

  /** A new stream (first login or reconnect) may come with another roster: sync again when needed. */
  reset(): void {
    this.#synced = undefined;
    this.#current = undefined;
    this.#servedBeforeSync = undefined;
    this.#stream++;
  }

  /** This stream's roster: the saved copy brought up to date (§2.6), or fetched whole. Once per stream. */
  #sync(): Promise<RosterCopy> {
    if (this.#synced !== undefined) return this.#synced;
    const stream = this.#stream;
    const loading = this.#fetch();
    this.#synced = loading;
    loading.then(
      (copy) => {
        if (stream !== this.#stream) return;
        this.#current = copy;
        // The screens were shown the saved copy: a different roster from the server replaces it there.
        const shown = this.#servedBeforeSync;
        this.#servedBeforeSync = undefined;
        if (shown !== undefined && shown !== copy) this.#deps.events.emit('roster:changed', undefined);
      },
      (error: unknown) => {
        if (this.#synced === loading) this.#synced = undefined; // ask again next time
        // The screens keep the saved copy they were shown; the next list() asks again.
        if (this.#servedBeforeSync) this.#deps.log.warn(`could not sync the roster: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    return loading;
  }

  async #fetch(): Promise<RosterCopy> {
    const account = this.#deps.session.ownJid;
    const saved = this.#offlineCopy();
    const answer = await fetchRosterSince(this.#deps.session.iq, saved?.version);
    if (answer.unchanged && saved) return saved;
    const copy: RosterCopy = answer.unchanged
      ? { account, items: new Map() }
      : { account, items: byJid(answer.items), ...(answer.version !== undefined ? { version: answer.version } : {}) };
    // Saved behind the answer: the copy in memory is what is listed, and a whole-vault write can take
    // longer than the list it would hold up.
    this.#save(copy);
    return copy;
  }

  /**
   * A change the server just confirmed, applied to the copy at once: its roster push may come after
   * the answer (RFC 6121 §2.3.2 orders neither), and the caller shows the list next. The version stays:
   * should the push never arrive, the next versioned sync replays the change (§2.6.3).
   */
  async #applied(change: { jid: string; name?: string; groups: string[] } | { jid: string; remove: true }): Promise<void> {
    const copy = await this.#sync();
    const key = change.jid.toLowerCase();
    if ('remove' in change) copy.items.delete(key);
    else {
      const before = copy.items.get(key);
      copy.items.set(key, {
        jid: change.jid,
        ...(change.name ? { name: change.name } : {}),
        groups: [...change.groups],
        subscription: before?.subscription ?? 'none',
        ...(before?.ask ? { ask: before.ask } : {}),
      });
    }
    this.#save(copy);
  }

  /** The copy for the account the app works for: in memory, else as the vault last saved it. */
  #offlineCopy(): RosterCopy | undefined {
    const account = this.#deps.session.state.account;
    if (account === undefined) return undefined;
    if (this.#last?.account === account) return this.#last;
    const stored = this.#deps.store.load(account);
    if (!stored) return undefined;
    this.#last = fromRecord(account, stored);
    return this.#last;
  }

  /**
   * Writes the copy as it is now (the record is taken at once; the vault applies writes in the order
   * asked, so the last one asked wins). Nobody waits for it but whenSaved().
   */
  #save(copy: RosterCopy): void {
    copy.savedAt = new Date().toISOString();
    this.#last = copy;
    const written = this.#deps.store.save(copy.account, toRecord(copy)).catch((error: unknown) => {
      // A cache: the roster in memory is still right, and the next sign-in fetches it whole.
      this.#deps.log.warn(`could not save the roster: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.#saving = Promise.all([this.#saving, written]).then(() => undefined);
  }

  #views(copy: RosterCopy): RosterContactView[] {
    const views: RosterContactView[] = [];
    for (const item of copy.items.values()) {
      views.push({
        jid: item.jid,
        ...(item.name ? { name: item.name } : {}),
        groups: item.groups,
        subscription: item.subscription,
        pending: item.ask === 'subscribe',
        online: this.#deps.presence.isOnline(item.jid),
      });
    }
    return views;
  }

  /**
   * Asks to see the contact's presence unless we already do or already asked; only on the connection
   * `on` the add or answer was made on. The roster is read first, and another account signed in
   * meanwhile would send the subscribe as itself: telling someone who asked romeo (or whom romeo added)
   * the address of another account, and asking for what no one asked of that one.
   */
  async #askToSeePresence(jid: string, on: SessionMark): Promise<void> {
    const current = (await this.list({ fresh: true })).find((c) => c.jid === jid);
    if (current && (current.subscription === 'to' || current.subscription === 'both' || current.pending)) return;
    // The stream's, not only the account's: presence requests and answers are one stream's (presence.ts).
    if (!stillMarked(this.#deps.session, on)) {
      throw signedOutMeanwhile(
        `The connection of ${on.account ?? 'your account'} changed before the app could ask to see ${jid}'s presence, so it was not asked. Add ${jid} again once signed in to ask.`,
      );
    }
    await this.#deps.presence.subscribe(jid);
  }
}

/**
 * The address, unless it is the account's own (addresses compare without case, RFC 7622 §3.2, §3.3):
 * a server answers a roster set for one's own address with an error (RFC 6121 §2.3.3 lets it), and
 * no one is their own contact.
 */
export function ownAddressRefused(bareJid: string, account: string | undefined): string {
  if (account !== undefined && bareJid === account.toLowerCase()) throw new KeyringError('invalid-argument', 'That is your own address.', 'jid');
  return bareJid;
}

/**
 * §2.3.3: a roster set the server refuses, said in words. The address passed our checks by then, so a
 * refusal is the server's view of it (Prosody and ejabberd refuse some addresses RFC 7622 allows).
 */
async function rosterSet(iq: Iq, item: { jid: string; name?: string; groups: readonly string[] }): Promise<void> {
  try {
    await setRosterItem(iq, item);
  } catch (error) {
    const refused = readStanzaError(error);
    if (!refused) throw error;
    if (refused.condition === 'jid-malformed') throw new KeyringError('invalid-argument', 'Your server does not accept that address as a contact.', 'jid', { cause: error });
    if (refused.condition === 'not-acceptable' || refused.condition === 'bad-request') {
      throw new KeyringError('invalid-argument', 'Your server did not accept this contact: check the address, the name and the groups.', undefined, { cause: error });
    }
    throw new KeyringError('forbidden', 'Your server refused this change to your contacts. Nothing was changed.', undefined, { cause: error });
  }
}

/** The groups a contact is in, then the ones named that they are not in yet (compared as written, as servers do). */
function mergedGroups(current: readonly string[], named: readonly string[]): string[] {
  return [...new Set([...current, ...named])];
}

function byJid(items: readonly RosterItem[]): Map<string, RosterItem> {
  return new Map(items.map((item) => [item.jid.toLowerCase(), item]));
}

function apply(copy: RosterCopy, push: RosterPush): void {
  if (push.kind === 'remove') copy.items.delete(push.jid.toLowerCase());
  else copy.items.set(push.item.jid.toLowerCase(), push.item);
  // A push without a version (an unversioned server, or one that stopped) leaves the copy unversioned:
  // the next sign-in then fetches the whole roster rather than trust an old version.
  if (push.version !== undefined) copy.version = push.version;
  else delete copy.version;
}

function fromRecord(account: string, record: RosterCopyRecord): RosterCopy {
  const items = record.items.map(
    (e): RosterItem => ({
      jid: e.jid,
      ...(e.name !== undefined ? { name: e.name } : {}),
      groups: [...e.groups],
      subscription: e.subscription,
      ...(e.ask ? { ask: e.ask } : {}),
    }),
  );
  return { account, items: byJid(items), savedAt: record.savedAt, ...(record.version !== undefined ? { version: record.version } : {}) };
}

function toRecord(copy: RosterCopy): RosterCopyRecord {
  return {
    savedAt: copy.savedAt ?? new Date().toISOString(),
    ...(copy.version !== undefined ? { version: copy.version } : {}),
    items: [...copy.items.values()].map((i) => ({
      jid: i.jid,
      ...(i.name !== undefined ? { name: i.name } : {}),
      groups: [...i.groups],
      subscription: i.subscription,
      ...(i.ask ? { ask: i.ask } : {}),
    })),
  };
}
