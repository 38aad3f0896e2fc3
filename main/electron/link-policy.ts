/**
 * When a link from the page may leave the app for the system browser. The page shows contacts' text,
 * so the URLs are untrusted and any script the page runs must not be able to open them on its own: a
 * link opens only as the result of the user's own click or key press, only over https, and one input
 * opens at most one link. Decisions only, no Electron, so unit tests cover them
 * (test/unit/electron-link-policy.test.ts); window.ts wires them to the web contents.
 */

/**
 * Input that counts as the user acting (the HTML Standard's "activation triggering input events":
 * keydown other than Escape, mousedown, pointerup, touchend), named as Electron's `input-event` names
 * them. Mouse moves, wheel and key releases do not count.
 */
const ACTIVATING_INPUT = new Set(['mouseDown', 'mouseUp', 'pointerDown', 'pointerUp', 'rawKeyDown', 'keyDown', 'touchEnd', 'gestureTap']);

/** How long after the user's input its link may still open (the click's handler runs within ms). */
export const GESTURE_WINDOW_MS = 1_000;
/** Longer URLs are not links a contact means a person to follow. */
const MAX_URL_CHARS = 2048;

export class ExternalLinkPolicy {
  #lastActivation: number | undefined;

  /** Every input event the web contents receives (Electron `input-event`), with its time. */
  noteInput(input: { type: string; keyCode?: unknown }, now: number): void {
    if (ACTIVATING_INPUT.has(input.type) && input.keyCode !== 'Escape') this.#lastActivation = now;
  }

  /**
   * The URL to hand to the system browser for a window the page asked for, or undefined to open
   * nothing. A yes uses up the user's input, so one click cannot open a second link.
   */
  decide(url: string, now: number): string | undefined {
    const activated = this.#lastActivation !== undefined && now - this.#lastActivation <= GESTURE_WINDOW_MS && now >= this.#lastActivation;
    const link = externalHttpsUrl(url);
    if (!activated || link === undefined) return undefined;
    this.#lastActivation = undefined;
    return link;
  }
}

/** The URL, normalised, if it is an https link with a host and no credentials; else undefined. */
export function externalHttpsUrl(text: string): string | undefined {
  if (text.length > MAX_URL_CHARS) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.hostname === '' || url.username !== '' || url.password !== '') return undefined;
  return url.href;
}
