/**
 * After a refused restore, focus goes to what the person has to correct (renderer/src/lib/restore-problem.ts),
 * not to the page: the code, the file, or where the backup is.
 */
import { describe, expect, it } from 'vitest';
import { restoreFieldToCorrect } from '../../../renderer/src/lib/restore-problem.js';

describe('the field a refused restore sends the person to', () => {
  it('is the code for a code that is mistyped or not this backup’s', () => {
    expect(restoreFieldToCorrect({ code: 'wrong-backup-code' }, 'account')).toBe('code');
    expect(restoreFieldToCorrect({ code: 'backup-code-mistyped' }, 'file')).toBe('code');
    expect(restoreFieldToCorrect({ code: 'invalid-argument', field: 'code' }, 'file')).toBe('code');
  });

  it('is the file for a file that is no backup, damaged, or another account’s', () => {
    for (const code of ['not-a-backup', 'backup-damaged', 'backup-too-large', 'backup-unsupported-version', 'backup-other-account'] as const) {
      expect(restoreFieldToCorrect({ code }, 'file')).toBe('file');
    }
    expect(restoreFieldToCorrect({ code: 'invalid-argument', field: 'from.dataBase64' }, 'file')).toBe('file');
  });

  it('is where the backup is when the account holds none whole, or another account’s', () => {
    expect(restoreFieldToCorrect({ code: 'no-backup' }, 'account')).toBe('source');
    expect(restoreFieldToCorrect({ code: 'backup-incomplete' }, 'account')).toBe('source');
    expect(restoreFieldToCorrect({ code: 'backup-other-account' }, 'account')).toBe('source');
  });

  it('is none for what no field corrects (the button is focused again instead)', () => {
    expect(restoreFieldToCorrect({ code: 'not-connected' }, 'account')).toBeUndefined();
    expect(restoreFieldToCorrect({ code: 'timeout' }, 'account')).toBeUndefined();
  });
});
