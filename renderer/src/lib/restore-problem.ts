/**
 * Where a refused restore sends the person to correct it (RestoreKeys.svelte puts focus there, so a
 * keyboard user does not land on the page when the disabled Restore button comes back): the backup
 * code for a code that is mistyped or not this backup's; the file for one that is no backup, a
 * damaged one or another account's; the choice of where the backup is when the account holds none
 * (or none whole). Anything else (the connection, the vault) is not theirs to correct in a field.
 */
import type { ErrorCode } from '../../../contract';

export type RestoreField = 'code' | 'file' | 'source';

export function restoreFieldToCorrect(error: { code: ErrorCode; field?: string }, source: 'file' | 'account'): RestoreField | undefined {
  switch (error.code) {
    case 'backup-code-mistyped':
    case 'wrong-backup-code':
      return 'code';
    case 'not-a-backup':
    case 'backup-unsupported-version':
    case 'backup-too-large':
    case 'backup-damaged':
    case 'backup-other-account':
      return source === 'file' ? 'file' : 'source';
    case 'no-backup':
    case 'backup-incomplete':
      return 'source';
    case 'invalid-argument':
      return error.field === 'code' ? 'code' : error.field?.startsWith('from') ? (source === 'file' ? 'file' : 'source') : undefined;
    default:
      return undefined;
  }
}
