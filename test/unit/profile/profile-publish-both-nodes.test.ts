/**
 * Publishing the profile is two publishes, the vCard4 and the nickname (XEP-0292, XEP-0172). Both nodes
 * are made ready before either item goes out, so a nickname node another app made for another audience
 * refuses the whole change, unconfirmed: the new vCard is not out while the action says it failed. (Found
 * by an attack review: the vCard was published, then the nickname refused with access-model-conflict.)
 * When the nickname's publish fails after the vCard's went out (the connection dropped between), the
 * error says that the card is out: "failed" alone would hide what contacts already read.
 */
import { describe, expect, it } from 'vitest';
import { AppEvents } from '../../../main/events.js';
import { KeyringError } from '../../../main/errors.js';
import { silentLogger } from '../../../main/logger.js';
import { nickPayload, NICK_ITEM_ID } from '../../../main/profile/nickname.js';
import { ProfileService } from '../../../main/services/profile.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { EJABBERD_FIELDS, JULIET, fakePep, pepSession } from '../../support/fake-pep-service.js';

/** A PEP service whose nickname node another app made, readable by presence, holding an old nickname. */
function serviceWithOtherAppsNickname() {
  const pep = fakePep({ fields: EJABBERD_FIELDS });
  pep.nodes.set(NS.nick, {
    config: new Map([
      ['pubsub#access_model', ['presence']],
      ['pubsub#persist_items', ['1']],
      ['pubsub#send_last_published_item', ['never']],
      ['pubsub#max_items', ['1']],
    ]),
    items: [NICK_ITEM_ID],
    payloads: new Map([[NICK_ITEM_ID, nickPayload('Jules (old)')]]),
    affiliations: new Map([[JULIET, 'owner']]),
  });
  const profiles = new ProfileService({ session: pepSession(pep), events: new AppEvents(), log: silentLogger, isKnownContact: () => false });
  return { pep, profiles };
}

const PROFILE = { fullName: 'Juliet Capulet', emails: [], phones: [], urls: [] };
const FRIENDS = { model: 'roster' as const, groups: ['Friends'] };

describe('a profile publish whose nickname node has another audience', () => {
  it('unconfirmed, publishes neither the vCard nor the nickname', async () => {
    const { pep, profiles } = serviceWithOtherAppsNickname();
    const failure = await profiles.publish(PROFILE, FRIENDS).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(KeyringError);
    expect((failure as KeyringError).code).toBe('access-model-conflict');
    expect(pep.nodes.get(NS.vcard4)?.items ?? []).toEqual([]);
    expect(pep.nodes.get(NS.nick)?.payloads.get(NICK_ITEM_ID)?.toString()).toBe(nickPayload('Jules (old)').toString());
  });

  it('confirmed, publishes both, the cleared nickname withdrawn', async () => {
    const { pep, profiles } = serviceWithOtherAppsNickname();
    await profiles.publish(PROFILE, FRIENDS, { reconfigure: true });
    expect(pep.nodes.get(NS.vcard4)?.items).toHaveLength(1);
    expect(pep.nodes.get(NS.nick)?.config.get('pubsub#access_model')).toEqual(['roster']);
    expect(pep.nodes.get(NS.nick)?.payloads.get(NICK_ITEM_ID)?.toString()).toBe(nickPayload('').toString());
  });
});

describe('a profile publish whose nickname cannot be sent after the vCard went out', () => {
  it('says the profile card was published and the nickname not, with the reason', async () => {
    const pep = fakePep({
      fields: EJABBERD_FIELDS,
      onPublish: (_id, payload) => {
        if (payload.is('nick', NS.nick)) throw new KeyringError('not-connected', 'The connection to your server was lost.');
        return payload;
      },
    });
    const profiles = new ProfileService({ session: pepSession(pep), events: new AppEvents(), log: silentLogger, isKnownContact: () => false });
    const failure = await profiles.publish({ ...PROFILE, nickname: 'Jules' }, FRIENDS).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(KeyringError);
    expect((failure as KeyringError).code).toBe('partly-published');
    expect((failure as KeyringError).message).toBe('Your profile card was published, but your nickname was not: Publishing your nickname failed: The connection to your server was lost.');
    expect(pep.nodes.get(NS.vcard4)?.items).toHaveLength(1);
  });
});
