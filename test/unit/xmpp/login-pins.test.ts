/**
 * The login pins (main/xmpp/sasl-login.ts, refusePinnedDowngrade; main/xmpp/session.ts, pinsOfLogin):
 * an account that signed in with SCRAM is refused an offer of PLAIN alone before the password is sent
 * ('scram-stripped'), as one that signed in with -PLUS is refused an offer without it. Without a pin,
 * every offer is taken as before.
 */
import { describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { refusePinnedDowngrade, type LoginPins } from '../../../main/xmpp/sasl-login.js';
import { pinsOfLogin } from '../../../main/xmpp/session.js';

const DOMAIN = 'capulet.lit';

function refusal(offered: string[], pins: LoginPins): KeyringError | undefined {
  try {
    refusePinnedDowngrade(offered, pins, DOMAIN);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(KeyringError);
    return error as KeyringError;
  }
}

describe('an account that signed in with SCRAM before', () => {
  it('is refused an offer of PLAIN alone, in words that say the password was not sent', () => {
    const error = refusal(['PLAIN'], { requireScram: true });
    expect(error?.code).toBe('scram-stripped');
    expect(error?.message).toBe(
      'The server for capulet.lit used to take a login that does not send your password (SCRAM), and now asks for the password itself. ' +
        'Someone between you and the server may have changed its offer, so the app did not send your password.',
    );
  });

  it('is refused PLAIN next to SCRAM variants the app cannot use, which would leave PLAIN the choice', () => {
    expect(refusal(['SCRAM-SHA3-512', 'PLAIN'], { requireScram: true })?.code).toBe('scram-stripped');
  });

  it('takes any SCRAM the app can use, -PLUS or not, whatever else is offered', () => {
    for (const offered of [['SCRAM-SHA-1', 'PLAIN'], ['SCRAM-SHA-256'], ['SCRAM-SHA-512-PLUS', 'PLAIN'], ['PLAIN', 'SCRAM-SHA-1-PLUS']]) {
      expect(refusal(offered, { requireScram: true })).toBeUndefined();
    }
  });

  it('an offer with neither SCRAM nor PLAIN is left to the choice, which says no method is usable (not "asks for the password")', () => {
    expect(refusal(['EXTERNAL'], { requireScram: true })).toBeUndefined();
  });

  it('with the -PLUS pin too, PLAIN alone is told as the password being asked for; plain SCRAM as -PLUS stripped', () => {
    const both = { requireScram: true, requireChannelBinding: true };
    expect(refusal(['PLAIN'], both)?.code).toBe('scram-stripped');
    expect(refusal(['SCRAM-SHA-256', 'PLAIN'], both)?.code).toBe('channel-binding-stripped');
    expect(refusal(['SCRAM-SHA-256-PLUS', 'PLAIN'], both)).toBeUndefined();
  });
});

describe('an account with no pin', () => {
  it('takes PLAIN alone as before', () => {
    expect(refusal(['PLAIN'], {})).toBeUndefined();
  });
});

describe('what a sign-in pins for the reconnects after it', () => {
  it('SCRAM pins SCRAM; a bound SCRAM pins -PLUS too; PLAIN pins nothing', () => {
    expect(pinsOfLogin({ profile: 'sasl', mechanism: 'SCRAM-SHA-1', channelBinding: 'y' })).toEqual({ requireScram: true });
    expect(pinsOfLogin({ profile: 'sasl2', mechanism: 'SCRAM-SHA-256-PLUS', channelBinding: 'p=tls-exporter' })).toEqual({
      requireScram: true,
      requireChannelBinding: true,
    });
    expect(pinsOfLogin({ profile: 'sasl', mechanism: 'PLAIN', channelBinding: undefined })).toEqual({});
    expect(pinsOfLogin(undefined)).toEqual({});
  });
});
