import type {
  AccessRequest,
  AvatarPreview,
  AvatarPublishResult,
  ContactProfileView,
  EffectiveNodeConfig,
  IpcError,
  KeyringApi,
  OwnProfileView,
  Profile,
} from '../../../contract';
import { PROFILE_LIMITS } from '../../../contract/limits';
import { MAX_ENTRIES_PER_KIND, type ActivityLog } from './activity.svelte';
import { accountChangedSince, accountShown } from './account-epoch';
import { fileToBase64 } from './base64';
import { formatCount } from './format';
import { byJid, EVENT_BATCH_MS } from './event-batch';
import { ProfileDraft } from './profile-draft.svelte';
import { ownAfterPublish, shownProfile } from './profile-edits';
import { avatarAnswerOnto, foldProfileEvents, keepMostRecent, lacksPicture, mergeProfileView, notifiedContacts, ownChangedOnto } from './profile-events';
import { ScreenStore } from './screen-store';
import { Task } from './task.svelte';
import { avatarPublishedLine, profileAudience, profilePublishedLine } from './wording';

/** The square of the picture to publish, in pixels of the picture as shown (upright). */
export interface AvatarCrop {
  x: number;
  y: number;
  size: number;
}

/**
 * Contacts' profiles kept here, most recently used last. Main keeps them all (bounded; a picture dropped
 * here costs at most one request to get again, contacts:fetchAvatar); the screens need only the few a
 * person looks at, so pictures do not pile up. Those on screen are kept whatever the count (`show`).
 */
export const CONTACT_PROFILES_KEPT = 64;

/** The user's profile (vCard4, nickname, avatar) and contacts' profiles, live from notifications. */
export class ProfileStore extends ScreenStore {
  /** The own profile as last read (server, or the vault's copy offline) and as published since. */
  own = $state<OwnProfileView | undefined>();
  /** What the server reported after the last publish. */
  published = $state<EffectiveNodeConfig[]>([]);
  /**
   * By bare JID, most recently used last. Raw (not deeply reactive): only ever replaced whole, and a deep
   * proxy makes a signal for every JID looked up in it, thousands at sign-in.
   */
  contacts = $state.raw<Record<string, ContactProfileView>>(byJid());
  /** The avatar as published last (what the server now holds). */
  avatar = $state<AvatarPublishResult | undefined>();
  /** What is typed on My profile and not yet published: kept while the person is on other screens. */
  readonly draft = new ProfileDraft();
  readonly loading = new Task();
  readonly publishing = new Task();
  readonly previewing = new Task();
  readonly avatarUpload = new Task();
  readonly fetching = new Task();
  /**
   * Events not yet applied, in the order they came. At sign-in (or a reconnect) the server pushes every
   * contact's last nickname, avatar metadata and vCard: thousands of events, applied together at most
   * every EVENT_BATCH_MS as the contacts' keys are. Not reactive.
   */
  #arrived: ContactProfileView[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** The Activity lines telling the latest burst of profile updates, and the contacts they name or count. */
  #told: { entries: readonly number[]; contacts: readonly string[] } | undefined;
  /** How many places show each contact's profile now: those are never dropped for others. Not reactive. */
  #shown = byJid<number>();
  /** The account's bare JID, once known (its own profile's notifications are not a contact's update). */
  readonly #account: () => string | undefined;

  constructor(api: KeyringApi, activity: ActivityLog, account: () => string | undefined = () => undefined) {
    super(api, activity);
    this.#account = account;
  }

