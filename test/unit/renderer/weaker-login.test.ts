/**
 * What the Account screen says and offers when a sign-in was refused because the server's offer is
 * weaker than the login the account used before (renderer/src/lib/wording.ts): a next step, and a way
 * to sign in anyway that names what it does and sets only the flag for that refusal.
 */
import { describe, expect, it } from 'vitest';
import { describeError, weakerLoginChoice } from '../../../renderer/src/lib/wording.js';

describe('a login weaker than before', () => {
  it('PLAIN alone after SCRAM: the button says the password is sent, the warning who would get it', () => {
    const choice = weakerLoginChoice('scram-stripped');
    expect(choice).toEqual({
      ask: 'Sign in by sending the password…',
      warning: 'Only if your server’s admin told you they changed it. Anyone posing as your server with a false certificate would get your password.',
      confirm: 'Send the password',
      accept: 'acceptPlainLogin',
    });
    const words = describeError({ code: 'scram-stripped', message: 'The server for capulet.lit used to take a login that does not send your password (SCRAM), …' });
    expect(words.nextStep).toBe(
      'Try again from another network. If your server’s admin confirms they changed how it signs in, choose “Sign in by sending the password”.',
    );
    // The next step names the button the screen shows.
    expect(words.nextStep).toContain(`“${choice?.ask.replace(/…$/, '')}”`);
  });

  it('no -PLUS after -PLUS: as before', () => {
    const choice = weakerLoginChoice('channel-binding-stripped');
    expect(choice).toMatchObject({ ask: 'Sign in without it…', confirm: 'Sign in without it', accept: 'acceptNoChannelBinding' });
    expect(describeError({ code: 'channel-binding-stripped', message: 'x' }).nextStep).toContain(`“${choice?.ask.replace(/…$/, '')}”`);
  });

  it('no other refusal offers to sign in anyway', () => {
    for (const code of ['auth-failed', 'auth-required', 'tls-untrusted', 'tls-required', 'ca-changed'] as const) {
      expect(weakerLoginChoice(code)).toBeUndefined();
    }
  });
});
