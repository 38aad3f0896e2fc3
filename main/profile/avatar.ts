/**
 * XEP-0084 User Avatar: the image on the data node urn:xmpp:avatar:data (`<data>` holding base64, §4.1),
 * and what it is on the metadata node urn:xmpp:avatar:metadata (`<info bytes id type height width/>`,
 * §4.2.1). On both nodes the item id is the SHA-1 (hex) of the image bytes, not of the base64 (§3.1, §3.2).
 * The publisher stores the data first and only then points the metadata at it (§3.1: "MUST make sure the
 * avatar data is available"). Contacts' avatars are untrusted: bytes capped before decoding, PNG/JPEG
 * magic checked, the pixel size the header declares capped (a few bytes of PNG can declare 100000×100000
 * pixels, which the renderer would try to decode), SHA-1 compared with the id; every reader returns a
 * problem instead of throwing.
 */
import { xml } from '@xmpp/client';
import { createHash } from 'node:crypto';
import type { Element } from '@xmpp/xml';
import type { AvatarInfoView } from '../../contract/index.js';
import { PROFILE_LIMITS } from '../../contract/limits.js';
import { NS } from '../xmpp/namespaces.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { countJpegScans, readImageHeader, type ImageType } from './image-header.js';
import { cleanText } from '../untrusted-text.js';

const SHA1_HEX = /^[0-9a-f]{40}$/;
/**
 * The largest width or height of a contact's avatar passed on to the renderer. XEP-0084 1.1.4 sets no
 * size (the metadata only reports it, §4.2.1); this app publishes at most 256; 4096 already takes 64 MiB
 * to decode.
 */
export const MAX_CONTACT_AVATAR_SIDE = 4096;
/**
 * The most scans a contact's JPEG avatar may hold (image-header.ts countJpegScans). Encoders write one
 * for a baseline JPEG and about ten for a progressive one (libjpeg's progressive script: 10 for a colour
 * image). Each scan is a pass over the whole image: measured in Debian's Chromium at 4096×4096, the
 * longest frame gap while decoding was 0.32 s with 10 scans, 0.43 s with 100, 5.7 s with 4,700.
 */
export const MAX_CONTACT_AVATAR_JPEG_SCANS = 100;
const MAX_INFOS = 16;

export function avatarId(image: Uint8Array): string {
  return createHash('sha1').update(image).digest('hex');
}

/** §4.1: base64 of the image, without line feeds ("SHOULD NOT be added"), and no attributes. */
export function avatarDataPayload(image: Uint8Array): Element {
  return xml('data', { xmlns: NS.avatarData }, Buffer.from(image.buffer, image.byteOffset, image.byteLength).toString('base64'));
}

/** §4.2.1: one <info/> for the image on the data node (so without url). */
export function avatarMetadataPayload(info: { id: string; bytes: number; type: ImageType; width: number; height: number }): Element {
  return xml(
    'metadata',
    { xmlns: NS.avatarMetadata },
    xml('info', { bytes: String(info.bytes), id: info.id, type: info.type, height: String(info.height), width: String(info.width) }),
  );
}

export type AvatarMetadataRead =
  /** The info to show: for the image on the data node when there is one (no url), PNG preferred. */
  | { info: AvatarInfoView; all: AvatarInfoView[] }
  /** §3.5: an empty <metadata/> means the contact stopped publishing an avatar. */
  | { disabled: true }
  | { problem: string };

export function readAvatarMetadataItem(item: RawItem): AvatarMetadataRead {
  const metadata = item.payload;
  if (!metadata || !metadata.is('metadata', NS.avatarMetadata)) return { problem: `no <metadata xmlns="${NS.avatarMetadata}"/> payload` };
  const infos = metadata
    .getChildren('info')
    .slice(0, MAX_INFOS)
    .map(readInfo)
    .filter((i): i is AvatarInfoView => i !== undefined);
  if (infos.length === 0) {
    return metadata.getChildElements().length === 0 ? { disabled: true } : { problem: 'no readable <info/> in the avatar metadata' };
  }
  const onDataNode = infos.filter((i) => i.url === undefined);
  const info = onDataNode.find((i) => i.type === 'image/png') ?? onDataNode[0] ?? infos[0];
  return info ? { info, all: infos } : { problem: 'no readable <info/> in the avatar metadata' };
}

