/**
 * Events from main about many contacts at once (their keys, presences, other apps' devices) are applied
 * together at most this often: a sign-in fetches thousands of contacts' keys and devices and brings as
 * many presences, and applying each one alone copies the whole map and reworks everything derived from
 * it, thousands of times.
 */
export const EVENT_BATCH_MS = 50;
