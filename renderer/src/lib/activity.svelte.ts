export type ActivityKind = 'generated' | 'published' | 'retracted' | 'received' | 'changed' | 'verified' | 'mismatch' | 'connection';

/** What an entry is about, shown in columns of their own. */
export interface ActivityDetails {
  /** The contact's bare JID. */
  contact?: string;
  /** The key's fingerprint (shown in its short form). */
  fingerprint?: string;
  /** For a publish: exactly who may read it ("roster groups: Friends", "only: nurse@capulet.lit"). */
  audience?: string;
}

export interface ActivityEntry extends ActivityDetails {
  id: number;
  /** Milliseconds since the epoch. */
  at: number;
  kind: ActivityKind;
  text: string;
}

const MAX_ENTRIES = 500;
/**
 * The same event reported twice within this window (a notification and the fetch it caused, the
 * answer to a request and an event about it) is one entry.
 */
const SAME_EVENT_MS = 5000;

/** What happened this session, newest first: publishes, retracts, keys received, warnings. */
export class ActivityLog {
  entries = $state<ActivityEntry[]>([]);
  #next = 1;

  /** `details` as a string is the key's fingerprint (or the address) the entry is about. */
  add(kind: ActivityKind, text: string, details?: string | ActivityDetails): void {
    const about: ActivityDetails = typeof details === 'string' ? (/^[0-9a-f]{64}$/.test(details) ? { fingerprint: details } : { contact: details }) : (details ?? {});
    const at = Date.now();
    const duplicate = this.entries.find(
      (e) => at - e.at < SAME_EVENT_MS && e.kind === kind && e.text === text && e.fingerprint === about.fingerprint && e.contact === about.contact,
    );
    if (duplicate) return;
    const entry: ActivityEntry = { id: this.#next++, at, kind, text, ...about };
    this.entries = [entry, ...this.entries].slice(0, MAX_ENTRIES);
  }
}
