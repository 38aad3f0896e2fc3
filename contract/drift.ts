/**
 * Drift watch (docs/drift.md): whether the nodes the app published still hold the audience, items and
 * XEP-0222 settings recorded when it published them, or another client of the account changed them.
 * Findings are codes and values; the words are in format.ts (the window and the terminal say the same).
 */
import { z } from 'zod';
import { accountChange, event, request } from './define.js';
import { NoParams, type AccessRequest, type EffectiveNodeConfig, type IpcError } from './domain.js';
import type { ProfileFieldChange } from './profile-changes.js';

/** An alarm when more people can read or are sent what is published (or items are gone); a notice when people were only shut out. */
export type DriftSeverity = 'alarm' | 'notice';

/** Which of the app's publications a node holds: keys, the vCard, the nickname, the avatar (metadata and data). */
export type WatchedNodeKind = 'keys' | 'vcard' | 'nickname' | 'avatar' | 'avatar-data';

export interface DriftAffiliation {
  jid: string;
  affiliation: string;
}

/** An access model as read or recorded; groups for roster access. */
export interface AccessSnapshot {
  model: string;
  groups?: string[];
}

export interface AccessChange {
  recorded: AccessSnapshot;
  current: AccessSnapshot;
  /** Between two roster accesses: the groups allowed now that were not, and those no longer allowed. */
  groupsAdded: string[];
  groupsRemoved: string[];
}

export type PersistenceChange =
  | { setting: 'persist_items'; expected: true; current: boolean | undefined }
  | { setting: 'send_last_published_item'; expected: 'never'; current: string | undefined }
  | { setting: 'max_items'; expected: number; current: string | undefined };

/** An item another client published again under the same id with another certificate (or none). */
export interface ReplacedItem {
  itemId: string;
  /**
   * The fingerprint of the certificate the app published there (the key node); on a profile node, the
   * digest of what the item said (main/profile/profile-content.ts), which no one reads.
   */
  expected: string;
  /** The fingerprint (or digest) of what it holds now; undefined when it holds nothing readable. */
  found?: string;
  /**
   * A profile item's: what it says now, as contacts read it (untrusted text, cleaned and cut by main):
   * the nickname, the vCard's values, the avatar's id; empty when it says there is none.
   */
  now?: string;
  /**
   * A vCard's or nickname's item: field by field, what it said when the app published it (`before`) and
   * what it says now (`after`), each cleaned and cut by main like `now`. Absent when the app does not
   * know what it published there (a record from before it kept the item) or either side is unreadable:
   * the words then quote `now` whole.
   */
  fields?: ProfileFieldChange[];
}

export type DriftFinding =
  | { code: 'node-deleted'; severity: 'alarm' }
  /** More may read (a roster group changed for another of the same size is both: an alarm). */
  | ({ code: 'access-widened'; severity: 'alarm' } & AccessChange)
  | ({ code: 'access-narrowed'; severity: 'notice' } & AccessChange)
  /** Affiliations that let someone in (or write) beyond the recorded whitelist. */
  | { code: 'members-added'; severity: 'alarm'; members: DriftAffiliation[] }
  /**
   * Explicit subscribers (XEP-0060 §6.1) whom `audience` leaves out: the server sends them every new
   * item whatever the access model. `audience`: the access they were judged by (the one recorded, or
   * the one the app asked last). Another client need not have done it: a contact taken off the roster,
   * or out of a roster group, keeps a subscription made while allowed.
   */
  | { code: 'subscribers-outside'; severity: 'alarm'; jids: string[]; audience: AccessRequest }
  /** Whitelist members the server no longer lets in. */
  | { code: 'members-removed'; severity: 'notice'; jids: string[] }
  /** Published items no longer there, in the order they were published. */
  | { code: 'items-removed'; severity: 'alarm'; itemIds: string[] }
  /** Published items still there under their id that no longer carry the certificate the app published (the key node). */
  | { code: 'items-replaced'; severity: 'alarm'; items: ReplacedItem[] }
  /** XEP-0222 §2 settings changed for the worse: items not kept, pushed at login, or fewer kept than needed. */
  | { code: 'persistence-changed'; severity: 'notice'; changes: PersistenceChange[] };

export type DriftCode = DriftFinding['code'];

/** One node the app published: what it recorded, what the server says now, and how they differ. */
export interface NodeDriftView {
  node: string;
  kind: WatchedNodeKind;
  recorded: { access: AccessRequest; items: number };
  /** As read now; undefined when the node is gone or could not be read. */
  current?: { access: AccessSnapshot; items?: number };
  findings: DriftFinding[];
  /** The highest severity among the findings; undefined when nothing drifted. */
  severity?: DriftSeverity;
  /** What the server would not show the owner, so was not compared (never reported as drift). */
  unchecked: ('items' | 'affiliations' | 'subscriptions')[];
  /**
   * Whether Accept can record the current state (an access the app cannot publish again allows only
   * Restore). A node deleted: whether it can be kept deleted, recorded as not published (not while it
   * held a revocation, which contacts must still be able to read).
   */
  acceptable: boolean;
  /**
   * Accept (or keeping the node deleted) is refused because a revocation of one of the account's keys
   * would go with it: contacts must still be able to read that the key was revoked (XEP-0222 §2).
   */
  revocationAtStake?: true;
  /** The node could not be read (offline, timeout): nothing is known of it, which is not "unchanged". */
  error?: IpcError;
  /**
   * A change of who reads the node that this app started and did not see through (cut off between
   * configuring the node and adding its members): what differs may be that, not another app's doing
   * (describeUnfinishedChange says so).
   */
  unfinishedChange?: AccessRequest;
}

export interface DriftReport {
  /**
   * Whose nodes it is about: the account the session named when they were read (status: the one it
   * names now). Undefined only before any account was named. Main answers with the current account's
   * report alone; Restore and Accept send it back, and are refused for another account's.
   */
  account?: string;
  /** When the nodes were last read; undefined before any check. */
  checkedAt?: string;
  severity?: DriftSeverity;
  nodes: NodeDriftView[];
}

/** What Restore did to a node, and its configuration read back afterwards. */
export interface NodeRepair {
  node: string;
  kind: WatchedNodeKind;
  republished: string[];
  /** Recorded items the vault holds nothing to publish again for. */
  withoutPayload: string[];
  config?: EffectiveNodeConfig;
}

export interface DriftRepairAnswer {
  repaired: NodeRepair[];
  /** The nodes read again after restoring: what still differs is here, never reported as restored. */
  report: DriftReport;
}

/**
 * One node (by its name), or every drifted one. Whose report the person answered needs no field: a
 * window's report is the account it shows, which goes beside every request and is checked for these
 * (accountChange, contract/define.ts).
 */
const whichNodes = z.object({ node: z.string().min(1).max(256).optional() }).strict();

export const drift = {
  requests: {
    /** The last check's report, without asking the server. */
    status: request(NoParams).returns<DriftReport>(),
    /** Read every published node now and compare. */
    check: request(NoParams).returns<DriftReport>(),
    /** Put drifted nodes back as recorded (access, members, settings, items), then read back. */
    restore: accountChange(whichNodes).returns<DriftRepairAnswer>(),
    /** Record drifted nodes' current state as intended. */
    accept: accountChange(whichNodes).returns<DriftReport>(),
  },
  events: {
    /** A check the app made by itself (sign-in, a notification, the timer) found a different state. */
    changed: event<DriftReport>(),
  },
};
