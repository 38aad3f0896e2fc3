/**
 * Which unlock refusals the unlock screen answers with "Try again" (renderer/src/lib/wording.ts), and
 * shows even after the unlock the desktop app tries by itself: those a passphrase would not mend.
 * A vault on a full disk used to be passed over there in silence, leaving a keychain vault's owner
 * asked for a passphrase it does not have.
 */
import { describe, expect, it } from 'vitest';
import { unlockCanTryAgain } from '../../../renderer/src/lib/wording.js';

describe('an unlock refused', () => {
  it('by another app holding the vault, or by its disk: "Try again"', () => {
    expect(unlockCanTryAgain('vault-in-use')).toBe(true);
    expect(unlockCanTryAgain('storage-failed')).toBe(true);
  });

  it('by the passphrase, or with the vault changed outside the app: not "Try again"', () => {
    expect(unlockCanTryAgain('wrong-passphrase')).toBe(false);
    expect(unlockCanTryAgain('vault-locked')).toBe(false);
    expect(unlockCanTryAgain('vault-tampered')).toBe(false);
  });
});
