/**
 * The user's public profile, stored the XEP-0222 way like the keys (persistent items, never pushed at
 * login, the access the user picks, through the same negotiation in persistent-node.ts), in the formats
 * other clients read: XEP-0292 vCard4, XEP-0172 nickname, XEP-0084 avatar. Contacts' profiles are read
 * in those three and in XEP-0154 (XEP-0222's profile example), fetched on demand and received live from PEP
 * notifications (the nodes are in NOTIFY_NODES, so our caps carry +notify for them), a burst of them
 * folded per contact and node (PROFILE_FOLLOW_UP). Everything a contact publishes is untrusted and goes
 * through the readers in main/profile/.
 */
import type { Element } from '@xmpp/xml';
import type {
  AccessRequest,
  AvatarInfoView,
  AvatarPublishResult,
  AvatarView,
  ContactProfileView,
  EffectiveNodeConfig,
  OwnProfileView,
  Profile,
  ProfilePart,
  ProfileSourceView,
} from '../../contract/index.js';
import { PROFILE_LIMITS } from '../../contract/limits.js';
import { newPhoneProblems } from '../../contract/phone.js';
import { BoundedMap } from '../bounded-map.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import type { AppEvents } from '../events.js';
import type { Logger } from '../logger.js';
import { inBackground } from './background.js';
import { Coalescer, type FollowUpTiming } from './coalesce.js';
import { ListenedContacts } from './listened-contacts.js';
import type { AvatarCrop, PreparedAvatar } from '../profile/avatar-image.js';
import { prepareAvatarOffThread } from '../profile/avatar-off-thread.js';
import {
  avatarDataPayload,
  avatarId,
  avatarMetadataPayload,
  readAvatarDataItem,
  readAvatarMetadataItem,
} from '../profile/avatar.js';
import type { ImageType } from '../profile/image-header.js';
import { NICK_ITEM_ID, nickPayload, readNickItem } from '../profile/nickname.js';
import { profileContent, asItem, parsePayload } from '../profile/profile-content.js';
import { verifyPublishedProfileItem } from '../drift/profile-read-back.js';
import { withReadBack } from '../drift/read-back.js';
import { cleanText, oneLine } from '../untrusted-text.js';
import { ownText } from '../../contract/own-text.js';
import { editableProfile, mergeProfileEdits } from '../profile/field-edits.js';
import { readVcard4Item, VCARD_ITEM_ID } from '../profile/vcard4.js';
import { vcard4OtherDetails, vcard4PayloadKeeping } from '../profile/vcard4-kept.js';
import { mergeFields, readXep0154Item, xep0154ToProfile, type Xep0154Field } from '../profile/xep0154.js';
import { fetchItem, fetchItems, type FetchOutcome } from '../xmpp/fetch-items.js';
import { NS } from '../xmpp/namespaces.js';
import type { PepNotification } from '../xmpp/pep-events.js';
import { ensurePersistentNode, publishToEnsured, readEffectiveConfig, readNodeConfig } from '../xmpp/persistent-node.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { contactBareJid } from '../xmpp/contact-jid.js';
import { noteAccessAsked } from './access-note.js';
import { configAudience } from './own-keys.js';
import type { PublishedNodesStore } from '../vault/stores/published-nodes-store.js';
import type { ContactProfilesStore, StoredAvatar } from '../vault/stores/contact-profiles-store.js';
import type { OwnProfileStore } from '../vault/stores/own-profile-store.js';
import type { ContactProfileRecord, OwnProfileRecord } from '../vault/schema.js';
import { KeyringError } from '../errors.js';
import { recordAfterServer } from '../vault/disk-trouble.js';
import { accountMarkNow, forWrite, isAccountNow, markedIq, requireMarked, signedOutMeanwhile, stillMarked, type AccountMark } from './session-mark.js';
import type { SessionPort } from './session-port.js';

/** The nodes read for a profile, in the order their sources are listed. */
export const PROFILE_NODES = [NS.vcard4, NS.nick, NS.avatarMetadata, NS.profile] as const;
/** The part of a contact's profile view each node gives (contract ProfilePart). */
const PART_OF_NODE: ReadonlyMap<string, ProfilePart> = new Map([
  [NS.vcard4, 'vcard'],
  [NS.nick, 'nickname'],
  [NS.avatarMetadata, 'avatar'],
  [NS.profile, 'xep0154'],
]);
/** Every profile node is a singleton (one vCard, one nickname, one current avatar). */
export const PROFILE_NODE_MAX_ITEMS = 1;
/** Items of one contact's node looked at (a singleton node should have one). */
const MAX_ITEMS_READ = 8;
/**
 * The contact profile cache is bounded by bytes, 32 MiB in all, whatever the number of contacts or what
 * they publish, evicting the least recently used: the avatars' bytes (each at most
 * PROFILE_LIMITS.contactAvatarBytes) take AVATAR_CACHE_BYTES, and the last profile of each contact (kept
 * to merge notifications into, without its avatar's bytes, which live only in the avatar cache) takes
 * KNOWN_PROFILES_BYTES. A contact whose entry was dropped is simply read again when next needed.
 */
export const PROFILE_CACHE_BYTES = 32 * 1024 * 1024;
const AVATAR_CACHE_BYTES = 24 * 1024 * 1024;
const KNOWN_PROFILES_BYTES = PROFILE_CACHE_BYTES - AVATAR_CACHE_BYTES;

/**
 * When a contact's profile notifications are handled (coalesce.ts), for each contact and node: the first
 * at once, so a real change shows at once; while more keep coming they fold into one, handled at least
 * 1 s after the last, then 2 s, 4 s… up to a minute apart, and the last always is. Each one handled may
 * send a whole picture (up to 1 MiB, as base64) to every window and write the vault, while a message
 * naming another avatar is a few hundred bytes: a contact flipping between two pictures costs a few
 * pictures a minute, not one per message.
 */
export const PROFILE_FOLLOW_UP: FollowUpTiming = { spacingMs: 1000, maxSpacingMs: 60_000, calmMs: 60_000 };

type AvatarBytes = { bytes: Buffer; type: ImageType };

/** A contact's notification waiting for its node's turn: the last of a burst, and what it stands for. */
interface Waiting {
  notification: PepNotification;
  /**
   * The burst it ends held more than this notification says: a retract, or a notification without
   * payload, after others. The node is read again: what it holds then is what the burst left.
   */
  readAgain: boolean;
  /** The account it came to: another signed in meanwhile, it is not that one's to show or keep. */
  account: string | undefined;
}

/** By node: the id of the item its part of the view was read from (XEP-0060 ItemID). */
type ShownItems = Partial<Record<string, string>>;

/** What main keeps of a contact: the last view (without avatar bytes) and the items it shows. */
interface Known {
  view: ContactProfileView;
  items: ShownItems;
}

/** The avatar exactly as setAvatar would publish it, for the user to see first. */
export interface PreviewedAvatar extends PreparedAvatar {
  /** SHA-1 of the PNG: the item id it would be published under (XEP-0084 §4.2.1). */
  id: string;
}

