import type { AppEvents } from '../events.js';
import type { Logger } from '../logger.js';
import type { FollowUpTiming } from './coalesce.js';
import type { SessionPort } from './session-port.js';

/** What a service that reads and watches contacts' published nodes needs (ContactKeys, OtherAppKeys). */
export interface ContactWatchDeps<Store> {
  store: Store;
  session: SessionPort;
  events: AppEvents;
  log: Logger;
  /** Whether a bare JID is in the account's roster (RosterService.has, wired in main/core.ts). */
  isKnownContact: (bareJid: string) => Promise<boolean> | boolean;
  /** How soon follow-up fetches run after notifications (tests shorten it). */
  followUp?: Partial<FollowUpTiming>;
}
