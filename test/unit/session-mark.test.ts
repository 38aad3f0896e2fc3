/**
 * Which changes of the session stop work begun for an account (main/services/session-mark.ts): a
 * reading kept as the account's view stops when its stream is replaced, even by the same account's
 * reconnect; a write to the account's own nodes stops only when another account is signed in. Either
 * refusal is 'signed-out-meanwhile', which the window keeps after it moved to the other account
 * (renderer/src/lib/late-answer.ts), never a 'not-connected' it would drop.
 */
import { describe, expect, it } from 'vitest';
import { forWrite, markNow, requireMarked, stillMarked } from '../../main/services/session-mark.js';
import { switchingSession } from '../support/switching-session.js';

const ROMEO = 'romeo@montague.lit';
const MERCUTIO = 'mercutio@montague.lit';

function romeoOnline() {
  return switchingSession({ initial: { status: 'online', account: ROMEO }, answer: () => Promise.resolve(undefined) });
}

function reconnect(session: ReturnType<typeof romeoOnline>, account: string): void {
  session.set({ status: 'reconnecting', account });
  session.set({ status: 'connecting', account });
  session.set({ status: 'online', account });
}

describe('a mark taken for romeo', () => {
  it('across a reconnect of romeo: a reading stops, a write goes on', () => {
    const session = romeoOnline();
    const reading = markNow(session.port);
    const writing = forWrite(markNow(session.port));
    reconnect(session, ROMEO.toUpperCase());

    expect(stillMarked(session.port, reading)).toBe(false);
    expect(stillMarked(session.port, writing)).toBe(true);
  });

  it('once mercutio is signed in: both stop, refused as signed-out-meanwhile in the words given', () => {
    const session = romeoOnline();
    const reading = markNow(session.port);
    const writing = forWrite(markNow(session.port));
    session.signIn(MERCUTIO);

    for (const mark of [reading, writing]) {
      expect(() => requireMarked(session.port, mark, () => `${ROMEO} was signed out meanwhile.`)).toThrow(
        expect.objectContaining({ code: 'signed-out-meanwhile', message: `${ROMEO} was signed out meanwhile.` }),
      );
    }
  });

  it('romeo, mercutio, romeo again: a reading stops (its answers may be mercutio’s); a write is refused while mercutio is signed in, and is romeo’s again once he is back', () => {
    const session = romeoOnline();
    const reading = markNow(session.port);
    const writing = forWrite(markNow(session.port));
    session.signIn(MERCUTIO);
    expect(stillMarked(session.port, writing)).toBe(false);
    session.signIn(ROMEO);

    expect(stillMarked(session.port, reading)).toBe(false);
    expect(stillMarked(session.port, writing)).toBe(true);
  });
});