export interface ProfileServiceDeps {
  session: SessionPort;
  events: AppEvents;
  log: Logger;
  /** Where what the app published is recorded for drift watch (docs/drift.md); the app always gives it, a test of reading alone need not. */
  published?: PublishedNodesStore;
  /** The vault's copy of the own profile, for the editor offline; without it nothing is kept. */
  ownProfile?: OwnProfileStore;
  /** Contacts' profiles and avatars kept in the vault (bounded), shown offline; without it nothing is kept. */
  contactProfiles?: ContactProfilesStore;
  /**
   * Whether a bare JID is in the account's roster (RosterService.has, wired in main/core.ts): only its
   * contacts' notifications, and those of addresses the user opened, are acted on.
   */
  isKnownContact: (bareJid: string) => Promise<boolean> | boolean;
  /** How soon a contact's folded notifications are handled (PROFILE_FOLLOW_UP; tests shorten it). */
  followUp?: Partial<FollowUpTiming>;
}

export class ProfileService {
  readonly #deps: ProfileServiceDeps;
  /** Each contact's last profile, without avatar bytes, and the items it was read from. */
  readonly #known = new BoundedMap<string, Known>(KNOWN_PROFILES_BYTES, estimatedBytes);
  /** XEP-0084 §3.4: an avatar already held (by its SHA-1 id) is not fetched again. */
  readonly #avatars = new BoundedMap<string, AvatarBytes>(AVATAR_CACHE_BYTES, (avatar) => avatar.bytes.length);

  /** Roster contacts and the addresses the user opened: anyone else's notifications are ignored. */
  readonly #listened: ListenedContacts;
  /** By contact and node: the notification a burst folded into, until its turn comes. */
  readonly #waiting = new Map<string, Waiting>();
  /** By contact and node: whose notification is handled when (PROFILE_FOLLOW_UP). */
  readonly #turns: Coalescer<void>;

  constructor(deps: ProfileServiceDeps) {
    this.#deps = deps;
    this.#listened = new ListenedContacts({ isKnownContact: deps.isKnownContact, account: () => deps.session.state.account, log: deps.log, what: 'profile notifications' });
    this.#turns = new Coalescer((key) => this.#takeTurn(key), { ...PROFILE_FOLLOW_UP, ...deps.followUp });
  }

