/**
 * The user's public profile, stored the XEP-0222 way like the keys: XEP-0292 vCard4, XEP-0172 nickname,
 * XEP-0084 avatar. What contacts publish is read in those and XEP-0154 (contract/contacts.ts).
 */
import { z } from 'zod';
import { accountChange, event, request } from './define.js';
import { AccessParams, NoParams, type AccessRequest, type EffectiveNodeConfig } from './domain.js';
import { PROFILE_LIMITS } from './limits.js';
import type { QueuedActionView } from './queue.js';

export interface ProfileAddress {
  street?: string;
  locality?: string;
  region?: string;
  code?: string;
  country?: string;
}

/**
 * A profile as the app reads and writes it (XEP-0292 vCard4 subset). From contacts it is untrusted text:
 * cut to PROFILE_LIMITS, control characters removed, URLs kept as text (shown, never opened).
 */
export interface Profile {
  fullName?: string;
  nickname?: string;
  emails: string[];
  phones: string[];
  urls: string[];
  note?: string;
  organisation?: string;
  address?: ProfileAddress;
}

/** XEP-0084 <info/>: what the metadata node says about the current avatar. */
export interface AvatarInfoView {
  /** SHA-1 (hex) of the image bytes: the item id on both avatar nodes. */
  id: string;
  type: string;
  bytes: number;
  width?: number;
  height?: number;
  /** An http(s) location the publisher names; shown, never fetched. */
  url?: string;
}

export interface AvatarView {
  info: AvatarInfoView;
  /** The image (base64) once fetched and checked: size cap, PNG/JPEG magic bytes, SHA-1 equal to the id. */
  dataBase64?: string;
  /** Why there is no image data (not asked, missing, refused, or failed a check). */
  dataProblem?: string;
  /**
   * Set on a notification instead of `dataBase64` when the image is the one already sent for this id:
   * the screens keep it (contacts:fetchAvatar gives it again if they dropped it).
   */
  sameAsBefore?: true;
}

/** A XEP-0154 (urn:xmpp:tmp:profile) data-form profile, as untrusted fields. */
export interface Xep0154View {
  fields: { name: string; label?: string; values: string[] }[];
  /** The registered fields that map onto the app's profile (common_name, nickname, email, …). */
  profile: Profile;
}

/** What one profile node gave on the last read. 'invalid': there was an item but it could not be read. */
export interface ProfileSourceView {
  node: string;
  status: 'ok' | 'none' | 'refused' | 'unreachable' | 'failed' | 'invalid';
  detail?: string;
}

/**
 * The parts of a contact's profile, each from its own PEP node (XEP-0292, XEP-0172, XEP-0084 metadata,
 * XEP-0154): a notification about one node refreshes its part alone.
 */
export type ProfilePart = 'vcard' | 'nickname' | 'avatar' | 'xep0154';

export interface ContactProfileView {
  jid: string;
  /** A fetch the user asked for, or a PEP notification (then only the nodes in `updated` are fresh). */
  origin: 'fetch' | 'notification';
  updated: string[];
  /**
   * The parts this view brings as they are now: each is replaced by the view's, and one the view does not
   * have is gone (retracted, emptied, refused); the others are as the receiver held them. A notification
   * names its node's part; an answer to contacts:fetchAvatar names 'avatar'. Absent: every part (a whole
   * fetch).
   */
  refreshed?: ProfilePart[];
  /** XEP-0292 vCard4. */
  vcard?: Profile;
  /**
   * The account's own only, with `vcard`: in words, what its vCard holds that the editor does not show
   * (a birthday, a job title…), which a publish writes back as it is (`kept`), and what a publish cannot
   * keep and so removes (`notKept`: too large, or a second value of a field shown once). Never a contact's.
   */
  otherDetails?: { kept: string[]; notKept: string[] };
  /** XEP-0172 nickname. */
  nickname?: string;
  /** XEP-0084 avatar. */
  avatar?: AvatarView;
  /** XEP-0154 data-form profile, when the contact publishes one. */
  xep0154?: Xep0154View;
  sources: ProfileSourceView[];
  /**
   * Set when this is, in whole (offline) or in part (a node the server would not or could not give),
   * the copy kept in the vault: when that was read. Absent when the server answered for every part now.
   */
  storedAt?: string;
}

/** The account's own profile as its server holds it, with each node's configuration read back. */
export interface OwnProfileView extends ContactProfileView {
  configs: EffectiveNodeConfig[];
  /**
   * Who may read the profile card (its vCard4 node's access, XEP-0060 §4.5): from the server's
   * configuration when online, else as this app last recorded it. The editor's audience starts from it,
   * and says when the one chosen is another (a change the server refuses unless confirmed). Absent when
   * the node does not exist (as far as known), or its model is none the app offers.
   */
  audience?: { access: AccessRequest; source: 'server' | 'saved' };
}

