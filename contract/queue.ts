/**
 * Writes asked for while offline or reconnecting (keys:publish, keys:retract, keys:revoke, profile:publish,
 * roster:add, roster:setGroups, roster:remove queue them), kept in the vault until the account is
 * online, shown as pending, cancellable, and run in the order they were asked for.
 */
import { z } from 'zod';
import { accountChange, event, request } from './define.js';
import { NoParams, type AccessRequest, type IpcError, type NodeConfigDeviation, type RevocationReasonName } from './domain.js';
import type { Profile } from './profile.js';

/** What a queued write does: the request's own parameters. */
export type QueuedWrite =
  | { kind: 'publish'; fingerprint: string; access: AccessRequest; reconfigure?: boolean }
  | { kind: 'retract'; fingerprint: string }
  | { kind: 'revoke'; fingerprint: string; reason: RevocationReasonName }
  | { kind: 'profile-publish'; profile: Profile; base?: Profile; access: AccessRequest; reconfigure?: boolean }
  | { kind: 'roster-add'; jid: string; name?: string; groups: string[] }
  | { kind: 'roster-groups'; jid: string; groups: string[] }
  | { kind: 'roster-remove'; jid: string };

/** A write asked for while offline, waiting for the connection. */
export type QueuedActionView = QueuedWrite & { id: string; requestedAt: string };

export const queue = {
  requests: {
    list: request(NoParams).returns<QueuedActionView[]>(),
    cancel: accountChange(z.object({ id: z.string().min(1).max(64) }).strict()).returns<QueuedActionView[]>(),
  },
  events: {
    /** The queue changed (added, ran, cancelled). */
    changed: event<QueuedActionView[]>(),
    /**
     * A queued action ran: its outcome. `skipped`: it was no longer wanted and did not run (why, in
     * words). `stillListed`: it ran, but the vault could not take it off the list (words to show).
     * `deviations`: what the nodes it wrote, read back, fell short of (present only when some did), so a
     * publish the app could not check ('item-unverified') is not told as one it did.
     */
    ran: event<{ action: QueuedActionView; ok: boolean; error?: IpcError; skipped?: string; stillListed?: string; deviations?: NodeConfigDeviation[] }>(),
  },
};
