/**
 * What a refused restore tells the person to do: nothing that supposes what they never did (walk 6: a
 * damaged file sent them to "the one on your account", a copy they had never kept there).
 */
import { describe, expect, it } from 'vitest';
import { describeError } from '../../../renderer/src/lib/wording.js';

describe('a damaged backup', () => {
  it('suggests another copy, and the account’s only if one was kept there', () => {
    const words = describeError({ code: 'backup-damaged', message: 'The backup is damaged: it was cut short or changed.' });
    expect(words).toEqual({
      message: 'The backup is damaged: it was cut short or changed.',
      nextStep: 'Nothing was changed. Try another copy of the backup file, or the copy on your account if you kept one there.',
    });
  });
});