  start(): () => void {
    const off = this.api.on('contacts:profile', (view) => {
      this.#arrived.push(view);
      this.#flushTimer ??= setTimeout(() => this.#flush(), EVENT_BATCH_MS);
    });
    // A profile publish that waited for the connection has run: the editor starts from what the server
    // holds now, never from the copy before it (a change made on that copy would take the queued one back).
    const offQueueRan = this.api.on('queue:ran', (outcome) => {
      if (outcome.action.kind === 'profile-publish' && outcome.ok && !outcome.skipped) void this.load();
    });
    // The account's own vCard or nickname changed on its server (another app of the account published):
    // My profile shows what the server holds, and its form follows (ProfileScreen keeps what was typed).
    const offOwn = this.api.on('profile:ownChanged', (view) => {
      const own = this.own;
      const account = this.#account() ?? own?.jid;
      if (own === undefined || account === undefined || view.jid.toLowerCase() !== account.toLowerCase()) return;
      this.own = ownChangedOnto(own, view);
    });
    return () => {
      off();
      offQueueRan();
      offOwn();
      clearTimeout(this.#flushTimer);
      this.#flushTimer = undefined;
    };
  }

  /** Applies the events that came since the last time: one merge per event, one new map. */
  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const events = this.#arrived;
    if (events.length === 0) return;
    this.#arrived = [];
    // Each contact's events in the order they came: a notification carries only its own node. The
    // account's own are no contact's: they neither take a place here nor count against the bound.
    const account = this.#account() ?? this.own?.jid;
    const folded = foldProfileEvents((jid) => this.contacts[jid], events, account);
    this.contacts = keepMostRecent(this.contacts, folded.values(), CONTACT_PROFILES_KEPT, this.#isShown);
    this.#report(notifiedContacts(events, account));
    // A picture dropped here earlier: ask main, once per contact, and only for those still kept (a fetch
    // for one dropped again would bring it back in place of another; opening it fetches it anyway).
    for (const jid of folded.keys()) {
      const kept = this.contacts[jid];
      if (kept?.avatar && lacksPicture(kept)) void this.#fetchPicture(jid, kept.avatar.info.id);
    }
  }

  /**
   * Keeps `jid`'s profile here while it is on screen (a card reads `contacts[jid]`), however many other
   * contacts' profiles come meanwhile; the function returned lets it go (an $effect's cleanup).
   */
  show(jid: string): () => void {
    this.#shown[jid] = (this.#shown[jid] ?? 0) + 1;
    let shown = true;
    return () => {
      if (!shown) return;
      shown = false;
      const left = (this.#shown[jid] ?? 1) - 1;
      if (left > 0) this.#shown[jid] = left;
      else delete this.#shown[jid];
    };
  }

  /** Whether `jid`'s profile is on screen now. */
  readonly #isShown = (jid: string): boolean => this.#shown[jid] !== undefined;

  /**
   * Profile updates in Activity: one line per contact while few come together; once more do, one line
   * counting the contacts instead, which keeps counting while the burst lasts (a sign-in brings thousands,
   * which would otherwise push everything else out of the list).
   */
  #report(notified: readonly string[]): void {
    const fresh = distinct(notified);
    if (fresh.length === 0) return;
    const told = this.#told && this.activity.isRecentRun(this.#told.entries) ? this.#told : undefined;
    const contacts = distinct([...(told?.contacts ?? []), ...fresh]);
    if (contacts.length > MAX_ENTRIES_PER_KIND) {
      this.#told = { entries: [this.activity.replace(told?.entries ?? [], 'received', `Profile updates from ${formatCount(contacts.length)} contacts`)], contacts };
      return;
    }
    const named = contacts.slice(told?.contacts.length ?? 0).flatMap((jid) => this.activity.add('received', `Profile update from ${jid}`) ?? []);
    this.#told = { entries: [...(told?.entries ?? []), ...named], contacts };
  }

  async load(): Promise<void> {
    const own = await this.loading.run(() => this.api.profile.get());
    if (own) this.own = own;
  }

  protected resetForAccount(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#arrived = [];
    this.#told = undefined;
    this.own = undefined;
    this.published = [];
    this.contacts = byJid();
    this.avatar = undefined;
    this.draft.clear();
  }

  /**
   * Publishes now when online; offline, main keeps it for when the account is online again. What the
   * form was edited from (the profile shown as published) goes with it: main publishes only the fields
   * that differ from it, onto what the server holds then, and refuses ('changed-elsewhere') when another
   * app changed one of them too; the profile is then read again, for the person to decide again.
   */
  async publish(profile: Profile, access: AccessRequest, reconfigure: boolean): Promise<boolean> {
    // The last publish's "Published." must not sit next to this one's error.
    this.published = [];
    const base = shownProfile(this.own);
    const answer = await this.publishing.run(() =>
      this.api.profile.publish({ profile, base, access, ...(reconfigure ? { reconfigure } : {}) }),
    );
    // Read on its own task: the refusal's words stay shown beside the form that now shows the server's.
    if (this.publishing.error?.code === 'changed-elsewhere') await this.load();
    if (answer?.outcome === 'published') {
      this.published = answer.configs;
      // What the server now holds (the person's changes on what another app may have published): a
      // nickname left empty is gone from the nickname node too (main).
      this.own = ownAfterPublish(this.own, answer.profile, answer.configs);
      const audience = profileAudience(answer.configs);
      this.activity.add('published', profilePublishedLine(answer.configs), audience ? { audience } : undefined);
    } else if (answer) {
      this.activity.add('waiting', 'Waiting for the connection to publish your profile');
    }
    return answer !== undefined;
  }

  /** The avatar the picture and square would make (made in main, off its main thread), before publishing. */
  async previewAvatar(file: File, crop: AvatarCrop | undefined): Promise<AvatarPreview | undefined> {
    return this.previewing.run(async () => {
      const picture = await pictureParams(file);
      if ('error' in picture) return { ok: false as const, error: picture.error };
      return this.api.profile.previewAvatar({ ...picture, ...(crop ? { crop } : {}) });
    });
  }

  async setAvatar(file: File, crop: AvatarCrop | undefined, access: AccessRequest, reconfigure: boolean): Promise<boolean> {
    const asked = accountShown();
    const result = await this.avatarUpload.run(async () => {
      const picture = await pictureParams(file);
      if ('error' in picture) return { ok: false as const, error: picture.error };
      const changed = accountChangedSince(asked);
      if (changed) return { ok: false as const, error: changed };
      return this.api.profile.setAvatar({ ...picture, ...(crop ? { crop } : {}), access, ...(reconfigure ? { reconfigure } : {}) });
    });
    if (!result) return false;
    this.avatar = result;
    // No second line: the avatar's id is a SHA-1 (XEP-0084 §4.2.1), which tells a person nothing.
    this.activity.add('published', avatarPublishedLine(result));
    return true;
  }

  /** Shows the avatar just published as the own one (header, My profile) without reading it back. */
  showOwnAvatar(preview: AvatarPreview): void {
    if (this.avatar?.info.id !== preview.id) return;
    this.own = { ...this.#ownOrEmpty(), avatar: { info: this.avatar.info, dataBase64: preview.dataBase64 } };
  }

  async fetch(jid: string): Promise<void> {
    const view = await this.fetching.run(() => this.api.contacts.fetchProfile({ jid }));
    if (!view) return;
    this.#apply(view);
  }

  /**
   * The picture of avatar `id` this side dropped: main reads that alone when it still knows the avatar.
   * Shown only if that avatar is still the one held when the answer lands (avatarAnswerOnto).
   */
  async #fetchPicture(jid: string, id: string): Promise<void> {
    const view = await this.fetching.run(() => this.api.contacts.fetchAvatar({ jid, id }));
    if (view) this.#apply(view, (held) => avatarAnswerOnto(held, view, id));
  }

  /**
   * An answer from main onto the view held (it replaces the parts it refreshed, or the whole view), or
   * as `onto` puts it (undefined: nothing to show).
   */
  #apply(view: ContactProfileView, onto: (held: ContactProfileView | undefined) => ContactProfileView | undefined = (held) => mergeProfileView(held, view)): void {
    // Events still waiting came before the answer landed: those first, so `held` is what is shown now.
    this.#flush();
    const merged = onto(this.contacts[view.jid]);
    if (merged === undefined) return;
    // Insertion order is use order: the oldest go first once over the bound.
    this.contacts = keepMostRecent(this.contacts, [merged], CONTACT_PROFILES_KEPT, this.#isShown);
  }

  #ownOrEmpty(): OwnProfileView {
    return this.own ?? { jid: '', origin: 'fetch', updated: [], sources: [], configs: [] };
  }
}

/**
 * The picture as the contract carries it, checked here first: a file over the cap would otherwise be
 * cut off on the way (the browser host closes a connection over its size cap) instead of being refused
 * with a reason. Its type is not sent: main reads it from the bytes (File.type is the file name's).
 */
async function pictureParams(file: File): Promise<{ dataBase64: string } | { error: IpcError }> {
  const mib = PROFILE_LIMITS.avatarUploadBytes / (1024 * 1024);
  if (file.size > PROFILE_LIMITS.avatarUploadBytes) {
    return { error: { code: 'invalid-argument', message: `This picture is ${(file.size / (1024 * 1024)).toFixed(1)} MiB; choose one of at most ${mib} MiB.`, field: 'dataBase64' } };
  }
  if (file.size === 0) return { error: { code: 'invalid-argument', message: 'This file is empty; choose a PNG or JPEG picture.', field: 'dataBase64' } };
  return { dataBase64: await fileToBase64(file) };
}

/** Each address once, in the order first named. */
function distinct(jids: readonly string[]): string[] {
  const seen = byJid<true>();
  return jids.filter((jid) => {
    if (seen[jid]) return false;
    seen[jid] = true;
    return true;
  });
}
