import type {
  AccessRequest,
  AvatarPublishResult,
  ContactProfileView,
  EffectiveNodeConfig,
  KeyringApi,
  OwnProfileView,
  Profile,
} from '../../../contract';
import type { ActivityLog } from './activity.svelte';
import { fileToBase64 } from './base64';
import { Task } from './task.svelte';

/** The user's profile (vCard4, nickname, avatar) and contacts' profiles, live from notifications. */
export class ProfileStore {
  own = $state<OwnProfileView | undefined>();
  /** What the server reported after the last publish. */
  published = $state<EffectiveNodeConfig[]>([]);
  contacts = $state<Record<string, ContactProfileView>>({});
  /** The avatar as published last (what the server now holds). */
  avatar = $state<AvatarPublishResult | undefined>();
  readonly loading = new Task();
  readonly publishing = new Task();
  readonly avatarUpload = new Task();
  readonly fetching = new Task();
  readonly #api: KeyringApi;
  readonly #activity: ActivityLog;

  constructor(api: KeyringApi, activity: ActivityLog) {
    this.#api = api;
    this.#activity = activity;
  }

  start(): () => void {
    return this.#api.on('contacts:profile', (view) => {
      const before = this.contacts[view.jid];
      // A notification carries only the nodes in `updated`: keep what the others said before.
      this.contacts = { ...this.contacts, [view.jid]: view.origin === 'notification' && before ? { ...before, ...definedOnly(view) } : view };
      if (view.origin === 'notification') this.#activity.add('received', `Profile update from ${view.jid}`);
    });
  }

  async load(): Promise<void> {
    const own = await this.loading.run(() => this.#api.profile.get());
    if (own) this.own = own;
  }

  /** Publishes now when online; offline, main keeps it for when the account is online again. */
  async publish(profile: Profile, access: AccessRequest, reconfigure: boolean): Promise<boolean> {
    // The last publish's "Published." must not sit next to this one's error.
    this.published = [];
    const answer = await this.publishing.run(() =>
      this.#api.profile.publish({ profile, access, ...(reconfigure ? { reconfigure } : {}) }),
    );
    if (answer?.outcome === 'published') {
      this.published = answer.configs;
      this.#activity.add('published', `Published your profile (${answer.configs.length} nodes)`);
    } else if (answer) {
      this.#activity.add('published', 'Waiting for the connection to publish your profile');
    }
    return answer !== undefined;
  }

  async setAvatar(file: File, access: AccessRequest, reconfigure: boolean): Promise<void> {
    const mime = file.type === 'image/png' ? 'image/png' : 'image/jpeg';
    const dataBase64 = await fileToBase64(file);
    const result = await this.avatarUpload.run(() =>
      this.#api.profile.setAvatar({ dataBase64, mime, access, ...(reconfigure ? { reconfigure } : {}) }),
    );
    if (result) this.avatar = result;
    if (result) this.#activity.add('published', `Published a new avatar (${result.info.width ?? '?'}×${result.info.height ?? '?'})`, result.info.id);
  }

  async fetch(jid: string): Promise<void> {
    const view = await this.fetching.run(() => this.#api.contacts.fetchProfile({ jid }));
    if (view) this.contacts = { ...this.contacts, [jid]: view };
  }
}

function definedOnly(view: ContactProfileView): Partial<ContactProfileView> {
  return Object.fromEntries(Object.entries(view).filter(([, v]) => v !== undefined));
}
