/**
 * Where keyboard focus goes when a dialog opens and closes (WAI-ARIA APG, dialog pattern): into its
 * first field, and back to the control that opened it, or to the nearest control left in the same
 * section when that one is gone (a "Retract" button that the retraction removed).
 */

const FIELDS = 'input:not([type="hidden"]), select, textarea';
const CONTROLS = `${FIELDS}, button, a[href], summary, [tabindex]:not([tabindex="-1"])`;

/** An element focused only by script (tabindex -1, e.g. a heading after the view under it changed). */
function focusableByScript(element: HTMLElement): boolean {
  return element.getAttribute('tabindex') === '-1' && element.isConnected && element.getClientRects().length > 0;
}

function usable(element: Element | null): element is HTMLElement {
  if (!(element instanceof HTMLElement) || !element.isConnected) return false;
  if (element.matches(':disabled') || element.closest('[inert]')) return false;
  return element.getClientRects().length > 0;
}

/**
 * The control to focus first inside `container`: one marked `data-initial-focus` (a confirmation's
 * safe choice), else the first field (for radio buttons: the chosen one), else the first control.
 */
export function initialFocus(container: HTMLElement): HTMLElement | undefined {
  const marked = container.querySelector('[data-initial-focus]');
  if (usable(marked)) return marked;
  const field = [...container.querySelectorAll(FIELDS)].find(usable);
  if (field instanceof HTMLInputElement && field.type === 'radio' && field.name) {
    const chosen = [...container.querySelectorAll<HTMLInputElement>('input[type="radio"]')].find((r) => r.name === field.name && r.checked);
    if (usable(chosen ?? null)) return chosen;
  }
  if (field) return field;
  return [...container.querySelectorAll(CONTROLS)].find(usable);
}

/**
 * Gives focus back after `closed` (a dialog) closes: to `opener` while it is still there and usable,
 * else to `fallback` (a control that does the same as the one gone), else to the first usable control
 * of the closest section around `closed`, outside it.
 */
export function restoreFocus(opener: Element | null, closed: HTMLElement, fallback?: HTMLElement): void {
  for (const target of [opener, fallback ?? null]) {
    if (usable(target)) {
      target.focus();
      return;
    }
  }
  for (let scope = closed.parentElement; scope; scope = scope.parentElement) {
    if (!scope.matches('article, section, form, main, [role="region"]')) continue;
    const next = [...scope.querySelectorAll(CONTROLS)].find((c): c is HTMLElement => usable(c) && !closed.contains(c));
    if (next) {
      next.focus();
      return;
    }
  }
}

/**
 * After an action whose button was disabled while it ran (which sends focus to the page's body), puts
 * focus on the first usable of `candidates`, unless the person has already moved it somewhere.
 */
export function focusIfLost(...candidates: (HTMLElement | null | undefined)[]): void {
  focusFirstUnlessMoved(undefined, candidates);
}

/**
 * Call as an action starts, before its button is disabled; call what it returns when the action has
 * ended, with where focus goes (as focusIfLost). Chromium moves focus off a disabled button only after
 * its next frame, so an answer quicker than that finds focus still on the button pressed, enabled
 * again: that counts as lost too. Otherwise a quick refusal left focus on "Compare and verify" where a
 * slow one put it back in the field to correct (seen in CI, once in a few runs).
 */
export function focusAfterAction(): (...candidates: (HTMLElement | null | undefined)[]) => void {
  const active = document.activeElement;
  const pressed = active instanceof HTMLButtonElement || (active instanceof HTMLInputElement && active.type === 'submit') ? active : undefined;
  return (...candidates) => focusFirstUnlessMoved(pressed, candidates);
}

function focusFirstUnlessMoved(pressed: HTMLElement | undefined, candidates: (HTMLElement | null | undefined)[]): void {
  const active = document.activeElement;
  const lost = !active || active === document.body || !active.isConnected || active === pressed;
  if (!lost) return;
  const target = candidates.find((c): c is HTMLElement => c instanceof HTMLElement && (usable(c) || focusableByScript(c)));
  target?.focus();
  if (target instanceof HTMLInputElement && target.type !== 'checkbox' && target.type !== 'radio') target.select();
}

/**
 * The usable controls inside `container`, in order (none when it is gone): where focus goes after a
 * decision took away the button pressed ("Take back verification" gives way to "Compare fingerprints…").
 */
export function controlsIn(container: Element | null | undefined): HTMLElement[] {
  if (!container?.isConnected) return [];
  return [...container.querySelectorAll(CONTROLS)].filter(usable);
}
