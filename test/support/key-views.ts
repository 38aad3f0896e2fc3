/** App events for a ContactKeys under unit test, and the contacts' key views they carried, in order. */
import type { ContactKeysView } from '../../contract/index.js';
import { AppEvents } from '../../main/events.js';

export function eventsWithKeyViews(): { events: AppEvents; views: ContactKeysView[] } {
  const events = new AppEvents();
  const views: ContactKeysView[] = [];
  events.subscribe((event, payload) => {
    if (event === 'contacts:keys') views.push(payload as ContactKeysView);
  });
  return { events, views };
}
