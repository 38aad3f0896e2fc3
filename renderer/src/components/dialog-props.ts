import type { Snippet } from 'svelte';

/** What Dialog.svelte takes; ConfirmDialog.svelte takes part of it too. */
export interface DialogProps {
  open?: boolean;
  title: string;
  testid?: string;
  /** For content that needs room (an access picker with contacts). */
  wide?: boolean;
  /** While set, Escape does not close it (a confirmed action is running). */
  busy?: boolean;
  /** Called once the dialog has closed, however it was closed. */
  onclose?: () => void;
  children: Snippet;
}
