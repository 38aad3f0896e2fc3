/**
 * What a window keeps of an answer that comes after it moved to another account (renderer/src/lib/
 * late-answer.ts, as Task.run uses it). Main tells the window of mercutio's sign-in first, and only then
 * refuses romeo's work that the sign-in stopped ('signed-out-meanwhile', main/services/session-mark.ts):
 * that refusal says what was done for romeo and what to do again, and used to be dropped with every
 * other late answer of romeo's, so "romeo's revocation was published but not recorded… do it again"
 * was never seen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IpcError, Result } from '../../../contract/index.js';
import { accountMark, nextAccountEpoch } from '../../../renderer/src/lib/account-epoch.js';
import { onStoppedBySwitch, settleAnswer } from '../../../renderer/src/lib/late-answer.js';
import { describeError } from '../../../renderer/src/lib/wording.js';

const ROMEO = 'romeo@montague.lit';
const STOPPED: IpcError = {
  code: 'signed-out-meanwhile',
  message: `${ROMEO} was signed out (another account was signed in) while revoking your key: the app stopped there, sent nothing more to the server, recorded nothing more, and did nothing for another account. Sign in to ${ROMEO} again and look at My keys; if it is not done, do it again.`,
};

/** A request asked while the window showed romeo, answered with `result` once it shows mercutio. */
function answeredAfterSwitch<T>(result: Result<T>) {
  const sameAccount = accountMark();
  nextAccountEpoch();
  return settleAnswer(result, { sameAccount: sameAccount(), account: ROMEO });
}

let unsubscribe: (() => void) | undefined;
afterEach(() => unsubscribe?.());

describe('an answer for romeo that comes after the window moved to mercutio', () => {
  it('romeo’s work stopped by the switch is told, under romeo, in main’s words', () => {
    const told: { error: IpcError; account: string }[] = [];
    unsubscribe = onStoppedBySwitch((error, account) => told.push({ error, account }));

    answeredAfterSwitch({ ok: false, error: STOPPED });

    expect(told).toEqual([{ error: STOPPED, account: ROMEO }]);
    // What the note over the screens and romeo's Activity line say: main's words, whole.
    expect(describeError(told[0]!.error).message).toBe(STOPPED.message);
  });

  it('with nowhere to tell it, it stays the Task’s error, shown on the screen', () => {
    expect(answeredAfterSwitch({ ok: false, error: STOPPED })).toEqual({ error: STOPPED });
  });

  it('a change refused as asked for romeo (account-changed) stays the Task’s error, as before', () => {
    const told: IpcError[] = [];
    unsubscribe = onStoppedBySwitch((error) => told.push(error));
    const refused: IpcError = { code: 'account-changed', message: `This was asked for ${ROMEO}, but the app now works for mercutio@montague.lit; nothing was done.` };

    expect(answeredAfterSwitch({ ok: false, error: refused })).toEqual({ error: refused });
    expect(told).toEqual([]);
  });

  it('a comparison refused as asked for romeo (account-changed), whose dialog went with his screen, is told under romeo, saying it was not recorded', () => {
    const told: { error: IpcError; account: string }[] = [];
    unsubscribe = onStoppedBySwitch((error, account) => told.push({ error, account }));
    const refused: IpcError = { code: 'account-changed', message: `This was asked for ${ROMEO}, but the app now works for mercutio@montague.lit; nothing was done.` };
    const notDone = 'Your fingerprint comparison was not recorded.';

    const sameAccount = accountMark();
    nextAccountEpoch();
    expect(settleAnswer({ ok: false, error: refused }, { sameAccount: sameAccount(), account: ROMEO, notDone })).toEqual({});

    expect(told).toEqual([{ error: { ...refused, message: `${notDone} ${refused.message}` }, account: ROMEO }]);
    // Any other late answer of that work is still dropped, and one while romeo is shown is its dialog's.
    expect(settleAnswer({ ok: true, value: 'verified' }, { sameAccount: false, account: ROMEO, notDone })).toEqual({});
    expect(settleAnswer({ ok: false, error: refused }, { sameAccount: true, account: ROMEO, notDone })).toEqual({ error: refused });
    expect(told).toHaveLength(1);
  });

  it('any other answer of romeo’s (a value, a server’s refusal) is dropped, never shown as mercutio’s', () => {
    const told: IpcError[] = [];
    unsubscribe = onStoppedBySwitch((error) => told.push(error));

    expect(answeredAfterSwitch({ ok: true, value: ['romeo’s key'] })).toEqual({});
    expect(answeredAfterSwitch({ ok: false, error: { code: 'forbidden', message: 'romeo’s server said no.' } })).toEqual({});
    expect(answeredAfterSwitch({ ok: false, error: { code: 'not-connected', message: 'Connect the account first.' } })).toEqual({});
    expect(told).toEqual([]);
  });
});

describe('an answer that comes while the window still shows romeo', () => {
  it('is the Task’s, stopped work included (a reading stopped by romeo’s own reconnect)', () => {
    const told: IpcError[] = [];
    unsubscribe = onStoppedBySwitch((error) => told.push(error));

    expect(settleAnswer({ ok: true, value: 3 }, { sameAccount: true, account: ROMEO })).toEqual({ value: 3 });
    expect(settleAnswer({ ok: false, error: STOPPED }, { sameAccount: true, account: ROMEO })).toEqual({ error: STOPPED });
    expect(told).toEqual([]);
  });
});
