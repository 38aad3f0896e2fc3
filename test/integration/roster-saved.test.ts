/**
 * A repeat sign-in on a real server (Prosody versions rosters, RFC 6121 §2.6): the roster the last
 * sign-in saved is listed at once, and when the server's differs (a contact removed from another
 * device meanwhile) `roster:changed` follows and the list is the server's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { KeyringCore } from '../../main/core.js';
import { freshAccount } from '../support/accounts.js';
import { connect, openCore } from '../support/app.js';
import { nextEvent } from '../support/scenario.js';

async function roster(core: KeyringCore, fresh?: true): Promise<string[]> {
  const listed = await core.api.roster.list(fresh ? { fresh } : undefined);
  if (!listed.ok) throw new Error(listed.error.message);
  return listed.value.map((c) => c.jid).sort();
}

it('a repeat sign-in lists the saved roster at once, then the server’s after roster:changed', async () => {
  const juliet = await freshAccount('juliet');
  const romeo = `romeo-${Date.now()}@montague.lit`;
  const nurse = `nurse-${Date.now()}@capulet.lit`;
  const dataDir = await mkdtemp(join(tmpdir(), 'keyring-roster-saved-'));
  try {
    const before = await openCore({ dataDir });
    try {
      await connect(before.core, juliet);
      for (const jid of [romeo, nurse]) expect(await before.core.api.roster.add({ jid, groups: ['Friends'] })).toMatchObject({ ok: true });
      expect(await roster(before.core, true)).toEqual([nurse, romeo].sort());
    } finally {
      await before.stop(); // the roster is saved, with the server's version, before the app quits
    }

    // Juliet's other device removes Romeo while this app is closed.
    const elsewhere = await openCore();
    try {
      await connect(elsewhere.core, juliet);
      expect(await elsewhere.core.api.roster.remove({ jid: romeo })).toMatchObject({ ok: true });
    } finally {
      await elsewhere.stop();
    }

    const again = await openCore({ dataDir });
    try {
      await connect(again.core, juliet);
      const changed = nextEvent(
        (listener: (name: string) => void) => again.core.events.subscribe((name) => name === 'roster:changed' && listener(name)),
        () => true,
        'roster:changed after the sync',
      );
      // At once: the saved roster, Romeo still in it until the server's answer lands.
      expect(await roster(again.core)).toEqual([nurse, romeo].sort());
      await changed;
      expect(await roster(again.core)).toEqual([nurse]);
    } finally {
      await again.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
