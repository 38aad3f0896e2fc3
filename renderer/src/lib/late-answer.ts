import type { IpcError, Result } from '../../../contract';

/**
 * What a Task keeps of an answer to a request asked for one account (account-epoch.ts), plain so that
 * it can be tested without Svelte. An answer that comes after the window moved to another account is
 * the previous account's: neither its value nor its error is given to the screens. Save the refusals
 * that are about that very switch, which the person who pressed the button needs to read on whichever
 * account's screen is shown by then:
 * - 'account-changed': main refused a change asked for the previous account (main/ipc/dispatcher.ts);
 *   nothing was done.
 * - 'signed-out-meanwhile': work begun for the previous account stopped when the other signed in
 *   (main/services/session-mark.ts), and its words say what was and was not done ("romeo's revocation
 *   was published but not recorded… do it again"). Main tells the window of the other account first, so
 *   this refusal always comes after the switch.
 */
export function keptAfterAccountChange(error: IpcError): boolean {
  return error.code === 'account-changed' || error.code === 'signed-out-meanwhile';
}

/** The request as it left: whether the window still shows its account now, and which account that was. */
export interface AskedFor {
  sameAccount: boolean;
  account: string | undefined;
  /**
   * For work whose refusal only a dialog of the previous account's screen would show (the fingerprint
   * comparison's): what was not done, said before an 'account-changed' refusal's words, which then go
   * over every screen as the stopped work's do. Kept as the Task's error, they were shown nowhere (the
   * dialog went with the switch), and the person never learnt that the comparison was not recorded.
   */
  notDone?: string;
}

/** Where a refusal of work stopped by a switch goes (App.svelte: a note over every screen, and Activity). */
type StoppedListener = (error: IpcError, account: string) => void;
let stoppedListener: StoppedListener | undefined;

/**
 * `listener` hears every 'signed-out-meanwhile' refusal that came after another account was shown, with
 * the account it was about. Not the Task's inline note: the screens were made anew for the other account
 * (App.svelte's {#key}), so the card, dialog or contact it would sit beside is gone. A note over every
 * screen names that account; an Activity line under it stays with its history, seen when it is back.
 * Answers the unsubscribe.
 */
export function onStoppedBySwitch(listener: StoppedListener): () => void {
  stoppedListener = listener;
  return () => {
    if (stoppedListener === listener) stoppedListener = undefined;
  };
}

/**
 * What the Task keeps of `result`: its value, or its error for the Task's own note; neither when it is
 * dropped, or told elsewhere (onStoppedBySwitch).
 */
export function settleAnswer<T>(result: Result<T>, asked: AskedFor): { value?: T; error?: IpcError } {
  if (asked.sameAccount) return result.ok ? { value: result.value } : { error: result.error };
  if (result.ok || !keptAfterAccountChange(result.error)) return {};
  if (asked.account !== undefined && stoppedListener) {
    if (result.error.code === 'signed-out-meanwhile') {
      stoppedListener(result.error, asked.account);
      return {};
    }
    if (asked.notDone !== undefined) {
      stoppedListener({ ...result.error, message: `${asked.notDone} ${result.error.message}` }, asked.account);
      return {};
    }
  }
  return { error: result.error };
}
