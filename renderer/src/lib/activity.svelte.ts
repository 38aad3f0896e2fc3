import type { FingerprintStyle } from '../../../contract/format';

/**
 * What an entry is, which decides how it looks: 'changed' and 'mismatch' are alarms (red), for what
 * happened to the user. What they did themselves is plain, nothing to fear: 'taken-back' (a verification
 * they took back), 'waiting' (a write they asked for, kept until the connection is back), 'kept' (another
 * app's change they chose to keep).
 */
export type ActivityKind = 'generated' | 'published' | 'retracted' | 'received' | 'changed' | 'verified' | 'taken-back' | 'waiting' | 'kept' | 'mismatch' | 'connection';

/** What an entry is about, shown in columns of their own. */
export interface ActivityDetails {
  /** The contact's bare JID. */
  contact?: string;
  /** The key's fingerprint (shown in its short form). */
  fingerprint?: string;
  /** For a publish: exactly who may read it ("roster groups: Friends", "only: nurse@capulet.lit"). */
  audience?: string;
  /**
   * For a comparison that matched nothing: the contact's keys then, so the row shows the whole
   * fingerprint compared and where it differs (its beginning may be exactly theirs).
   */
  comparedWith?: readonly string[];
  /** How those keys are written (another app's in that app's groups); X.509's groups of four without it. */
  comparedStyle?: FingerprintStyle;
}

export interface ActivityEntry extends ActivityDetails {
  id: number;
  /** The account the app worked for when it happened (none before any): shown under that account only. */
  account?: string;
  /** Milliseconds since the epoch. */
  at: number;
  kind: ActivityKind;
  text: string;
}

const MAX_ENTRIES = 500;
/** Above this many contacts (or keys of one contact) reported together, the list gets one line with a count. */
export const MAX_ENTRIES_PER_KIND = 3;
/**
 * The same event reported twice within this window (a notification and the fetch it caused, the
 * answer to a request and an event about it) is one entry.
 */
const SAME_EVENT_MS = 5000;

/** What happened this session, newest first: publishes, retracts, keys received, warnings. */
export class ActivityLog {
  entries = $state<ActivityEntry[]>([]);
  #next = 1;
  /** The account the app works for now (App.svelte's AccountStore). */
  readonly #account: () => string | undefined;
  /**
   * The entries of the account the app works for now (and those of before any account). Another account
   * signed in on this app (or tried) sees none of the previous one's history as if it were its own; they
   * are back when that account is.
   */
  readonly shown = $derived.by(() => {
    const account = this.#account();
    return this.entries.filter((e) => e.account === undefined || e.account === account);
  });
  /** How many entries are about other accounts, so not shown now. */
  readonly hidden = $derived(this.entries.length - this.shown.length);

  constructor(account: () => string | undefined = () => undefined) {
    this.#account = account;
  }

  /**
   * `details` as a string is the key's fingerprint (or the address) the entry is about. `account`: the
   * account it happened to, when not the one the app works for now (work of the previous account's,
   * stopped by the switch: task.svelte.ts). Answers the new entry's id (none for a duplicate).
   */
  add(kind: ActivityKind, text: string, details?: string | ActivityDetails, account: string | undefined = this.#account()): number | undefined {
    const about: ActivityDetails = typeof details === 'string' ? (/^[0-9a-f]{64}$/.test(details) ? { fingerprint: details } : { contact: details }) : (details ?? {});
    const at = Date.now();
    const duplicate = this.entries.find(
      (e) => at - e.at < SAME_EVENT_MS && e.kind === kind && e.text === text && e.fingerprint === about.fingerprint && e.contact === about.contact && e.account === account,
    );
    if (duplicate) return undefined;
    const entry: ActivityEntry = { id: this.#next++, at, kind, text, ...about, ...(account === undefined ? {} : { account }) };
    this.entries = [entry, ...this.entries].slice(0, MAX_ENTRIES);
    return entry.id;
  }

  /**
   * Whether entries `ids` are the newest ones, the last of them written less than SAME_EVENT_MS ago: a
   * burst they tell is still going on, and may be told again on one line (`replace`).
   */
  isRecentRun(ids: readonly number[]): boolean {
    const newest = this.entries.slice(0, ids.length);
    return ids.length > 0 && newest.length === ids.length && newest.every((e) => ids.includes(e.id)) && Date.now() - (newest[0]?.at ?? 0) < SAME_EVENT_MS;
  }

  /**
   * Replaces entries `ids` (a recent run: the lines telling a burst so far) with one line, newest; answers
   * its id. A burst told on one line neither buries what was logged before it nor hides what came during
   * it (that ends the run).
   */
  replace(ids: readonly number[], kind: ActivityKind, text: string): number {
    const account = this.#account();
    const entry: ActivityEntry = { id: this.#next++, at: Date.now(), kind, text, ...(account === undefined ? {} : { account }) };
    this.entries = [entry, ...this.entries.filter((e) => !ids.includes(e.id))].slice(0, MAX_ENTRIES);
    return entry.id;
  }
}