  /** A PEP notification for one of PROFILE_NODES; the core routes it here. */
  onNotification(n: PepNotification): void {
    inBackground(this.#deps.log, `profile notification from ${oneLine(n.from)}`, this.#onNotification(n));
  }

  /**
   * Refuses a phone number that is none (contract/phone.ts newPhoneProblems: the sentence names it and
   * why); a line the account's vCard already holds (as last read or published) passes as it is. The
   * caller checks before publishing or queueing, so a queued publish cannot fail for it later.
   */
  checkPhones(profile: Pick<Profile, 'phones'>): void {
    const account = this.#deps.session.state.account;
    const held = account === undefined ? undefined : this.#deps.ownProfile?.get(account)?.vcard?.phones;
    const [problem] = newPhoneProblems(profile.phones, held);
    if (problem !== undefined) throw new KeyringError('invalid-argument', problem, 'phones');
  }

  /**
   * Publishes the vCard4 (XEP-0292 §4.1.2: the whole vCard) and, when there is one, the nickname
   * (XEP-0172 §4.3), each to a persistent node with the access asked; returns their configurations as
   * read back from the server. A nickname left empty while the nickname node holds one, whoever published
   * it (this app, or another app of the user's that this one never read), is withdrawn from that node
   * too: contacts read it there as well as in the vCard.
   */
  async publish(profile: Profile, access: AccessRequest, options: PublishOptions = {}): Promise<PublishedProfile> {
    const job = profileJob(accountMarkNow(this.#deps.session), 'publishing your profile');
    return this.#saidAsSwitch(job, this.#publish(job, profile, access, options));
  }

  /** publish, for `job`'s account (over a reconnect of it too, never over another account's connection). */
  async #publish(job: ProfileJob, edited: Profile, access: AccessRequest, options: PublishOptions): Promise<PublishedProfile> {
    const owner = job.account;
    await this.#deps.session.requireXep0222Support();
    // That answer was the live connection's: another account's server's, if one signed in meanwhile.
    this.#requireStill(job);
    const ctx = this.#ctx(job);
    // XEP-0292 §4.1.2 publishes the whole vCard: a window's form, sent whole, would put back every field
    // another app of the account changed since the window read it. Given what the person edited from,
    // only their changes go onto what the server holds now (read here, just before publishing).
    const { profile, held } = await this.#ontoServer(ctx, options.base, edited);
    const spec = (node: string) => ({ node, access, maxItems: PROFILE_NODE_MAX_ITEMS, reconfigure: options.reconfigure ?? false });
    // Onto the vCard held now: what the form does not edit goes back as it is (vcard4-kept.ts).
    const vcardItem = { id: VCARD_ITEM_ID, payload: vcard4PayloadKeeping(profile, held) };
    const nickname = ownText(profile.nickname, PROFILE_LIMITS.fieldChars);
    const withdrawNickname = nickname === undefined && (await this.#holdsNickname(ctx));
    // XEP-0172 names no way to remove a nickname; PEP's convention (XEP-0084 §3.5's empty <metadata/>,
    // XEP-0163) is an empty payload, which readers take as none. Not a retract: ejabberd before 24.12
    // tells contacts nothing of one (notification-behaviour.ts), so their card would keep the old name.
    const nickItem = nickname !== undefined || withdrawNickname ? { id: NICK_ITEM_ID, payload: nickPayload(nickname ?? '') } : undefined;
    // Noted before anything goes to the server, even before the nodes are made ready (which may change
    // a node's access, with consent): a full disk then refuses the change whole, and one that fills
    // after leaves drift watch knowing these items for the app's own (schema.ts `publishing`).
    await this.#notePublishing(owner, NS.vcard4, vcardItem);
    if (nickItem !== undefined) await this.#notePublishing(owner, NS.nick, nickItem);
    // The access too, where it changes: the same for a change of audience (PublishedNodesStore.noteAccess),
    // taken back for each node whose audience the server was not asked to change before a failure
    // (a change turned down at the consent check: access-note.ts).
    // The avatar goes to the people who read the profile (the avatar dialog says so): a change of the
    // profile's audience, confirmed (reconfigure), is a change of the avatar's too, or narrowing the profile
    // would leave those it drops reading the picture. Only nodes that exist (none is made for an avatar
    // never published), whatever they hold: a picture published later goes to the people chosen now.
    // Without that confirmation the avatar's nodes are not touched at all. (Read before anything is noted:
    // reading changes nothing.)
    const avatarNodes = options.reconfigure === true ? await this.#existingAvatarNodes(ctx) : [];
    const note = await noteAccessAsked(this.#deps.published, owner, [NS.vcard4, ...(nickItem !== undefined ? [NS.nick] : []), ...avatarNodes], access);
    const ensure = (node: string) => ensurePersistentNode(ctx, { ...spec(node), onAccessChange: note.touching(node) });
    const { vcardNode, nickNode, avatarConfigs } = await note.guard(async () => {
      // Both nodes are made ready (made, configured, their audience checked) before either item goes out:
      // a nickname node another app made for another audience refuses the whole publish, not its second
      // half after the new vCard is out.
      const ready = { vcardNode: await ensure(NS.vcard4), nickNode: nickItem === undefined ? undefined : await ensure(NS.nick), avatarConfigs: [] as EffectiveNodeConfig[] };
      // The avatar's nodes too, before anything is published: ensurePersistentNode reads their access and
      // affiliations back and refuses while anyone outside the new audience could still read them.
      for (const node of avatarNodes) ready.avatarConfigs.push((await ensure(node)).config);
      return ready;
    });
    await recordAfterServer(
      async () => {
        for (const config of avatarConfigs) await this.#deps.published?.recordAccess(owner, config.node, { access, config });
      },
      {
        done: 'Who may read your avatar was changed on your server',
        next: 'Your profile was not published yet. Free some space, then publish your profile again.',
      },
    );
    const vcard = await publishToEnsured(ctx, spec(NS.vcard4), vcardItem, vcardNode);
    const vcardBack = await verifyPublishedProfileItem(ctx, NS.vcard4, vcardItem);
    await recordAfterServer(() => this.#record(owner, NS.vcard4, access, vcard.config, vcardItem), {
      done: 'Your profile’s card was published on your server',
      next: `${nickItem !== undefined ? 'Its nickname was not. ' : ''}Free some space, then publish your profile again: the app then records it.`,
    });
    const configs = [withReadBack(vcard.config, vcardItem.id, vcardBack)];
    if (nickItem !== undefined && nickNode !== undefined) {
      let nickOut = false;
      try {
        const nick = await publishToEnsured(ctx, spec(NS.nick), nickItem, nickNode);
        nickOut = true;
        const nickBack = await verifyPublishedProfileItem(ctx, NS.nick, nickItem);
        await recordAfterServer(() => this.#record(owner, NS.nick, access, nick.config, nickItem), {
          done: 'Your profile was published on your server',
          next: 'Free some space, then publish it again: the app then records it.',
        });
        configs.push(withReadBack(nick.config, nickItem.id, nickBack));
      } catch (error) {
        // The new vCard is out and recorded by now (the connection dropped, the server refused): "failed"
        // alone would hide that contacts already read it. Said, and kept as published. A nickname read
        // back otherwise keeps its own words (read-back-mismatch names what the server holds instead),
        // and so does one out whose record a full disk refused (recordAfterServer said it).
        await this.#keepOwn(owner, (stored) => ({ ...stored, vcard: profile }));
        const ownWords = error instanceof KeyringError && (error.code === 'read-back-mismatch' || (nickOut && error.code === 'storage-failed'));
        throw ownWords ? error : nicknameNotPublished(error);
      }
    }
    await this.#keepOwn(owner, ({ nickname: _before, ...stored }) => ({ ...stored, vcard: profile, ...(nickname !== undefined ? { nickname } : {}) }));
    return { configs: [...configs, ...avatarConfigs], profile };
  }

  /**
   * The profile to publish and the vCard it goes onto, read from the server here, just before publishing,
   * not taken from when the form loaded: a copy read then would put back what another app of the account
   * changed since, its birthday as much as its note. Given `base`, `edited`'s changes from it go onto the
   * profile the server holds now (field-edits.ts mergeProfileEdits), refused, with nothing published, when
   * another app changed a field the person changed too; without it the profile goes as it is (the CLI's
   * --replace), still onto what the server holds of the rest. A vCard the server will not give back
   * (ejabberd 23.01 hides a roster-access node's items from their owner, docs/servers.md) leaves nothing
   * newer to merge onto: the window's profile goes as it is, as it always did (the editor asked before
   * replacing a profile it could not read), onto the vCard this app last published there (its record for
   * drift watch), which held what it kept then.
   */
  async #ontoServer(ctx: { iq: SessionPort['iq']; owner: string }, base: Profile | undefined, edited: Profile): Promise<{ profile: Profile; held: Element | undefined }> {
    const [vcard, nick] = await Promise.all([fetchItems(ctx.iq, ctx.owner, NS.vcard4), base === undefined ? undefined : fetchItems(ctx.iq, ctx.owner, NS.nick)]);
    const held = this.#heldVcard(ctx.owner, vcard);
    if (base === undefined || nick === undefined) return { profile: edited, held };
    const view: ContactProfileView = { jid: ctx.owner, origin: 'fetch', updated: [], sources: [] };
    await this.#apply(view, NS.vcard4, vcard, { avatarData: false });
    await this.#apply(view, NS.nick, nick, { avatarData: false });
    // A nickname node that would not answer: nothing newer is known of it than what the window showed.
    const nickSource = view.sources.find((s) => s.node === NS.nick)?.status;
    if (nickSource !== 'ok' && nickSource !== 'none' && base.nickname !== undefined) view.nickname = base.nickname;
    const current = editableProfile(view);
    if ('problem' in current) return { profile: edited, held };
    const merged = mergeProfileEdits(base, edited, current);
    if ('profile' in merged) return { profile: merged.profile, held };
    const fields = listWords(merged.conflicts);
    throw new KeyringError(
      'changed-elsewhere',
      `Another app of your account changed your ${fields} on your server while you were editing, and you changed ${merged.conflicts.length === 1 ? 'it' : 'them'} too. Nothing was published.`,
      'profile',
      { nextStep: 'The form now shows what your server holds beside your changes. Look at them, then publish again to replace it with yours, or change the field back.' },
    );
  }

  /**
   * The <vcard/> the account's node holds, as read (the item the profile readers read); none when the
   * node has none. When the server refuses the owner her own card (ejabberd 23.01 under roster access,
   * docs/servers.md), the one this app last published there, as recorded: the server shows that card to
   * none of her apps, so no fresher copy can be had, now or later. A read that failed otherwise (no answer in
   * time, a server error) says nothing of what the card holds now: publishing onto the recorded copy
   * would put back what another app changed since, so nothing is published.
   */
  #heldVcard(owner: string, outcome: FetchOutcome): Element | undefined {
    if (outcome.status === 'ok') return outcome.items.slice(0, MAX_ITEMS_READ).find((item) => 'profile' in readVcard4Item(item))?.payload;
    if (outcome.status === 'none') return undefined;
    if (outcome.status !== 'refused') {
      throw new KeyringError(
        outcome.status === 'unreachable' ? 'timeout' : 'protocol-error',
        `Your server did not show your profile card just before publishing (${outcome.detail}), so the app cannot keep what other apps put in it. Nothing was published.`,
        undefined,
        { nextStep: 'Publish again in a moment.' },
      );
    }
    const recorded = this.#deps.published?.list(owner)[NS.vcard4]?.items.at(-1)?.payload;
    return recorded === undefined ? undefined : parsePayload(recorded);
  }

