/**
 * Going to another screen from deep inside one (an empty state's "where to fix this" link), without
 * handing a callback down every component: a window event App.svelte listens for.
 */
export type ScreenId = 'account' | 'keys' | 'profile' | 'contacts' | 'activity';

const EVENT = 'keyring:navigate';

export function goTo(screen: ScreenId): void {
  window.dispatchEvent(new CustomEvent<ScreenId>(EVENT, { detail: screen }));
}

/** Calls `show` with each screen asked for; returns the unsubscribe. */
export function onNavigate(show: (screen: ScreenId) => void): () => void {
  const listener = (event: Event) => show((event as CustomEvent<ScreenId>).detail);
  window.addEventListener(EVENT, listener);
  return () => window.removeEventListener(EVENT, listener);
}
