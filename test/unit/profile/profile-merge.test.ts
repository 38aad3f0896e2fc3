/**
 * Publishing a profile edited in a window while another app of the account publishes too. The window
 * says what it edited from (`base`): main reads what the server holds just before publishing and puts
 * only the person's changes onto it, so a note and a phone number another app published meanwhile stay
 * when the person changes only the nickname. A field both changed, differently, is refused by name with
 * nothing published. A publish queued offline is merged the same way when it goes out.
 * (Found by a UI walk: a one-field publish put back the app's old note and dropped the other app's phone.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus, Profile } from '../../../contract/index.js';
import { AppEvents } from '../../../main/events.js';
import { KeyringError } from '../../../main/errors.js';
import { silentLogger } from '../../../main/logger.js';
import { NICK_ITEM_ID, nickPayload } from '../../../main/profile/nickname.js';
import { asItem } from '../../../main/profile/profile-content.js';
import { readVcard4Item, VCARD_ITEM_ID } from '../../../main/profile/vcard4.js';
import { ProfileService } from '../../../main/services/profile.js';
import { PublishQueue, type PublishQueueDeps } from '../../../main/services/publish-queue.js';
import type { SessionPort } from '../../../main/services/session-port.js';
import { QueueStore } from '../../../main/vault/stores/queue-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { EJABBERD_FIELDS, fakePep, JULIET, pepSession } from '../../support/fake-pep-service.js';
import { unlockedVaults } from '../../support/vaults.js';

const PRESENCE = { model: 'presence' as const };
/** What this app published, and what its window shows as published. */
const SHOWN: Profile = { fullName: 'Juliet Capulet', nickname: 'Jules', emails: [], phones: [], urls: [], note: 'Set by the keyring app' };
/** What another app of juliet's published since: a new note and a phone number. */
const OTHER_APP: Profile = { ...SHOWN, note: 'Set by my phone app', phones: ['+39 045 555 0199'] };

function twoApps() {
  const pep = fakePep({ fields: EJABBERD_FIELDS });
  const service = () => new ProfileService({ session: pepSession(pep), events: new AppEvents(), log: silentLogger, isKnownContact: () => false });
  return { pep, app: service(), otherApp: service() };
}

/** The vCard juliet's server holds now, as contacts read it. */
function held(pep: ReturnType<typeof fakePep>): Profile | undefined {
  const payload = pep.nodes.get(NS.vcard4)?.payloads.get(VCARD_ITEM_ID);
  if (!payload) return undefined;
  const read = readVcard4Item(asItem({ id: VCARD_ITEM_ID, payload }));
  return 'problem' in read ? undefined : read.profile;
}

describe('a profile edited from what the window showed, published after another app changed it', () => {
  it('changing only the nickname keeps the note and the phone number the other app published', async () => {
    const { pep, app, otherApp } = twoApps();
    await app.publish(SHOWN, PRESENCE);
    await otherApp.publish(OTHER_APP, PRESENCE);

    const answer = await app.publish({ ...SHOWN, nickname: 'Julie' }, PRESENCE, { base: SHOWN });

    expect(held(pep)).toMatchObject({ nickname: 'Julie', note: 'Set by my phone app', phones: ['+39 045 555 0199'], fullName: 'Juliet Capulet' });
    // The window is told what is now published, to show it (not its own form).
    expect(answer.profile).toMatchObject({ nickname: 'Julie', note: 'Set by my phone app', phones: ['+39 045 555 0199'] });
  });

  it('a nickname another app set on the nickname node alone stays when the person changes only the note, and the vCard takes it', async () => {
    const { pep, app } = twoApps();
    await app.publish(SHOWN, PRESENCE);
    // Her phone app sets the XEP-0172 node only, as chat apps do; the vCard still says "Jules".
    pep.nodes.get(NS.nick)?.payloads.set(NICK_ITEM_ID, nickPayload('Julie'));

    // A window that had not heard of it yet: it edited from "Jules", and left the nickname alone.
    const answer = await app.publish({ ...SHOWN, note: 'Typed in the keyring app' }, PRESENCE, { base: SHOWN });

    expect(pep.nodes.get(NS.nick)?.payloads.get(NICK_ITEM_ID)?.toString()).toBe(nickPayload('Julie').toString());
    expect(held(pep)).toMatchObject({ nickname: 'Julie', note: 'Typed in the keyring app' });
    expect(answer.profile.nickname).toBe('Julie');
  });

  it('a field the other app changed too is refused by name, and nothing is published', async () => {
    const { pep, app, otherApp } = twoApps();
    await app.publish(SHOWN, PRESENCE);
    await otherApp.publish(OTHER_APP, PRESENCE);
    const before = pep.nodes.get(NS.vcard4)?.payloads.get(VCARD_ITEM_ID)?.toString();

    const error = await app.publish({ ...SHOWN, nickname: 'Julie', note: 'Typed in the keyring app' }, PRESENCE, { base: SHOWN }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).code).toBe('changed-elsewhere');
    expect((error as KeyringError).message).toBe(
      'Another app of your account changed your Note on your server while you were editing, and you changed it too. Nothing was published.',
    );
    expect(pep.nodes.get(NS.vcard4)?.payloads.get(VCARD_ITEM_ID)?.toString()).toBe(before);
  });

  it('the same change made by both is no conflict', async () => {
    const { pep, app, otherApp } = twoApps();
    await app.publish(SHOWN, PRESENCE);
    await otherApp.publish(OTHER_APP, PRESENCE);
    await app.publish({ ...SHOWN, note: 'Set by my phone app', fullName: 'Juliet C.' }, PRESENCE, { base: SHOWN });
    expect(held(pep)).toMatchObject({ fullName: 'Juliet C.', note: 'Set by my phone app', phones: ['+39 045 555 0199'] });
  });
});

const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

describe('a profile publish queued offline', () => {
  it('goes out merged onto what the server holds then', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyring-profile-merge-queue-'));
    dirs.push(dir);
    const { pep, app, otherApp } = twoApps();
    await app.publish(SHOWN, PRESENCE);
    let status: ConnectionStatus = 'offline';
    const session: SessionPort = {
      ...pepSession(pep),
      get state() {
        return { status, account: JULIET };
      },
    };
    const unused = () => Promise.reject(new Error('not used'));
    const queue = new PublishQueue({
      store: new QueueStore(await unlockedVaults(dir)),
      ownKeys: { has: () => false } as unknown as PublishQueueDeps['ownKeys'],
      roster: { add: unused, setGroups: unused, remove: unused },
      profile: app,
      session,
      events: new AppEvents(),
      log: silentLogger,
    });

    const queued = await queue.publishProfile({ ...SHOWN, nickname: 'Julie' }, PRESENCE, false, SHOWN);
    expect(queued.outcome).toBe('queued');
    // While it waited, another app published a new note and a phone number.
    await otherApp.publish(OTHER_APP, PRESENCE);
    status = 'online';
    await queue.drain();

    expect(held(pep)).toMatchObject({ nickname: 'Julie', note: 'Set by my phone app', phones: ['+39 045 555 0199'] });
  });
});
