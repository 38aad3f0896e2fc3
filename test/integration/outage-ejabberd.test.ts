/**
 * Outages of a real ejabberd (test/support/outage.ts): killed and shut down in order, for 3 s, 20 s and
 * 60 s in a row, with the app signed in throughout. Its own ejabberd: the shared one must stay up.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runOutages } from '../support/outage.js';
import { startEjabberd } from '../support/ejabberd.js';

let server: Awaited<ReturnType<typeof startEjabberd>>;
beforeAll(async () => {
  server = await startEjabberd({ domains: ['capulet.lit'] });
}, 90_000);
afterAll(async () => {
  await server?.stop();
});

describe('ejabberd outages', () => {
  it('3 s, 20 s and 60 s, killed and stopped in order: online left at once, back within 15 s, the write made meanwhile runs', async () => {
    await runOutages(server, 'capulet.lit', [
      // An orderly stop first: ejabberd's Mnesia keeps an account registered seconds before a kill -9
      // only once it has written it out, which a clean shutdown does.
      { how: 'stop', seconds: 3 },
      { how: 'kill', seconds: 3 },
      { how: 'stop', seconds: 20 },
      { how: 'kill', seconds: 20 },
      { how: 'stop', seconds: 60 },
      { how: 'kill', seconds: 60 },
    ]);
  }, 400_000);
});
