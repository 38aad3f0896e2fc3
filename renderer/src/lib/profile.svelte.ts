import type {
  AccessRequest,
  AvatarPreview,
  AvatarPublishResult,
  ContactProfileView,
  EffectiveNodeConfig,
  IpcError,
  OwnProfileView,
  Profile,
} from '../../../contract';
import { PROFILE_LIMITS } from '../../../contract/limits';
import { fileToBase64 } from './base64';
import { ScreenStore } from './screen-store';
import { Task } from './task.svelte';

/** The square of the picture to publish, in pixels of the picture as shown (upright). */
export interface AvatarCrop {
  x: number;
  y: number;
  size: number;
}

/**
 * Contacts' profiles kept here, most recently used last. Main keeps them all (bounded, and gives them
 * again from its cache); the screens need only the few a person looks at, so pictures do not pile up.
 */
export const CONTACT_PROFILES_KEPT = 64;

/** The user's profile (vCard4, nickname, avatar) and contacts' profiles, live from notifications. */
export class ProfileStore extends ScreenStore {
  /** The own profile as last read (server, or the vault's copy offline) and as published since. */
  own = $state<OwnProfileView | undefined>();
  /** What the server reported after the last publish. */
  published = $state<EffectiveNodeConfig[]>([]);
  contacts = $state<Record<string, ContactProfileView>>({});
  /** The avatar as published last (what the server now holds). */
  avatar = $state<AvatarPublishResult | undefined>();
  readonly loading = new Task();
  readonly publishing = new Task();
  readonly previewing = new Task();
  readonly avatarUpload = new Task();
  readonly fetching = new Task();
  start(): () => void {
    return this.api.on('contacts:profile', (view) => {
      const before = this.contacts[view.jid];
      // A notification carries only the nodes in `updated`: keep what the others said before.
      const merged = view.origin === 'notification' && before ? { ...before, ...definedOnly(view) } : view;
      // An avatar main did not send again (the same id) keeps the picture already here.
      if (view.avatar?.sameAsBefore && before?.avatar?.dataBase64 !== undefined && before.avatar.info.id === view.avatar.info.id) {
        merged.avatar = { ...view.avatar, dataBase64: before.avatar.dataBase64 };
      }
      this.#keepContact(merged);
      if (view.origin === 'notification') this.activity.add('received', `Profile update from ${view.jid}`);
      // Dropped here earlier: ask main, which answers from its cache.
      if (merged.avatar?.sameAsBefore && merged.avatar.dataBase64 === undefined) void this.fetch(view.jid);
    });
  }

  async load(): Promise<void> {
    const own = await this.loading.run(() => this.api.profile.get());
    if (own) this.own = own;
  }

  /** Publishes now when online; offline, main keeps it for when the account is online again. */
  async publish(profile: Profile, access: AccessRequest, reconfigure: boolean): Promise<boolean> {
    // The last publish's "Published." must not sit next to this one's error.
    this.published = [];
    const answer = await this.publishing.run(() =>
      this.api.profile.publish({ profile, access, ...(reconfigure ? { reconfigure } : {}) }),
    );
    if (answer?.outcome === 'published') {
      this.published = answer.configs;
      // What the server now holds; a nickname left empty leaves the nickname node as it was (main).
      const nickname = profile.nickname ?? this.own?.nickname;
      this.own = { ...this.#ownOrEmpty(), vcard: profile, ...(nickname !== undefined ? { nickname } : {}) };
      this.activity.add('published', 'Published your profile');
    } else if (answer) {
      this.activity.add('published', 'Waiting for the connection to publish your profile');
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
    const result = await this.avatarUpload.run(async () => {
      const picture = await pictureParams(file);
      if ('error' in picture) return { ok: false as const, error: picture.error };
      return this.api.profile.setAvatar({ ...picture, ...(crop ? { crop } : {}), access, ...(reconfigure ? { reconfigure } : {}) });
    });
    if (!result) return false;
    this.avatar = result;
    this.activity.add('published', `Published a new avatar (${result.info.width ?? '?'}×${result.info.height ?? '?'})`, result.info.id);
    return true;
  }

  /** Shows the avatar just published as the own one (header, My profile) without reading it back. */
  showOwnAvatar(preview: AvatarPreview): void {
    if (this.avatar?.info.id !== preview.id) return;
    this.own = { ...this.#ownOrEmpty(), avatar: { info: this.avatar.info, dataBase64: preview.dataBase64 } };
  }

  async fetch(jid: string): Promise<void> {
    const view = await this.fetching.run(() => this.api.contacts.fetchProfile({ jid }));
    if (view) this.#keepContact(view);
  }

  #keepContact(view: ContactProfileView): void {
    const { [view.jid]: _old, ...others } = this.contacts;
    const kept = Object.entries(others);
    // Insertion order is use order: the oldest go first once over the bound.
    const trimmed = kept.slice(Math.max(0, kept.length - (CONTACT_PROFILES_KEPT - 1)));
    this.contacts = { ...Object.fromEntries(trimmed), [view.jid]: view };
  }

  #ownOrEmpty(): OwnProfileView {
    return this.own ?? { jid: '', origin: 'fetch', updated: [], sources: [], configs: [] };
  }
}

/**
 * The picture as the contract carries it, checked here first: a file over the cap would otherwise be
 * cut off on the way (the browser host closes a connection over its size cap) instead of being refused
 * with a reason.
 */
async function pictureParams(file: File): Promise<{ dataBase64: string; mime: 'image/png' | 'image/jpeg' } | { error: IpcError }> {
  const mib = PROFILE_LIMITS.avatarUploadBytes / (1024 * 1024);
  if (file.size > PROFILE_LIMITS.avatarUploadBytes) {
    return { error: { code: 'invalid-argument', message: `This picture is ${(file.size / (1024 * 1024)).toFixed(1)} MiB; choose one of at most ${mib} MiB.`, field: 'dataBase64' } };
  }
  if (file.size === 0) return { error: { code: 'invalid-argument', message: 'This file is empty; choose a PNG or JPEG picture.', field: 'dataBase64' } };
  if (file.type !== 'image/png' && file.type !== 'image/jpeg') {
    return { error: { code: 'invalid-argument', message: 'Choose a PNG or JPEG picture.', field: 'dataBase64' } };
  }
  return { dataBase64: await fileToBase64(file), mime: file.type };
}

function definedOnly(view: ContactProfileView): Partial<ContactProfileView> {
  return Object.fromEntries(Object.entries(view).filter(([, v]) => v !== undefined));
}
