/**
 * A profile item replaced under the same id: another app of the account (or the server) publishes
 * another nickname or vCard as the item 'current'. Compared by id alone, drift saw nothing while
 * contacts read the other one. The record keeps the digest of what each profile item says
 * (main/profile/profile-content.ts), drift reads those nodes' items whole to compare it, and Restore
 * puts the app's back (docs/drift.md). Records from before the digest was kept: ids only, as before.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../../contract/index.js';
import { describeDriftFinding } from '../../../contract/format.js';
import { AppEvents } from '../../../main/events.js';
import { silentLogger } from '../../../main/logger.js';
import { replacedItems } from '../../../main/drift/compare.js';
import { nickPayload } from '../../../main/profile/nickname.js';
import { asItem, profileContent } from '../../../main/profile/profile-content.js';
import { vcard4Payload } from '../../../main/profile/vcard4.js';
import { DriftWatch } from '../../../main/services/drift-watch.js';
import { ProfileService } from '../../../main/services/profile.js';
import { OwnKeysStore } from '../../../main/vault/stores/own-keys-store.js';
import { PublishedNodesStore } from '../../../main/vault/stores/published-nodes-store.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { BASE_FIELDS, fakePep, JULIET, pepSession } from '../../support/fake-pep-service.js';
import { unlockedVaults } from '../../support/vaults.js';
import { state } from './node-state-fixture.js';

const PROFILE: Profile = { fullName: 'Juliet Capulet', nickname: 'Jules', emails: ['juliet@capulet.lit'], phones: [], urls: [] };

describe('a profile item another app replaced under the same id', () => {
  let dir: string;
  let pep: ReturnType<typeof fakePep>;
  let published: PublishedNodesStore;
  let drift: DriftWatch;
  let profiles: ProfileService;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyring-profile-replaced-'));
    pep = fakePep({ fields: BASE_FIELDS });
    const vaults = await unlockedVaults(dir);
    published = new PublishedNodesStore(vaults);
    const session = pepSession(pep);
    profiles = new ProfileService({ session, events: new AppEvents(), log: silentLogger, published, isKnownContact: () => false });
    drift = new DriftWatch({ published, ownKeys: new OwnKeysStore(vaults), session, events: new AppEvents(), log: silentLogger, intervalMs: 3_600_000, settleMs: 3_600_000 });
    await profiles.publish(PROFILE, { model: 'presence' });
  });

  afterEach(async () => {
    drift.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const findingsOf = async (node: string) => (await drift.check()).nodes.find((n) => n.node === node)?.findings;

  it('the same profile untouched: no finding on either node', async () => {
    expect(await findingsOf(NS.nick)).toEqual([]);
    expect(await findingsOf(NS.vcard4)).toEqual([]);
  });

  it('another nickname under the same id: an alarm that says what it says now, in words a person understands; Restore puts the app’s back', async () => {
    pep.nodes.get(NS.nick)?.payloads.set('current', nickPayload('Romeo\u202e was here'));
    const findings = await findingsOf(NS.nick);
    expect(findings).toEqual([{ code: 'items-replaced', severity: 'alarm', items: [expect.objectContaining({ itemId: 'current', now: 'Romeo was here' })] }]);
    const finding = findings?.[0];
    expect(finding && describeDriftFinding('nickname', finding)).toBe('Your profile’s nickname was changed by another app or the server: it now says “Romeo was here” (was “Jules”).');

    const { repaired, report } = await drift.restore(NS.nick);
    expect(repaired).toMatchObject([{ node: NS.nick, republished: ['current'], withoutPayload: [] }]);
    expect(report.nodes.find((n) => n.node === NS.nick)?.findings).toEqual([]);
    expect(pep.nodes.get(NS.nick)?.payloads.get('current')?.text()).toBe('Jules');
  });

  it('another vCard under the same id: an alarm naming the field that changed, with its value now and before', async () => {
    pep.nodes.get(NS.vcard4)?.payloads.set('current', vcard4Payload({ ...PROFILE, emails: ['someone@else.lit'] }));
    const findings = await findingsOf(NS.vcard4);
    expect(findings).toEqual([
      {
        code: 'items-replaced',
        severity: 'alarm',
        items: [expect.objectContaining({ itemId: 'current', fields: [{ field: 'emails', kind: 'changed', before: 'juliet@capulet.lit', after: 'someone@else.lit' }] })],
      },
    ]);
    const finding = findings?.[0];
    expect(finding && describeDriftFinding('vcard', finding)).toBe(
      'Your profile card was changed by another app or the server: E-mail addresses are now “someone@else.lit” (was “juliet@capulet.lit”).',
    );
  });

  it('a long card with a note set and a phone added by another app: both changes named, each value cut short, the unchanged long name not quoted', async () => {
    const longName = 'Juliet Capulet of the house of Capulet in fair Verona, where we lay our scene';
    await profiles.publish({ ...PROFILE, fullName: longName, note: 'Written here' }, { model: 'presence' });
    const note = `Note set by my phone app\n${'and then some more words '.repeat(6)}`;
    pep.nodes.get(NS.vcard4)?.payloads.set('current', vcard4Payload({ ...PROFILE, fullName: longName, phones: ['+39 045 555 0199'], note }));
    const finding = (await findingsOf(NS.vcard4))?.[0];
    const words = finding && describeDriftFinding('vcard', finding);
    expect(words).toBe(
      'Your profile card was changed by another app or the server: Phone numbers added: “+39 045 555 0199”; ' +
        'Note is now “Note set by my phone app and then some more words and then…” (was “Written here”).',
    );
    expect(words).not.toContain('Verona');
  });

  it('a record from before the published card was kept: the card is quoted whole, as before', async () => {
    const record = published.list(JULIET)[NS.vcard4];
    if (!record) throw new Error('the card was not recorded');
    await published.replace(JULIET, NS.vcard4, { ...record, items: record.items.map(({ payload: _xml, ...item }) => item) });
    pep.nodes.get(NS.vcard4)?.payloads.set('current', vcard4Payload({ ...PROFILE, emails: ['someone@else.lit'] }));
    const finding = (await findingsOf(NS.vcard4))?.[0];
    expect(finding && describeDriftFinding('vcard', finding)).toBe(
      'Your profile card was changed by another app or the server: it now says “Juliet Capulet, Jules, someone@else.lit”.',
    );
  });

  it('the nickname emptied, or made unreadable, under the same id: said so, not quoted as text', async () => {
    pep.nodes.get(NS.nick)?.payloads.set('current', nickPayload(''));
    const emptied = (await findingsOf(NS.nick))?.[0];
    expect(emptied && describeDriftFinding('nickname', emptied)).toBe('Your profile’s nickname was changed by another app or the server: it is now empty (was “Jules”).');
    pep.nodes.get(NS.nick)?.payloads.set('current', vcard4Payload(PROFILE));
    const unreadable = (await findingsOf(NS.nick))?.[0];
    expect(unreadable && describeDriftFinding('nickname', unreadable)).toBe(
      'Your profile’s nickname was changed by another app or the server: it now holds nothing your contacts can read.',
    );
  });

  it('a record from before the digest was kept is compared by item id alone, as before', async () => {
    const record = published.list(JULIET)[NS.nick];
    if (!record) throw new Error('the nickname was not recorded');
    await published.replace(JULIET, NS.nick, { ...record, items: record.items.map(({ content: _digest, ...item }) => item) });
    pep.nodes.get(NS.nick)?.payloads.set('current', nickPayload('Romeo'));
    expect(await findingsOf(NS.nick)).toEqual([]);
  });
});

describe('main’s field-by-field comparison of a replaced card (compare.ts replacedItems)', () => {
  const ours: Profile = { ...PROFILE, note: 'Written here', organisation: 'Capulet & Co' };
  const digest = (profile: Profile) => profileContent(NS.vcard4, asItem({ id: 'current', payload: vcard4Payload(profile) }))?.digest ?? '';
  const held = (profile: Profile) => state({ node: NS.vcard4, items: { status: 'listed', ids: ['current'], payloads: new Map([['current', vcard4Payload(profile)]]) } });
  const recorded = { node: NS.vcard4, itemIds: ['current'], contents: { current: digest(ours) }, published: { current: vcard4Payload(ours) } };

  it('names each field that differs from the card the app published, in the editor’s order, with both values; the untouched ones not', () => {
    const theirs: Profile = { ...ours, phones: ['+39 045 555 0199'], note: 'Note set by my phone app', organisation: undefined };
    expect(replacedItems(recorded, held(theirs))).toEqual([
      expect.objectContaining({
        itemId: 'current',
        fields: [
          { field: 'phones', kind: 'added', before: '', after: '+39 045 555 0199' },
          { field: 'organisation', kind: 'removed', before: 'Capulet & Co', after: '' },
          { field: 'note', kind: 'changed', before: 'Written here', after: 'Note set by my phone app' },
        ],
      }),
    ]);
  });

  it('the server’s text is cleaned and each value cut with an ellipsis', () => {
    const theirs: Profile = { ...ours, note: `Bidi\u202e and\u0007 ${'x'.repeat(200)}` };
    const fields = replacedItems(recorded, held(theirs))[0]?.fields;
    expect(fields).toHaveLength(1);
    const after = fields?.[0]?.after ?? '';
    expect(after.length).toBeLessThanOrEqual(60);
    expect(after.endsWith('…')).toBe(true);
    expect(after).not.toContain('\u202e');
    expect(after).not.toContain('\u0007');
  });

  it('without the card the app published (an older record): no fields, so the words quote the card whole', () => {
    const { published: _xml, ...older } = recorded;
    const [item] = replacedItems(older, held({ ...ours, note: 'Note set by my phone app' }));
    expect(item).toBeDefined();
    expect(item?.fields).toBeUndefined();
  });
});
