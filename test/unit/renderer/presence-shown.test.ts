/** A contact's presence dot while the account is offline: unknown, never a green "Online" the app cannot vouch for. */
import { describe, expect, it } from 'vitest';
import { presenceShown } from '../../../renderer/src/lib/contact-groups.js';

describe('the presence dot', () => {
  it('is shown unknown on the contact list while the account is not online', () => {
    expect(presenceShown(true, false)).toEqual({ state: 'unknown', title: 'Presence unknown while you are offline', spoken: 'presence unknown' });
    expect(presenceShown(false, false).state).toBe('unknown');
    expect(presenceShown(true, true).state).toBe('online');
    expect(presenceShown(false, true).state).toBe('offline');
  });

  it('is shown unknown while the server is not answering, online or not as heard', () => {
    expect(presenceShown(true, true, false)).toEqual({ state: 'unknown', title: 'Presence unknown while your server is not answering', spoken: 'presence unknown' });
    expect(presenceShown(true, true, true).state).toBe('online');
  });
});
