export type ActivityKind = 'generated' | 'published' | 'retracted' | 'received' | 'changed' | 'verified' | 'connection';

export interface ActivityEntry {
  id: number;
  /** Milliseconds since the epoch. */
  at: number;
  kind: ActivityKind;
  text: string;
  /** A fingerprint or JID the entry is about. */
  subject?: string;
}

const MAX_ENTRIES = 500;

/** What happened this session, newest first: publishes, retracts, keys received, warnings. */
export class ActivityLog {
  entries = $state<ActivityEntry[]>([]);
  #next = 1;

  add(kind: ActivityKind, text: string, subject?: string): void {
    const entry: ActivityEntry = { id: this.#next++, at: Date.now(), kind, text, ...(subject ? { subject } : {}) };
    this.entries = [entry, ...this.entries].slice(0, MAX_ENTRIES);
  }
}
