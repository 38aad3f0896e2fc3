import { describe, expect, it } from 'vitest';
import { queuedFailuresAfter, queuedOutcomeLine, queuedWriteLine } from '../../../renderer/src/lib/queued-action';

describe('a write asked for while offline, in Activity', () => {
  it('is a plain waiting line (the user’s own doing), never the alarm of a changed key', () => {
    expect(queuedWriteLine({ kind: 'roster-remove', jid: 'romeo@montague.lit' })).toEqual({
      kind: 'waiting',
      text: 'Waiting for the connection: Remove romeo@montague.lit from your contacts',
    });
  });
});

describe('a queued write that ran, in Activity', () => {
  const revoke = { kind: 'revoke' as const, fingerprint: 'ab'.repeat(32), reason: 'compromised' as const };

  it('a failure says main’s words and what to do', () => {
    expect(queuedOutcomeLine({ action: revoke, ok: false, error: { code: 'timeout', message: 'The server did not answer.', nextStep: 'Try again.' } })).toBe(
      'Queued revoke failed: The server did not answer. Try again.',
    );
  });

  it('a revoke held back by the key node’s setting is not called failed: the key is revoked here, and how its revocation goes out follows', () => {
    const line = queuedOutcomeLine({
      action: revoke,
      ok: false,
      error: { code: 'revocation-held-back', message: 'Your key is revoked here: this app will not use it or publish it again.', nextStep: 'It is "authorize". Put it back.' },
    });
    expect(line).toBe('Queued revoke: Your key is revoked here: this app will not use it or publish it again. It is "authorize". Put it back.');
  });

  it('done, and not done with why', () => {
    expect(queuedOutcomeLine({ action: revoke, ok: true })).toBe('Queued revoke done');
    expect(queuedOutcomeLine({ action: revoke, ok: true, skipped: 'the key was deleted' })).toBe('Queued revoke not done: the key was deleted');
  });
});

describe('a failed queued write on its key’s card', () => {
  const fingerprint = 'c'.repeat(64);
  const publish = { kind: 'publish' as const, fingerprint, access: { model: 'roster' as const, groups: ['Friends'] } };

  it('is kept per key once it failed, in Activity’s words, and taken off by a later one that went through', () => {
    const failed = queuedFailuresAfter({}, { action: publish, ok: false, error: { code: 'access-model-unsupported', message: 'The server cannot set who can read your keys to roster groups "Friends".' } });
    expect(failed).toEqual({ [fingerprint]: 'Queued publish failed: The server cannot set who can read your keys to roster groups "Friends".' });
    expect(queuedFailuresAfter(failed, { action: { ...publish, access: { model: 'open' } }, ok: true })).toEqual({});
    expect(queuedFailuresAfter(failed, { action: { kind: 'roster-remove', jid: 'romeo@montague.lit' }, ok: false })).toEqual(failed);
  });
});

describe('a queued publish that ran', () => {
  it('says for whom, as a direct publish does; a retract names no audience', () => {
    const fingerprint = 'd'.repeat(64);
    expect(queuedOutcomeLine({ action: { kind: 'publish', fingerprint, access: { model: 'open' } }, ok: true })).toBe('Queued publish done, for anyone');
    expect(queuedOutcomeLine({ action: { kind: 'retract', fingerprint }, ok: true })).toBe('Queued retract done');
  });
});