/** The avatar exactly as profile:setAvatar would publish it (same PNG, same id), before publishing. */
export interface AvatarPreview {
  /** The square PNG, base64. */
  dataBase64: string;
  type: 'image/png';
  width: number;
  height: number;
  bytes: number;
  /** SHA-1 (hex) of the PNG: the item id it would be published under (XEP-0084 §4.2.1). */
  id: string;
}

export interface AvatarPublishResult {
  info: AvatarInfoView;
  /** The data node's configuration, then the metadata node's. */
  configs: EffectiveNodeConfig[];
}

const profileField = z.string().trim().max(PROFILE_LIMITS.fieldChars, `At most ${PROFILE_LIMITS.fieldChars} characters`);
const profileList = z.array(profileField.min(1)).max(PROFILE_LIMITS.entries, `At most ${PROFILE_LIMITS.entries} entries`);

/** The user's own profile as the editor sends it (XEP-0292 vCard4 fields; the nickname also goes to XEP-0172). */
export const ProfileParams = z
  .object({
    fullName: profileField.optional(),
    nickname: profileField.optional(),
    emails: profileList.default([]),
    // Whether each is a phone number (contract/phone.ts) is judged by main's profile service against the
    // vCard the account holds (ProfileService.checkPhones): a line already published passes as it is.
    phones: profileList.default([]),
    urls: profileList.default([]),
    note: z.string().max(PROFILE_LIMITS.noteChars, `At most ${PROFILE_LIMITS.noteChars} characters`).optional(),
    organisation: profileField.optional(),
    address: z
      .object({
        street: profileField.optional(),
        locality: profileField.optional(),
        region: profileField.optional(),
        code: profileField.optional(),
        country: profileField.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Published: each node's configuration read back, and the profile as now published (the person's edits
 * on what the server held, `base` given: other fields as another app may have changed them).
 */
export type ProfilePublishAnswer = { outcome: 'published'; configs: EffectiveNodeConfig[]; profile: Profile } | { outcome: 'queued'; action: QueuedActionView };

/** Base64 of at most PROFILE_LIMITS.avatarUploadBytes bytes. */
const avatarBase64 = z
  .string()
  .min(4, 'The image is empty')
  .max(Math.ceil(PROFILE_LIMITS.avatarUploadBytes / 3) * 4, `The picture is larger than ${PROFILE_LIMITS.avatarUploadBytes / (1024 * 1024)} MiB.`)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'The image must be base64');

/**
 * The square of the picture to publish, in pixels of the picture shown upright (EXIF orientation
 * applied, as a browser shows it); main checks it against the picture (main/profile/avatar-image.ts).
 */
const AvatarCropParams = z
  .object({ x: z.number().int().min(0), y: z.number().int().min(0), size: z.number().int().min(1) })
  .strict();

/** PNG or JPEG, as main reads it from the bytes (contract/picture.ts): no type is sent, a browser's would come from the file's name. */
const avatarPicture = {
  dataBase64: avatarBase64,
  /** The centre square when absent. */
  crop: AvatarCropParams.optional(),
};

export const profile = {
  requests: {
    /** The account's own profile as its server holds it. */
    get: request(NoParams).returns<OwnProfileView>(),
    /**
     * Now when online, or queued for the connection. Published: the vCard4 node's configuration read
     * back, then the nickname node's when a nickname was given, or one the node held (whoever published
     * it) was withdrawn.
     * `base`: the profile the edits were made from, as the window showed it published. Main then
     * publishes only the fields that differ from it, onto what the server holds when it publishes (now,
     * or when a queued publish goes out), and refuses ('changed-elsewhere', nothing published) when
     * another app changed one of those fields too. Without it the profile is published whole.
     */
    publish: accountChange(
      z.object({ profile: ProfileParams, base: ProfileParams.optional(), access: AccessParams, reconfigure: z.boolean().optional() }).strict(),
    ).returns<ProfilePublishAnswer>(),
    /** The avatar a picture and crop would make, without publishing; needs no connection. */
    previewAvatar: request(z.object(avatarPicture).strict()).returns<AvatarPreview>(),
    setAvatar: accountChange(
      z
        .object({
          ...avatarPicture,
          access: AccessParams,
          reconfigure: z.boolean().optional(),
        })
        .strict(),
    ).returns<AvatarPublishResult>(),
  },
  events: {
    /**
     * The account's own vCard4 or nickname changed on its server (a PEP notification: another app of the
     * account published, or this one did): `refreshed` names the part, replaced as in contacts:profile
     * (one the view does not have is gone). My profile follows it.
     */
    ownChanged: event<ContactProfileView>(),
  },
};