/** §4.2.1 attributes, checked: id a SHA-1, bytes a count, type image/* or video/*, url only http(s). */
function readInfo(info: Element): AvatarInfoView | undefined {
  const id = (info.attrs.id ?? '').toLowerCase();
  const type = (info.attrs.type ?? '').toLowerCase();
  const bytes = count(info.attrs.bytes, 1_000_000_000);
  if (!SHA1_HEX.test(id) || bytes === undefined || !/^(image|video)\/[a-z0-9.+-]{1,64}$/.test(type)) return undefined;
  const view: AvatarInfoView = { id, type, bytes };
  const width = count(info.attrs.width, 65_535);
  const height = count(info.attrs.height, 65_535);
  if (width) view.width = width;
  if (height) view.height = height;
  const url = cleanText(info.attrs.url, PROFILE_LIMITS.fieldChars);
  if (url !== undefined && /^https?:\/\//i.test(url)) view.url = url;
  return view;
}

function count(text: string | undefined, max: number): number | undefined {
  if (text === undefined || !/^\d{1,10}$/.test(text.trim())) return undefined;
  const n = Number(text.trim());
  return n <= max ? n : undefined;
}

export type AvatarDataRead = { bytes: Buffer; type: ImageType; width: number; height: number } | { problem: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Largest base64 text that can hold PROFILE_LIMITS.contactAvatarBytes, with room for line feeds. */
const MAX_BASE64_CHARS = Math.ceil(PROFILE_LIMITS.contactAvatarBytes / 3) * 4;

/** A contact's data-node item for the avatar `expectedId`, checked before anyone displays it. */
export function readAvatarDataItem(item: RawItem, expectedId: string): AvatarDataRead {
  if (item.size > MAX_BASE64_CHARS * 1.1 + 1024) return { problem: `the image is over the ${PROFILE_LIMITS.contactAvatarBytes}-byte limit` };
  const data = item.payload;
  if (!data || !data.is('data', NS.avatarData)) return { problem: `no <data xmlns="${NS.avatarData}"/> payload` };
  // §4.1: line feeds "MUST be accepted"; any other whitespace too, nothing else.
  const text = data.text().replace(/\s+/g, '');
  if (text.length === 0) return { problem: 'empty avatar data' };
  if (text.length > MAX_BASE64_CHARS) return { problem: `the image is over the ${PROFILE_LIMITS.contactAvatarBytes}-byte limit` };
  if (text.length % 4 !== 0 || !BASE64.test(text)) return { problem: 'the avatar data is not base64' };
  const bytes = Buffer.from(text, 'base64');
  return checkAvatarBytes(bytes, expectedId);
}

/** Magic bytes PNG or JPEG, a declared size of at most MAX_CONTACT_AVATAR_SIDE, and SHA-1 of the bytes equal to the item id (§3.1). */
export function checkAvatarBytes(bytes: Buffer, expectedId: string): AvatarDataRead {
  if (bytes.length > PROFILE_LIMITS.contactAvatarBytes) return { problem: `the image is over the ${PROFILE_LIMITS.contactAvatarBytes}-byte limit` };
  const header = readImageHeader(bytes);
  if ('problem' in header) return { problem: `the avatar is ${header.problem}` };
  if (header.width > MAX_CONTACT_AVATAR_SIDE || header.height > MAX_CONTACT_AVATAR_SIDE) {
    return {
      problem: `the image declares ${header.width}×${header.height} pixels, more than the ${MAX_CONTACT_AVATAR_SIDE}×${MAX_CONTACT_AVATAR_SIDE} the app shows`,
    };
  }
  if (header.type === 'image/jpeg') {
    const scans = countJpegScans(bytes, MAX_CONTACT_AVATAR_JPEG_SCANS);
    if (scans > MAX_CONTACT_AVATAR_JPEG_SCANS) {
      return { problem: `the JPEG is built of more than ${MAX_CONTACT_AVATAR_JPEG_SCANS} passes (scans), far more than any picture needs: decoding it would hold the window for seconds` };
    }
  }
  const id = avatarId(bytes);
  if (id !== expectedId.toLowerCase()) return { problem: `the image's SHA-1 ${id} is not its id ${expectedId.slice(0, 40)}` };
  return { bytes, type: header.type, width: header.width, height: header.height };
}
