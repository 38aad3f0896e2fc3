/**
 * The rule of main/services/working-account.ts, case by case: the account the app works for is one
 * that signed in on this app (now or before), or the one named for offline work; an address no sign-in
 * has succeeded for yet is only ever `tried`, while its sign-in runs or once it is refused.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../contract/index.js';
import { workingState } from '../../main/services/working-account.js';

const MERCUTIO = 'mercutio@capulet.lit';
const TYPO = 'romoe@capulet.lit';
const refused = { code: 'auth-failed' as const, message: 'The server rejected the address or password.' };
/** Mercutio signed in here before; nobody else did. */
const signedIn = (jid: string) => jid === MERCUTIO;
/** With mercutio worked for until now. */
const shown = (session: ConnectionState) => workingState(session, MERCUTIO, signedIn);
/** With no account worked for until now. */
const shownFresh = (session: ConnectionState) => workingState(session, undefined, signedIn);

describe('the account the app works for', () => {
  it('an address never signed in here, being tried or refused: the account worked for until then stays, the address is tried only', () => {
    expect(shown({ status: 'connecting', account: TYPO })).toEqual({ status: 'connecting', account: MERCUTIO, tried: TYPO });
    expect(shown({ status: 'failed', account: TYPO, error: refused })).toEqual({ status: 'failed', account: MERCUTIO, tried: TYPO, error: refused });
  });

  it('with no account worked for until then, none is named', () => {
    expect(shownFresh({ status: 'failed', account: TYPO, error: refused })).toEqual({ status: 'failed', tried: TYPO, error: refused });
  });

  it('an account that signed in here before keeps its place, refused or not', () => {
    expect(shownFresh({ status: 'failed', account: MERCUTIO, error: refused })).toEqual({ status: 'failed', account: MERCUTIO, error: refused });
  });

  it('a stream that is or was bound had its password taken: online and reconnecting name their account', () => {
    expect(shown({ status: 'online', account: TYPO, boundJid: `${TYPO}/keyring-1` })).toEqual({ status: 'online', account: TYPO, boundJid: `${TYPO}/keyring-1` });
    expect(shown({ status: 'reconnecting', account: TYPO, attempt: 0 })).toEqual({ status: 'reconnecting', account: TYPO, attempt: 0 });
  });

  it('signed out while an address was tried: nothing is tried any more, the account worked for stays', () => {
    expect(shown({ status: 'offline', account: TYPO })).toEqual({ status: 'offline', account: MERCUTIO });
  });

  it('no sign-in at all: the account named for offline work, or none', () => {
    expect(shown({ status: 'offline' })).toEqual({ status: 'offline', account: MERCUTIO });
    expect(shownFresh({ status: 'offline' })).toEqual({ status: 'offline' });
  });
});
