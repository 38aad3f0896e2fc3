import { describe, expect, it } from 'vitest';
import { queuedWriteLine } from '../../../renderer/src/lib/queued-action';

describe('a write asked for while offline, in Activity', () => {
  it('is a plain waiting line (the user’s own doing), never the alarm of a changed key', () => {
    expect(queuedWriteLine({ kind: 'roster-remove', jid: 'romeo@montague.lit' })).toEqual({
      kind: 'waiting',
      text: 'Waiting for the connection: Remove romeo@montague.lit from your contacts',
    });
  });
});
