import type { BackupMade, BackupStatus, RestoreOutcome } from '../../../contract';
import { fileToBase64 } from './base64';
import { ScreenStore } from './screen-store';
import { Task } from './task.svelte';

/**
 * Backups of the keys (contract/backup.ts): which keys are in none (the reminder), making one, and
 * restoring. The code of a backup just made is held here only until the person confirms they kept it.
 */
export class BackupStore extends ScreenStore {
  status = $state<BackupStatus | undefined>();
  /** The backup just made, code included, until the person says they kept the code. */
  made = $state<BackupMade | undefined>();
  restored = $state<RestoreOutcome | undefined>();
  readonly loading = new Task();
  readonly creating = new Task();
  readonly restoring = new Task();
  /** Own keys in no backup: what the My keys reminder counts. */
  readonly notBackedUp = $derived(this.status?.notBackedUp ?? []);

  async refresh(): Promise<void> {
    const status = await this.loading.run(() => this.api.backup.status());
    if (status) this.status = status;
  }

  protected resetForAccount(): void {
    this.status = undefined;
    this.made = undefined;
    this.restored = undefined;
  }

  /** `passphrase`: the vault's, typed again (a passphrase vault); handed on, never kept here. */
  async create(file: boolean, toAccount: boolean, passphrase?: string): Promise<BackupMade | undefined> {
    const made = await this.creating.run(() => this.api.backup.create({ file, toAccount, ...(passphrase === undefined ? {} : { passphrase }) }));
    if (!made) return undefined;
    this.made = made;
    const where = [made.file ? 'a file' : '', made.account ? 'your account' : ''].filter(Boolean).join(' and ');
    this.activity.add('published', `Backup of ${made.fingerprints.length} key${made.fingerprints.length === 1 ? '' : 's'} made (${where})`);
    await this.refresh();
    return made;
  }

  /** The file of the backup just made was handed to the download: its keys count as backed up now. */
  async fileSaved(backupId: string): Promise<void> {
    const status = await this.creating.run(() => this.api.backup.fileSaved({ backupId }));
    if (status) this.status = status;
  }

  /** Forgets the code of the backup just made: the person kept it. */
  forgetCode(): void {
    this.made = undefined;
  }

  async restore(from: { file: File } | 'account', code: string, replace: boolean): Promise<RestoreOutcome | undefined> {
    const source = from === 'account' ? { kind: 'account' as const } : { kind: 'file' as const, dataBase64: await fileToBase64(from.file) };
    const outcome = await this.restoring.run(() => this.api.backup.restore({ from: source, code, ...(replace ? { replace } : {}) }));
    if (!outcome) return undefined;
    this.restored = outcome;
    const count = outcome.keys.filter((k) => k.outcome === 'restored' || k.outcome === 'replaced').length;
    this.activity.add('generated', `Restored ${count} key${count === 1 ? '' : 's'} from a backup ${outcome.from === 'account' ? 'on your account' : 'file'}`);
    await this.refresh();
    return outcome;
  }
}
