/** Publishes and retracts asked for while offline, kept in the vault until the account is online. */
import { z } from 'zod';
import { event, request } from './define.js';
import { AccessParams, fingerprintText, NoParams, type AccessRequest, type IpcError } from './domain.js';

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
    add: request(
      z
        .object({
          kind: z.enum(['publish', 'retract']),
          fingerprint: fingerprintText,
          access: AccessParams.optional(),
          reconfigure: z.boolean().optional(),
        })
        .strict(),
    ).returns<QueuedActionView[]>(),
    cancel: request(z.object({ id: z.string().min(1).max(64) }).strict()).returns<QueuedActionView[]>(),
  },
  events: {
    /** The queue changed (added, ran, cancelled). */
    changed: event<QueuedActionView[]>(),
    /** A queued action ran: its outcome. */
    ran: event<{ action: QueuedActionView; ok: boolean; error?: IpcError }>(),
  },
};
