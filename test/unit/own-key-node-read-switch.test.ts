/**
 * The own key node read at sign-in (and after a restore) tells My keys which keys were revoked elsewhere
 * or found published (keys:otherDevice): only while the account it was read for is still the one signed
 * in. Read for romeo while mercutio signs in, romeo's news must not reach the windows now showing
 * mercutio's keys. Stand-ins for the two readers; the session switches between them.
 */
import { describe, expect, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { silentLogger } from '../../main/logger.js';
import { readOwnKeyNode } from '../../main/services/own-revocations.js';

const ROMEO = 'romeo@montague.lit';
const MERCUTIO = 'mercutio@montague.lit';
const REVOKED = 'a'.repeat(64);

describe('My keys hears of the own key node only for the account it was read for', () => {
  function setup() {
    let account = ROMEO;
    let generation = 1;
    const session = {
      get state() {
        return { status: 'online' as const, account };
      },
      get sessionGeneration() {
        return generation;
      },
    };
    const events = new AppEvents();
    const heard: string[] = [];
    events.subscribe((event) => heard.push(event));
    const switchTo = (next: string) => {
      account = next;
      generation++;
    };
    return { session, events, heard, switchTo };
  }
  const revocations = { fetchNode: () => Promise.resolve({ status: 'none' as const }), readNode: () => Promise.resolve([REVOKED]) };

  it('romeo still signed in: a key revoked elsewhere is told', async () => {
    const { session, events, heard } = setup();
    const revoked = await readOwnKeyNode({ revocations, found: { readNode: () => Promise.resolve([]) }, session, events, log: silentLogger });
    expect(revoked).toEqual([REVOKED]);
    expect(heard).toEqual(['keys:otherDevice']);
  });

  it('mercutio signs in after romeo’s revocations were applied, while the publications are read: nothing is told', async () => {
    const { session, events, heard, switchTo } = setup();
    const found = {
      readNode: () => {
        switchTo(MERCUTIO);
        return Promise.resolve([]);
      },
    };
    const revoked = await readOwnKeyNode({ revocations, found, session, events, log: silentLogger });
    // romeo's revocation stays recorded for him (the restore that asked still hears of it)…
    expect(revoked).toEqual([REVOKED]);
    // …but no window now showing mercutio's keys is told of it.
    expect(heard).toEqual([]);
  });
});
