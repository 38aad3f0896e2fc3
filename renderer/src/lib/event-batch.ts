/**
 * Events from main about many contacts at once (their keys, presences, other apps' devices) are applied
 * together at most this often: a sign-in fetches thousands of contacts' keys and devices and brings as
 * many presences, and applying each one alone copies the whole map and reworks everything derived from
 * it, thousands of times.
 */
export const EVENT_BATCH_MS = 50;

/** Events waiting to be applied, by contact: not reactive, and no prototype (a JID is only ever a key). */
export function byJid<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
