import type { IpcError } from '../../../contract';

/**
 * Which account the window shows now, as a count: one more each time another account is signed in or
 * tried (App.svelte). A request asked for under one count and answered under another belongs to the
 * previous account: its answer, its error and the Activity line it would write are dropped (task.svelte.ts,
 * screen-store.ts), never shown as the new account's. Not reactive: bookkeeping only.
 */
let epoch = 0;

/** Another account is shown from now on. */
export function nextAccountEpoch(): void {
  epoch++;
}

/** A mark to take before a request, and the check after it: false once another account came meanwhile. */
export function accountMark(): () => boolean {
  const at = epoch;
  return () => at === epoch;
}

/**
 * The account the window shows now (AccountStore sets it with each state main tells), read as each
 * request leaves (bridge.ts): main refuses a change asked for it once the app works for another
 * (main/ipc/dispatcher.ts), as when another window signed in to another account and this one has not
 * heard of it yet.
 */
let shown: string | undefined;

export function showAccount(account: string | undefined): void {
  shown = account;
}

export function accountShown(): string | undefined {
  return shown;
}

/**
 * For work that waits before its request (a file read: an avatar, a QR code's picture), the account is
 * taken when it begins, not as the request leaves: had another window signed in to another account
 * meanwhile, the request would name that one and main would take it (main/ipc/dispatcher.ts). Then
 * nothing is sent, and the refusal is main's kind ('account-changed', kept and shown: task.svelte.ts).
 */
export function accountChangedSince(asked: string | undefined): IpcError | undefined {
  if (shown === asked) return undefined;
  const askedFor = asked === undefined ? 'This was asked in a window that showed no account' : `This was asked for ${asked}`;
  const nowShows = shown === undefined ? 'this window now shows no account' : `this window now shows ${shown}`;
  return { code: 'account-changed', message: `${askedFor}, but ${nowShows}; nothing was sent.` };
}
