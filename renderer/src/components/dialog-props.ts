import type { Snippet } from 'svelte';

/** What Dialog.svelte takes; ConfirmDialog.svelte takes part of it too. */
export interface DialogProps {
  open?: boolean;
  title: string;
  testid?: string;
  /** For content that needs room (an access picker with contacts). */
  wide?: boolean;
  /**
   * Its content is one block that fits itself to the window's height (a column: `min-height: 0` lets it
   * shrink, and it chooses which part of it scrolls), instead of the whole dialog scrolling: what must
   * stay in sight (a form's field and buttons) stays so. Should even that not fit, the dialog scrolls.
   */
  fit?: boolean;
  /** While set, Escape does not close it (a confirmed action is running). */
  busy?: boolean;
  /**
   * Where focus goes on closing when the control that opened it is gone (a reminder's "Back up now…"
   * that the backup made disappear): a lasting control that does the same. Else the nearest one left.
   */
  returnFocus?: () => HTMLElement | undefined;
  /** Called once the dialog has closed, however it was closed. */
  onclose?: () => void;
  children: Snippet;
}
