/**
 * Publishes and retracts asked for while offline (keys:publish and keys:retract queue them), kept in the
 * vault until the account is online, shown as pending, cancellable.
 */
import { z } from 'zod';
import { event, request } from './define.js';
import { NoParams, type AccessRequest, type IpcError } from './domain.js';

/** A publish or retract asked for while offline, waiting for the connection. */
export interface QueuedActionView {
  id: string;
  kind: 'publish' | 'retract';
  fingerprint: string;
  access?: AccessRequest;
  reconfigure?: boolean;
  requestedAt: string;
}

export const queue = {
  requests: {
    list: request(NoParams).returns<QueuedActionView[]>(),
    cancel: request(z.object({ id: z.string().min(1).max(64) }).strict()).returns<QueuedActionView[]>(),
  },
  events: {
    /** The queue changed (added, ran, cancelled). */
    changed: event<QueuedActionView[]>(),
    /** A queued action ran: its outcome. */
    ran: event<{ action: QueuedActionView; ok: boolean; error?: IpcError }>(),
  },
};