  /** The avatar's nodes (XEP-0084 data, then metadata) that exist on the account's server now. */
  async #existingAvatarNodes(ctx: { iq: SessionPort['iq']; owner: string }): Promise<string[]> {
    const nodes = [NS.avatarData, NS.avatarMetadata];
    const forms = await Promise.all(nodes.map((node) => readNodeConfig(ctx, node)));
    return nodes.filter((_, i) => forms[i] !== undefined);
  }

  /**
   * Whether the account's nickname node holds a nickname now, as its server says (not the vault's copy,
   * which knows only what this app read or published). When the server will not say (ejabberd 23.01
   * refuses the owner her own items on a roster-access node, docs/servers.md), it may: withdrawing costs
   * one empty publish, leaving it would leave a name the user cleared. An item that is no readable
   * <nick/> counts too: contacts would still see something there.
   */
  async #holdsNickname(ctx: { iq: SessionPort['iq']; owner: string }): Promise<boolean> {
    const outcome = await fetchItems(ctx.iq, ctx.owner, NS.nick);
    if (outcome.status === 'none') return false;
    if (outcome.status !== 'ok') return true;
    return outcome.items.some((item) => {
      const read = readNickItem(item);
      return 'problem' in read || read.nickname !== undefined;
    });
  }

  /**
   * Records a publish for drift watch, with the item's XML so that Restore can publish it again, and the
   * digest of what it says (profile-content.ts), which drift compares the item with. Not for the avatar's
   * data: drift lists that node's items by id only (each up to 256 KiB), and its metadata's <info/>
   * names the image's SHA-1, which the metadata's digest covers.
   */
  async #record(owner: string, node: string, access: AccessRequest, config: EffectiveNodeConfig, item: { id: string; payload: Element }): Promise<void> {
    const content = node === NS.avatarData ? undefined : profileContent(node, asItem(item))?.digest;
    const recorded = { id: item.id, payload: item.payload.toString(), ...(content !== undefined ? { content } : {}) };
    await this.#deps.published?.recordPublish(owner, node, { access, maxItems: PROFILE_NODE_MAX_ITEMS, config, item: recorded });
  }

  /**
   * Notes a profile item about to go out (PublishedNodesStore.notePublishing), by the digest drift
   * compares. The avatar's data item too: drift takes it by its id (the image's SHA-1) where it lists
   * that node by id, and by this digest where it read it whole.
   */
  async #notePublishing(owner: string, node: string, item: { id: string; payload: Element }): Promise<void> {
    const content = profileContent(node, asItem(item))?.digest;
    if (content !== undefined) await this.#deps.published?.notePublishing(owner, node, { id: item.id, content });
  }

  /**
   * The PNG setAvatar would publish for this picture and crop (the centre square when none), without
   * publishing anything: the same bytes, so the same SHA-1 id. Needs no connection.
   */
  async previewAvatar(image: Uint8Array, crop?: AvatarCrop): Promise<PreviewedAvatar> {
    const prepared = await prepareAvatarOffThread(image, crop === undefined ? {} : { crop });
    return { ...prepared, id: avatarId(prepared.png) };
  }

  /**
   * XEP-0084: the picture made into a square PNG avatar on a worker thread (avatar-image.ts), published
   * to the data node first and then announced on the metadata node (§3.1, §3.2), both with item id =
   * SHA-1 of the PNG.
   */
  async setAvatar(
    image: Uint8Array,
    access: AccessRequest,
    options: { reconfigure?: boolean; crop?: AvatarCrop } = {},
  ): Promise<AvatarPublishResult> {
    // Whose avatar it is, read before the picture is prepared (that takes a while on its thread).
    const job = profileJob(accountMarkNow(this.#deps.session), 'publishing your avatar');
    return this.#saidAsSwitch(job, this.#setAvatar(job, image, access, options));
  }

  /** setAvatar, for `job`'s account (over a reconnect of it too, never over another account's connection). */
  async #setAvatar(job: ProfileJob, image: Uint8Array, access: AccessRequest, options: { reconfigure?: boolean; crop?: AvatarCrop }): Promise<AvatarPublishResult> {
    const owner = job.account;
    const prepared = await prepareAvatarOffThread(image, options.crop === undefined ? {} : { crop: options.crop });
    await this.#deps.session.requireXep0222Support();
    this.#requireStill(job);
    const ctx = this.#ctx(job);
    const spec = (node: string) => ({ node, access, maxItems: PROFILE_NODE_MAX_ITEMS, reconfigure: options.reconfigure ?? false });
    const id = avatarId(prepared.png);
    const info = { id, type: 'image/png' as const, bytes: prepared.png.length, width: prepared.width, height: prepared.height };
    const dataItem = { id, payload: avatarDataPayload(prepared.png) };
    const metadataItem = { id, payload: avatarMetadataPayload(info) };
    // Noted before anything goes to the server, even before the nodes are made ready (which may change
    // a node's access, with consent): a full disk then refuses the change whole, and one that fills after
    // leaves drift watch knowing these items for the app's own (schema.ts `publishing`). A new avatar has
    // a new id, so on a server keeping one item it also pushes the recorded one out (compare.ts).
    await this.#notePublishing(owner, NS.avatarData, dataItem);
    await this.#notePublishing(owner, NS.avatarMetadata, metadataItem);
    // The access too, where it changes: the same for a change of audience (PublishedNodesStore.noteAccess),
    // taken back where the server was not asked to change it before a failure (access-note.ts).
    const note = await noteAccessAsked(this.#deps.published, owner, [NS.avatarData, NS.avatarMetadata], access);
    // Both nodes are made ready before either item goes out: a metadata node another app made for
    // another audience refuses the whole change, not its second half after the picture is out.
    const ensure = (node: string) => ensurePersistentNode(ctx, { ...spec(node), onAccessChange: note.touching(node) });
    const [dataNode, metadataNode] = await note.guard(async () => [await ensure(NS.avatarData), await ensure(NS.avatarMetadata)] as const);
    const data = await publishToEnsured(ctx, spec(NS.avatarData), dataItem, dataNode);
    const dataBack = await verifyPublishedProfileItem(ctx, NS.avatarData, dataItem);
    // XEP-0084 §3.2: contacts learn of a new picture from the metadata alone, which has not gone out yet.
    await recordAfterServer(() => this.#record(owner, NS.avatarData, access, data.config, dataItem), {
      done: 'Your new avatar’s picture was put on your server',
      // The data node keeps one item (PROFILE_NODE_MAX_ITEMS): the old picture's data is gone, while the
      // metadata still names it, so a contact who had not kept it sees none.
      next: 'It was not announced yet: your contacts are still told of your old picture, which it replaced on the server, so those who had not kept a copy see no avatar. Free some space, then publish your avatar again.',
    });
    const metadata = await publishToEnsured(ctx, spec(NS.avatarMetadata), metadataItem, metadataNode);
    const metadataBack = await verifyPublishedProfileItem(ctx, NS.avatarMetadata, metadataItem);
    await recordAfterServer(() => this.#record(owner, NS.avatarMetadata, access, metadata.config, metadataItem), {
      done: 'Your new avatar was published on your server',
      next: 'Free some space, then publish it again: the app then records it.',
    });
    this.#cacheAvatar(id, { bytes: prepared.png, type: 'image/png' });
    await this.#keepOwn(owner, (stored) => ({ ...stored, avatar: { info, dataBase64: prepared.png.toString('base64') } }));
    return { info, configs: [withReadBack(data.config, dataItem.id, dataBack), withReadBack(metadata.config, metadataItem.id, metadataBack)] };
  }

  /** The job's account's PEP service, asked only while that account is signed in (session-mark.ts). */
  #ctx(job: ProfileJob): { iq: SessionPort['iq']; owner: string } {
    return { iq: markedIq(this.#deps.session, job, () => signedOutWords(job)), owner: job.account };
  }

  #requireStill(job: ProfileJob): void {
    requireMarked(this.#deps.session, job, () => signedOutWords(job));
  }

  /**
   * A publish that failed once its account was signed out is said as that, not as what the protocol
   * layer made of its next request refused ("Could not read the settings of …"), nor as a refusal by the
   * server of the account signed in since. Words that say what is out already are kept: a vCard
   * published whose nickname was not (partly-published), a record a full disk refused (storage-failed).
   */
  async #saidAsSwitch<T>(job: ProfileJob, work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      if (stillMarked(this.#deps.session, job) || (error instanceof KeyringError && (error.code === 'partly-published' || error.code === 'storage-failed'))) throw error;
      throw signedOutMeanwhile(signedOutWords(job), error);
    }
  }

  /**
   * The account's own profile as its server holds it, with each existing node's configuration; offline,
   * the vault's copy (marked with `storedAt`), so the editor never starts blank over a published profile.
   */
  async own(): Promise<OwnProfileView> {
    const state = this.#deps.session.state;
    if (state.status !== 'online') return this.#storedOwn(state.account);
    const owner = this.#deps.session.ownJid;
    const ctx = { iq: this.#deps.session.iq, owner };
    const [view, configs] = await Promise.all([
      // Read as the user's own text (contract/own-text.ts): what she published reads back as she typed it,
      // so the form does not lose a Persian name's ZWNJ or an RTL name's marks, and the next publish with it.
      this.#read(owner, { avatarData: true, own: true, ownDetails: true }).then((read) => read.view),
      Promise.all([NS.vcard4, NS.nick, NS.avatarData, NS.avatarMetadata].map((node) => readEffectiveConfig(ctx, node, PROFILE_NODE_MAX_ITEMS))),
    ]);
    // Each node the server answered for replaces its part of the copy; one it refused or failed keeps it.
    const answered = (node: string) => ['ok', 'none'].includes(view.sources.find((s) => s.node === node)?.status ?? 'none');
    await this.#keepOwn(owner, (stored) => ({
      ...(answered(NS.vcard4) ? (view.vcard ? { vcard: view.vcard } : {}) : stored.vcard ? { vcard: stored.vcard } : {}),
      ...(answered(NS.nick) ? (view.nickname !== undefined ? { nickname: view.nickname } : {}) : stored.nickname !== undefined ? { nickname: stored.nickname } : {}),
      ...(answered(NS.avatarMetadata)
        ? view.avatar
          ? { avatar: { info: view.avatar.info, ...(view.avatar.dataBase64 ? { dataBase64: view.avatar.dataBase64 } : {}) } }
          : {}
        : stored.avatar
          ? { avatar: stored.avatar }
          : {}),
    }));
    const own: OwnProfileView = { ...view, configs: configs.filter((c): c is EffectiveNodeConfig => c !== undefined) };
    const card = own.configs.find((c) => c.node === NS.vcard4);
    const access = card === undefined ? undefined : configAudience(card);
    if (access !== undefined) own.audience = { access, source: 'server' };
    // Measured: ejabberd 23.01 refuses the owner's own items on a roster-access node (docs/servers.md);
    // the parts it would not give back come from the copy, so the editor does not start blank over them.
    const stored = this.#deps.ownProfile?.get(owner);
    if (stored !== undefined && (!answered(NS.vcard4) || !answered(NS.nick) || !answered(NS.avatarMetadata))) {
      if (!answered(NS.vcard4) && stored.vcard) own.vcard = { ...stored.vcard };
      if (!answered(NS.nick) && stored.nickname !== undefined) own.nickname = stored.nickname;
      if (!answered(NS.avatarMetadata) && stored.avatar) own.avatar = { info: { ...stored.avatar.info }, ...(stored.avatar.dataBase64 ? { dataBase64: stored.avatar.dataBase64 } : {}) };
      own.storedAt = stored.storedAt;
    }
    return own;
  }

  #storedOwn(account: string | undefined): OwnProfileView {
    const stored = account === undefined ? undefined : this.#deps.ownProfile?.get(account);
    if (account === undefined || stored === undefined) {
      throw new KeyringError('not-connected', 'Connect to read your profile from your server; no copy of it is kept on this computer yet.');
    }
    const view: OwnProfileView = { jid: account, origin: 'fetch', updated: [], sources: [], configs: [], storedAt: stored.storedAt };
    if (stored.vcard) view.vcard = { ...stored.vcard };
    if (stored.nickname !== undefined) view.nickname = stored.nickname;
    if (stored.avatar) view.avatar = { info: { ...stored.avatar.info }, ...(stored.avatar.dataBase64 ? { dataBase64: stored.avatar.dataBase64 } : {}) };
    // Offline, the audience this app last recorded for the card (published, or found at sign-in).
    const recorded = this.#deps.published?.list(account)[NS.vcard4]?.access;
    if (recorded !== undefined) view.audience = { access: structuredClone(recorded), source: 'saved' };
    return view;
  }

  /** Updates the vault's copy of the own profile; a vault that cannot be written costs the copy, not the publish. */
  async #keepOwn(owner: string, change: (stored: Omit<OwnProfileRecord, 'storedAt'>) => Omit<OwnProfileRecord, 'storedAt'>): Promise<void> {
    await this.#deps.ownProfile
      ?.update(owner, (stored) => {
        const { storedAt: _old, ...fields } = stored ?? { storedAt: '' };
        return { ...change(fields), storedAt: new Date().toISOString() };
      })
      .catch((error: unknown) => this.#deps.log.warn(`could not keep a copy of the profile in the vault: ${String(error)}`));
  }

  /**
   * Fetches a contact's profile nodes now; each may be missing or refused on its own. The view is the
   * answer, not an event (events carry notifications).
   */
  async fetch(contact: string, options: { avatarData?: boolean } = {}): Promise<ContactProfileView> {
    const jid = contactBareJid(contact);
    this.#listened.lookedUp(jid);
    if (this.#deps.session.state.status !== 'online') return this.#storedContact(jid);
    const { view, items } = await this.#read(jid, { avatarData: options.avatarData ?? true });
    this.#remember(view, items);
    return this.#withKeptParts(view);
  }

  /**
   * The picture of the contact's avatar `id`, for a screen that dropped it. When the profile kept here
   * names that avatar, only its data is read: from the avatar cache, else the one item of the data node
   * (XEP-0084 §4.2.1, by id), and the answer refreshes the avatar part alone. Otherwise (another avatar
   * now, the contact's profile no longer kept, offline) it is the whole fetch.
   */
  async fetchAvatar(contact: string, id: string): Promise<ContactProfileView> {
    const jid = contactBareJid(contact);
    const known = this.#known.get(jid);
    if (this.#deps.session.state.status !== 'online' || known?.view.avatar?.info.id !== id) return this.fetch(jid);
    const avatar = await this.#avatar(jid, known.view.avatar.info, { avatarData: true });
    const answer: ContactProfileView = { ...known.view, origin: 'fetch', updated: [NS.avatarData], refreshed: ['avatar'], avatar };
    // While the data was read, a notification may have brought another avatar (or another nickname): the
    // answer goes onto what main knows now, and only while that is still this avatar. An older picture
    // landing late must not put the avatar it belongs to back (the screens drop such an answer too).
    const now = this.#known.get(jid);
    if (now?.view.avatar?.info.id === id) this.#remember({ ...now.view, avatar }, now.items);
    return answer;
  }

  /** Offline: the vault's copy of the contact's profile, with when it was read. */
  #storedContact(contact: string): ContactProfileView {
    const account = this.#deps.session.state.account;
    const kept = account === undefined ? undefined : this.#deps.contactProfiles?.get(account, contact);
    if (kept === undefined) {
      throw new KeyringError('not-connected', 'Connect to read this contact’s profile; none is kept on this computer yet.');
    }
    const view: ContactProfileView = { jid: contact, origin: 'fetch', updated: [], sources: [], storedAt: kept.profile.storedAt };
    fillFromKept(view, kept.profile, kept.avatar, PROFILE_NODES);
    return view;
  }

  /** The parts a contact's server could not give now (unreachable, failed) from the vault's copy, marked so. */
  #withKeptParts(view: ContactProfileView): ContactProfileView {
    const missing = view.sources.filter((s) => s.status === 'unreachable' || s.status === 'failed').map((s) => s.node);
    const account = this.#deps.session.state.account;
    const kept = missing.length === 0 || account === undefined ? undefined : this.#deps.contactProfiles?.get(account, view.jid);
    if (kept === undefined) return view;
    const filled: ContactProfileView = { ...view, storedAt: kept.profile.storedAt };
    fillFromKept(filled, kept.profile, kept.avatar, missing);
    return filled;
  }

  /** Bytes the contact profile cache holds now (at most PROFILE_CACHE_BYTES). */
  get cacheBytes(): number {
    return this.#known.used + this.#avatars.used;
  }

  async #read(contact: string, options: ApplyOptions): Promise<{ view: ContactProfileView; items: ShownItems }> {
    const iq = this.#deps.session.iq;
    const outcomes = await Promise.all(PROFILE_NODES.map((node) => fetchItems(iq, contact, node)));
    const view: ContactProfileView = { jid: contact, origin: 'fetch', updated: [...PROFILE_NODES], sources: [] };
    const items: ShownItems = {};
    await Promise.all(PROFILE_NODES.map(async (node, i) => (items[node] = await this.#apply(view, node, outcomes[i] ?? { status: 'none' }, options))));
    view.sources = PROFILE_NODES.map((node) => view.sources.find((s) => s.node === node) ?? { node, status: 'none' });
    return { view, items };
  }

  /**
   * Reads one node's fetch outcome into the view (replacing that node's part and source); the id of the
   * item its part was read from, when it was read from one.
   */
  async #apply(view: ContactProfileView, node: string, outcome: FetchOutcome, options: ApplyOptions): Promise<string | undefined> {
    const setSource = (source: ProfileSourceView) => {
      view.sources = [...view.sources.filter((s) => s.node !== node), source];
    };
    clearPart(view, node);
    if (outcome.status === 'refused' || outcome.status === 'unreachable' || outcome.status === 'failed') {
      setSource({ node, status: outcome.status, detail: cleanText(outcome.detail, 300) ?? outcome.status });
      return undefined;
    }
    const items = outcome.status === 'ok' ? outcome.items.slice(0, MAX_ITEMS_READ) : [];
    if (items.length === 0) {
      setSource({ node, status: 'none' });
      return undefined;
    }
    const read = await this.#readItems(view, node, items, options);
    setSource('problem' in read ? { node, status: 'invalid', detail: read.problem } : { node, status: 'ok' });
    return 'problem' in read ? undefined : read.itemId;
  }

  /**
   * The part of the view this node's items give, and the item it came from (none for XEP-0154, whose
   * items add up); a problem when none of them could be read.
   */
  async #readItems(
    view: ContactProfileView,
    node: string,
    items: readonly RawItem[],
    options: ApplyOptions,
  ): Promise<{ itemId?: string } | { problem: string }> {
    const clean = options.own === true ? ownText : cleanText;
    if (node === NS.vcard4) {
      const read = firstReadable(items, (item) => readVcard4Item(item, clean));
      if ('problem' in read) return read;
      view.vcard = read.profile;
      // Its own card: what a publish keeps of it, for the editor to say (vcard4-kept.ts).
      const payload = items.find((item) => item.id === read.itemId)?.payload;
      if (options.ownDetails === true && payload !== undefined) view.otherDetails = vcard4OtherDetails(payload);
      return { itemId: read.itemId };
    } else if (node === NS.nick) {
      const read = firstReadable(items, (item) => readNickItem(item, clean));
      if ('problem' in read) return read;
      if (read.nickname !== undefined) view.nickname = read.nickname;
      return { itemId: read.itemId };
    } else if (node === NS.avatarMetadata) {
      const read = firstReadable(items, readAvatarMetadataItem);
      if ('problem' in read) return read;
      if ('info' in read) view.avatar = await this.#avatar(view.jid, read.info, options);
      return { itemId: read.itemId };
    } else if (node === NS.profile) {
      const reads = items.map(readXep0154Item);
      const forms = reads.flatMap((r) => ('fields' in r ? [r.fields] : []));
      if (forms.length === 0) return { problem: reads.flatMap((r) => ('problem' in r ? [r.problem] : []))[0] ?? 'unreadable profile' };
      // §4.2: an item published over PEP may hold only the fields that changed: the node's items add up.
      const fields: Xep0154Field[] = mergeFields(forms);
      view.xep0154 = { fields, profile: xep0154ToProfile(fields) };
    }
    return {};
  }

  /** The avatar the metadata names, with its data fetched (or taken from the cache) and checked. */
  async #avatar(contact: string, info: AvatarInfoView, options: { avatarData: boolean }): Promise<AvatarView> {
    const view: AvatarView = { info };
    if (info.url !== undefined) {
      view.dataProblem = 'the avatar is only at a web address, which the app does not fetch';
      return view;
    }
    const cached = this.#avatars.get(info.id);
    if (cached) {
      view.dataBase64 = cached.bytes.toString('base64');
      return view;
    }
    if (!options.avatarData) {
      view.dataProblem = 'not fetched';
      return view;
    }
    const outcome = await fetchItem(this.#deps.session.iq, contact, NS.avatarData, info.id);
    if (outcome.status !== 'ok') {
      view.dataProblem =
        outcome.status === 'none'
          ? 'the avatar data is missing'
          : outcome.status === 'unreachable'
            ? `their server is unreachable (${cleanText(outcome.detail, 300) ?? ''})`
            : `the avatar data was ${outcome.status} (${cleanText(outcome.detail, 300) ?? ''})`;
      return view;
    }
    const item = outcome.items[0];
    const data = item ? readAvatarDataItem(item, info.id) : { problem: 'the avatar data is missing' };
    if ('problem' in data) {
      view.dataProblem = data.problem;
      return view;
    }
    this.#cacheAvatar(info.id, { bytes: data.bytes, type: data.type });
    view.dataBase64 = data.bytes.toString('base64');
    return view;
  }

  async #onNotification(n: PepNotification): Promise<void> {
    const part = PART_OF_NODE.get(n.node);
    if (part === undefined) return;
    // The account's own nodes notify its own connections too (XEP-0163 §4: the app's caps carry +notify).
    // That is not a contact's profile: kept as one, it would take a place among the contacts' (bounded)
    // and a record in the vault's contact profiles. Drift watch reads the own nodes' changes
    // ('ownNodeChanged'), and the profile screen reads the own profile from the server.
    if (bareJidKey(n.from) === bareJidKey(this.#deps.session.ownJid)) return this.#onOwnNotification(n, part);
    const account = this.#deps.session.state.account;
    // A stranger's would be shown, make the app read from their server, and push real contacts' profiles
    // out of the vault's bounded copy (listened-contacts.ts).
    if (!(await this.#listened.listensTo(n.from))) return;
    const key = `${bareJidKey(n.from)} ${n.node}`;
    const before = this.#waiting.get(key);
    // A notification with payload says all the (singleton) node holds, whatever came before it; a
    // retract or one without payload says it only of what was shown, which a notification folded
    // before it may have changed. (XEP-0154's node is read again at every notification anyway.)
    const complete = n.node !== NS.profile && n.items.some((i) => i.payload !== undefined);
    this.#waiting.set(key, { notification: n, readAgain: before !== undefined && !complete, account });
    await this.#turns.request(key);
  }

  /**
   * Handles the notification waiting for this contact and node, if any: an earlier turn may have taken
   * it. Its failure is logged here, once, not by every notification folded into it.
   */
  async #takeTurn(key: string): Promise<void> {
    const waiting = this.#waiting.get(key);
    if (waiting === undefined) return;
    this.#waiting.delete(key);
    const n = waiting.notification;
    try {
      await this.#onContactNotification(waiting);
    } catch (error) {
      this.#deps.log.warn(`profile notification from ${oneLine(n.from)}: ${String(error)}`);
    }
  }

  /** A contact's notification (the last of a burst), onto what main knows of them now. */
  async #onContactNotification({ notification: n, readAgain, account }: Waiting): Promise<void> {
    const part = PART_OF_NODE.get(n.node);
    if (part === undefined || !isAccountNow(this.#deps.session, account)) return;
    const known = this.#recall(n.from);
    const previous = known?.view;
    const shown: ShownItems = { ...known?.items };
    // The screens replace exactly `refreshed` (cleared when the view has none) and keep their other parts.
    const view: ContactProfileView = previous
      ? { ...previous, origin: 'notification', updated: [n.node], refreshed: [part], sources: [...previous.sources] }
      : { jid: n.from, origin: 'notification', updated: [n.node], refreshed: [part], sources: [] };
    const items = n.items.filter((i) => i.payload !== undefined);
    const shownItem = shown[n.node];
    if (!readAgain && items.length > 0 && n.node !== NS.profile) {
      shown[n.node] = await this.#apply(view, n.node, { status: 'ok', items }, { avatarData: true });
    } else if (readAgain || n.items.length > 0 || n.node === NS.profile || (n.retracted.length > 0 && shownItem === undefined)) {
      // XEP-0292 §4.2.2: a notification may carry no payload ("the receiver needs to retrieve the vCard");
      // XEP-0154 items are partial, so its whole node is read again. So is a node whose shown item is not
      // known here (never read, or dropped from the cache): what a retract left there is what the node says.
      // And one whose burst of notifications ended on a retract or one without payload (readAgain).
      shown[n.node] = await this.#apply(view, n.node, await fetchItems(this.#deps.session.iq, n.from, n.node), { avatarData: true });
    } else if (shownItem !== undefined && n.retracted.includes(shownItem)) {
      // XEP-0060 §7.2.2.1: a retract names its item. Only the item the part was read from takes the part
      // with it: another (an older avatar's metadata, a stale nickname item) leaves what is shown as it is.
      clearPart(view, n.node);
      view.sources = [...view.sources.filter((s) => s.node !== n.node), { node: n.node, status: 'none' }];
      delete shown[n.node];
    } else {
      return;
    }
    // Another account signed in while the node was read: this is not its contact's profile.
    if (!isAccountNow(this.#deps.session, account)) return;
    this.#remember(view, shown);
    this.#deps.events.emit('contacts:profile', withoutResentAvatar(view, previous));
  }

  /**
   * The account's own vCard4 or nickname, changed on its server (by another app of the account, or this
   * one's publish echoed): My profile follows it (profile:ownChanged), and so does the vault's copy, so
   * that the editor never shows, or edits from, what the server no longer holds. Read as a contact's
   * would be (a notification without payload or a retract: the node is read again). The avatar is left
   * to a reload: its picture would cross IPC again for every echo of this app's own publish.
   */
  async #onOwnNotification(n: PepNotification, part: ProfilePart): Promise<void> {
    if (n.node !== NS.vcard4 && n.node !== NS.nick) return;
    const mark = accountMarkNow(this.#deps.session);
    const owner = mark.account;
    const items = n.items.filter((i) => i.payload !== undefined);
    const outcome: FetchOutcome = items.length > 0 ? { status: 'ok', items } : await fetchItems(this.#deps.session.iq, owner, n.node);
    const view: ContactProfileView = { jid: n.from, origin: 'notification', updated: [n.node], refreshed: [part], sources: [] };
    await this.#apply(view, n.node, outcome, { avatarData: false, ownDetails: true });
    // Another account signed in while the node was read: this is not its profile.
    if (!stillMarked(this.#deps.session, mark)) return;
    const status = view.sources.find((s) => s.node === n.node)?.status;
    // A node that would not be read now tells nothing new: what is shown stays.
    if (status !== 'ok' && status !== 'none') return;
    if (n.node === NS.vcard4) await this.#keepOwn(owner, ({ vcard: _before, ...stored }) => ({ ...stored, ...(view.vcard ? { vcard: view.vcard } : {}) }));
    else await this.#keepOwn(owner, ({ nickname: _before, ...stored }) => ({ ...stored, ...(view.nickname !== undefined ? { nickname: view.nickname } : {}) }));
    this.#deps.events.emit('profile:ownChanged', view);
  }

  /**
   * Keeps the view to merge later notifications into, with the items it shows; its avatar's bytes stay
   * only in the avatar cache.
   */
  #remember(view: ContactProfileView, items: ShownItems): void {
    this.#keepInVault(view);
    if (view.avatar?.dataBase64 === undefined) {
      this.#known.set(view.jid, { view, items });
      return;
    }
    const { dataBase64: _keptInTheAvatarCache, ...avatar } = view.avatar;
    this.#known.set(view.jid, { view: { ...view, avatar }, items });
  }

  /**
   * The contact's remembered view with its avatar's bytes put back from the avatar cache; when those were
   * evicted the avatar is left out, so a notification about another node does not replace the picture
   * the user sees with an empty one.
   */
  #recall(contact: string): Known | undefined {
    const known = this.#known.get(contact);
    const view = known?.view;
    if (known === undefined || view?.avatar === undefined || view.avatar.dataProblem !== undefined) return known;
    const cached = this.#avatars.get(view.avatar.info.id);
    if (cached) return { ...known, view: { ...view, avatar: { ...view.avatar, dataBase64: cached.bytes.toString('base64') } } };
    // Nor is the avatar's item then known to be shown: a retract of it reads the node again.
    const { avatar: _evicted, ...withoutAvatar } = view;
    const { [NS.avatarMetadata]: _itsItem, ...items } = known.items;
    return { view: withoutAvatar, items };
  }

  /**
   * Writes the contact's profile to the vault (in the background: a failed write costs the offline copy,
   * nothing else). A node that could not be read now (unreachable, failed) keeps its stored part; one the
   * contact refused or emptied loses it.
   */
  #keepInVault(view: ContactProfileView): void {
    const store = this.#deps.contactProfiles;
    const account = this.#deps.session.state.account;
    if (store === undefined || account === undefined) return;
    const previous = store.get(account, view.jid);
    const unread = new Set(view.sources.filter((s) => s.status === 'unreachable' || s.status === 'failed').map((s) => s.node));
    const part = <K extends keyof ContactProfileRecord>(node: string, key: K, now: ContactProfileRecord[K] | undefined) => {
      const value = unread.has(node) ? previous?.profile[key] : now;
      return value === undefined ? {} : { [key]: value };
    };
    const avatarNow = view.avatar ? { info: view.avatar.info, ...(view.avatar.dataProblem ? { dataProblem: view.avatar.dataProblem } : {}) } : undefined;
    const record: ContactProfileRecord = {
      ...part(NS.vcard4, 'vcard', view.vcard),
      ...part(NS.nick, 'nickname', view.nickname),
      ...part(NS.avatarMetadata, 'avatar', avatarNow),
      ...part(NS.profile, 'xep0154', view.xep0154),
      storedAt: new Date().toISOString(),
    };
    const id = record.avatar?.info.id;
    const cached = id === undefined ? undefined : this.#avatars.get(id);
    const image: StoredAvatar | undefined = cached
      ? { type: cached.type, dataBase64: cached.bytes.toString('base64') }
      : id !== undefined && previous?.avatar && previous.profile.avatar?.info.id === id
        ? previous.avatar
        : undefined;
    inBackground(this.#deps.log, `could not keep ${oneLine(view.jid)}'s profile in the vault`, store.put(account, view.jid, record, image));
  }

  #cacheAvatar(id: string, avatar: AvatarBytes): void {
    this.#avatars.set(id, avatar);
  }
}

/**
 * A notification leaves out an image the screens were already sent (the same id as the view before it):
 * a contact changing their nickname does not send their picture across IPC again.
 */
function withoutResentAvatar(view: ContactProfileView, previous: ContactProfileView | undefined): ContactProfileView {
  if (view.avatar?.dataBase64 === undefined || previous?.avatar?.dataBase64 === undefined || previous.avatar.info.id !== view.avatar.info.id) return view;
  const { dataBase64: _sentBefore, ...avatar } = view.avatar;
  return { ...view, avatar: { ...avatar, sameAsBefore: true } };
}

/** A remembered view's size: its JSON text at two bytes a character (V8 may hold strings so). */
function estimatedBytes(known: Known): number {
  return JSON.stringify(known).length * 2;
}

/** The nodes' parts of a view from the vault's copy of the contact's profile. */
function fillFromKept(view: ContactProfileView, kept: Readonly<ContactProfileRecord>, image: StoredAvatar | undefined, nodes: readonly string[]): void {
  if (nodes.includes(NS.vcard4) && kept.vcard) view.vcard = structuredClone(kept.vcard);
  if (nodes.includes(NS.nick) && kept.nickname !== undefined) view.nickname = kept.nickname;
  if (nodes.includes(NS.profile) && kept.xep0154) view.xep0154 = structuredClone(kept.xep0154);
  if (nodes.includes(NS.avatarMetadata) && kept.avatar) {
    view.avatar = { info: { ...kept.avatar.info }, ...(image && !kept.avatar.dataProblem ? { dataBase64: image.dataBase64 } : {}) };
    if (kept.avatar.dataProblem !== undefined) view.avatar.dataProblem = kept.avatar.dataProblem;
  }
}

function clearPart(view: ContactProfileView, node: string): void {
  if (node === NS.vcard4) {
    delete view.vcard;
    delete view.otherDetails;
  }
  else if (node === NS.nick) delete view.nickname;
  else if (node === NS.avatarMetadata) delete view.avatar;
  else if (node === NS.profile) delete view.xep0154;
}

/** The first item that reads (with its id), else the first item's problem. */
function firstReadable<R extends object>(
  items: readonly RawItem[],
  read: (item: RawItem) => R | { problem: string },
): (R & { itemId: string }) | { problem: string } {
  let firstProblem: { problem: string } | undefined;
  for (const item of items) {
    const result = read(item);
    if (!('problem' in result)) return { ...result, itemId: item.id };
    firstProblem ??= result;
  }
  return firstProblem ?? { problem: 'no item' };
}

/** "A", "A and B", "A, B and C". */
function listWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/**
 * How a node's items are read: with the avatar's bytes or not, the text as the account's own
 * (contract/own-text.ts) or a contact's, and for the account's own vCard, what a publish keeps of it.
 */
interface ApplyOptions {
  avatarData: boolean;
  own?: boolean;
  ownDetails?: boolean;
}

/** How a profile publish goes: a change of audience confirmed, and what the person edited from. */
export interface PublishOptions {
  reconfigure?: boolean;
  /**
   * The profile the edits were made from, as the window showed it published: only the fields that
   * differ from it are published, onto what the server holds then. Absent: the profile goes whole.
   */
  base?: Profile;
}

/** What a profile publish did: each node's configuration read back, and the profile now published. */
export interface PublishedProfile {
  configs: EffectiveNodeConfig[];
  profile: Profile;
}

/** A publish of the profile or the avatar: its account (session-mark.ts), and what it does. */
interface ProfileJob extends AccountMark {
  readonly doing: string;
}

/**
 * A publish is a write to the account's own nodes: it goes on over a reconnect of that account, and
 * stops once another is signed in (session-mark.ts `holds`).
 */
function profileJob(mark: AccountMark, doing: string): ProfileJob {
  return forWrite({ ...mark, doing });
}

/** Why a publish of the profile stopped: another account was signed in before it was done. */
function signedOutWords(job: ProfileJob): string {
  return (
    `${job.account} was signed out (another account was signed in) while ${job.doing}: ` +
    `the app stopped there, sent nothing more to the server, and did nothing for another account. ` +
    `Sign in to ${job.account} again and look at your profile; if it is not published, publish it again.`
  );
}

/**
 * The nickname's publish failed after the vCard's went out: 'partly-published', whose words say which
 * half is out (renderer/src/lib/wording.ts), with the failure's own message as the details.
 */
function nicknameNotPublished(error: unknown): KeyringError {
  const why = error instanceof KeyringError ? error.message : 'the server did not take it.';
  return new KeyringError('partly-published', `Your profile card was published, but your nickname was not: ${why}`, undefined, { cause: error });
}
