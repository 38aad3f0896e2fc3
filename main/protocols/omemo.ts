/**
 * Reading a contact's OMEMO devices and bundles (XEP-0384), in both forms deployed today:
 *
 * - 'axolotl' — XEP-0384 v0.3, what Conversations, Gajim and Profanity publish: the device list
 *   `<list xmlns='eu.siacs.conversations.axolotl'><device id='…'/></list>` on node
 *   eu.siacs.conversations.axolotl.devicelist, and one node per device,
 *   eu.siacs.conversations.axolotl.bundles:<device id>, holding `<bundle>` with signedPreKeyPublic,
 *   signedPreKeySignature, identityKey and prekeys/preKeyPublic. Keys are libsignal-serialised
 *   Curve25519 keys: a type byte 0x05 and the 32-byte u coordinate.
 * - 'omemo2' — urn:xmpp:omemo:2 (XEP-0384 §5.3): `<devices><device id label labelsig/></devices>` on
 *   node urn:xmpp:omemo:2:devices, and every bundle as one item of urn:xmpp:omemo:2:bundles whose item
 *   id is the device id: `<bundle><spk id/><spks/><ik/><prekeys><pk id/>…`. The identity key is the
 *   32-byte Ed25519 form, the others 32-byte Curve25519 keys.
 *
 * Only reading: nothing here publishes OMEMO keys. Everything comes from someone else's server and is
 * hostile until checked: items are size-capped, counts are capped, every id and every key is checked,
 * and the readers return problems as text instead of throwing.
 *
 * The fingerprint shown is the identity key's 32-byte Curve25519 form in lowercase hex (XEP-0384 §8:
 * "the fingerprint SHOULD be chosen to be the public part of the IdentityKey in its byte-encoded
 * Curve25519 form"), so one device has the same fingerprint in every client and in both protocol
 * versions; `formatOmemoFingerprint` groups it the way each client prints it.
 */
import type { Element } from '@xmpp/xml';
import { OTHER_KEY_LIMITS } from '../../contract/limits.js';
import { cleanText } from '../untrusted-text.js';
import { NS } from '../xmpp/namespaces.js';
import type { RawItem } from '../xmpp/pubsub.js';
import { decodeBase64 } from './base64.js';
import { edwardsToMontgomery, verifyCurve25519Signature, verifyEd25519 } from './curve25519.js';
import { keptFirst } from './kept-first.js';
import { pickSingletonItem, quoted } from './singleton-item.js';

export type OmemoVersion = 'axolotl' | 'omemo2';

/** Largest device-list or bundle item read (a 100-prekey bundle is about 6 KiB). */
export const MAX_OMEMO_ITEM_BYTES = 64 * 1024;
/** Devices read from one list (those the caller already knows first); the rest are reported, not read. */
export const MAX_DEVICES = OTHER_KEY_LIMITS.listedDevices;
/** Prekeys checked and counted in one bundle (XEP-0384's examples publish 100). */
export const MAX_PREKEYS = 100;
/** XEP-0384 §5.3.2 (omemo:2): "The bundle MUST always contain at least 25 PreKeys"; v0.3 said 20. */
export const MIN_PREKEYS: Readonly<Record<OmemoVersion, number>> = { axolotl: 20, omemo2: 25 };
/** XEP-0384 §5.3.1 recommends labels under 53 code points; longer ones are cut for display. */
export const MAX_LABEL_CHARS = 64;
/** XEP-0384 §5.1: a device id is an integer from 1 to 2^31 - 1. */
export const MAX_DEVICE_ID = 2 ** 31 - 1;

const NODES = {
  axolotl: { ns: NS.omemoAxolotl, listElement: 'list' },
  omemo2: { ns: NS.omemo2, listElement: 'devices' },
} as const;

/** The node a device's bundle is read from, and the item id it must have (undefined: any). */
export function bundleLocation(version: OmemoVersion, deviceId: number): { node: string; itemId: string | undefined } {
  return version === 'axolotl'
    ? { node: `${NS.omemoAxolotlBundles}:${deviceId}`, itemId: undefined }
    : { node: NS.omemo2Bundles, itemId: String(deviceId) };
}

export function devicesNode(version: OmemoVersion): string {
  return version === 'axolotl' ? NS.omemoAxolotlDevices : NS.omemo2Devices;
}

export interface OmemoDevice {
  id: number;
  /** omemo:2 only, as published (cut and cleaned); show it only through `verifiedLabel`. */
  label?: string;
  /** The label exactly as published, and its signature: what `verifiedLabel` checks. */
  labelSigned?: { raw: string; signature: Buffer };
}

export interface OmemoDeviceList {
  version: OmemoVersion;
  /** The item read ('current' by XEP-0060 §12.20 singleton convention; '' when the node is empty). */
  itemId: string;
  devices: OmemoDevice[];
  /** Ids the list names beyond MAX_DEVICES, in the list's order: listed, not read. */
  leftOut: number[];
  /** What was wrong but did not stop the reading (a bad id skipped, a duplicate, a cap reached). */
  problems: string[];
}

export type DeviceListReading = { ok: true; list: OmemoDeviceList } | { ok: false; problem: string };

/** A device or key id: decimal digits only, 1 … 2^31 - 1. */
function readId(value: string | undefined): number | undefined {
  if (value === undefined || !/^[0-9]{1,10}$/.test(value)) return undefined;
  const id = Number(value);
  return id >= 1 && id <= MAX_DEVICE_ID ? id : undefined;
}

/**
 * The device list in `items`. When it names more than MAX_DEVICES devices, the ids in `knownFirst` (the
 * devices the vault has a record of, most relied on first) are read before any new one, so a list with
 * many new ids ahead of a known device cannot make that device look removed; new ones follow in the
 * list's order. The devices read keep the list's order.
 */
export function readDeviceList(version: OmemoVersion, items: readonly RawItem[], knownFirst: readonly number[] = []): DeviceListReading {
  const { item, problems } = pickSingletonItem(items);
  if (!item) return { ok: true, list: { version, itemId: '', devices: [], leftOut: [], problems } };
  if (item.size > MAX_OMEMO_ITEM_BYTES) return { ok: false, problem: `the device list is ${item.size} bytes, over the ${MAX_OMEMO_ITEM_BYTES}-byte limit` };
  const { ns, listElement } = NODES[version];
  const list = item.payload;
  if (!list || !list.is(listElement, ns)) return { ok: false, problem: `no <${listElement} xmlns="${ns}"/> in the device list item` };

  const listed: { id: number; child: Element }[] = [];
  const seen = new Set<number>();
  for (const child of list.getChildElements()) {
    if (child.name !== 'device') continue; // RFC 6120 §8.4: unknown elements are ignored
    const id = readId(child.attrs.id);
    if (id === undefined) {
      problems.push(`device id ${quoted(child.attrs.id)} is not a number from 1 to ${MAX_DEVICE_ID}`);
      continue;
    }
    if (seen.has(id)) {
      problems.push(`device ${id} is listed more than once`);
      continue;
    }
    seen.add(id);
    listed.push({ id, child });
  }
  const read = new Set(keptFirst(listed.map((d) => d.id), knownFirst, MAX_DEVICES));
  const devices = listed.filter((d) => read.has(d.id)).map(({ id, child }) => (version === 'omemo2' ? withLabel(id, child, problems) : { id }));
  const leftOut = listed.filter((d) => !read.has(d.id)).map((d) => d.id);
  if (leftOut.length > 0) problems.push(`${leftOut.length} more devices not read (at most ${MAX_DEVICES} are read, those already known first)`);
  return { ok: true, list: { version, itemId: item.id, devices, leftOut, problems } };
}

/** XEP-0384 §5.3.1: a label counts only with a labelsig; both are kept for `verifiedLabel`. */
function withLabel(id: number, device: Element, problems: string[]): OmemoDevice {
  const raw = device.attrs.label;
  if (raw === undefined) return { id };
  if (raw.length > MAX_LABEL_CHARS * 4) {
    problems.push(`device ${id}: its label is over ${MAX_LABEL_CHARS * 4} characters, so it is not shown`);
    return { id };
  }
  const signature = decodeBase64(device.attrs.labelsig, 64);
  if (!signature || signature.length !== 64) {
    problems.push(`device ${id}: its label is not signed, so it is not shown`);
    return { id };
  }
  const label = cleanText(raw, MAX_LABEL_CHARS);
  return label === undefined ? { id } : { id, label, labelSigned: { raw, signature } };
}

/**
 * The device's label if its signature (XEP-0384 §5.3.1: the UTF-8 label signed with the identity key,
 * "Sig(PK, M)") verifies against that device's bundle; undefined otherwise, as the spec requires.
 */
export function verifiedLabel(device: OmemoDevice, bundle: OmemoBundle | undefined): string | undefined {
  if (!device.labelSigned || !bundle || bundle.deviceId !== device.id || bundle.version !== 'omemo2') return undefined;
  return verifyEd25519(bundle.identityKey, Buffer.from(device.labelSigned.raw, 'utf8'), device.labelSigned.signature) ? device.label : undefined;
}

export interface OmemoBundle {
  version: OmemoVersion;
  deviceId: number;
  /** The identity key as published: 0x05 + u (axolotl, 33 bytes) or the Ed25519 key (omemo2, 32 bytes). */
  identityKey: Buffer;
  /** Its Curve25519 form, 32 bytes: what the fingerprint is made of. */
  curve25519: Buffer;
  /** 64 lowercase hex digits of `curve25519`: the same device shows the same fingerprint everywhere. */
  fingerprint: string;
  signedPreKeyId: number | undefined;
  /** The signed prekey's signature verifies against the identity key (false when it is missing). */
  signatureValid: boolean;
  /** Well-formed prekeys, counted up to MAX_PREKEYS. */
  preKeyCount: number;
  problems: string[];
}

export type BundleReading = { ok: true; bundle: OmemoBundle } | { ok: false; problem: string };

/** The element names of each version's bundle. */
const BUNDLE = {
  axolotl: { spk: 'signedPreKeyPublic', spkId: 'signedPreKeyId', spks: 'signedPreKeySignature', ik: 'identityKey', pk: 'preKeyPublic', pkId: 'preKeyId' },
  omemo2: { spk: 'spk', spkId: 'id', spks: 'spks', ik: 'ik', pk: 'pk', pkId: 'id' },
} as const;

/** The 32-byte Curve25519 u of a published public key (0x05 + u for axolotl, u for omemo2). */
function curveKey(version: OmemoVersion, bytes: Buffer | undefined): Buffer | undefined {
  if (!bytes) return undefined;
  if (version === 'axolotl') return bytes.length === 33 && bytes[0] === 0x05 ? bytes.subarray(1) : undefined;
  return bytes.length === 32 ? bytes : undefined;
}

/** Reads the bundle item of device `deviceId` (from `bundleLocation`'s node). */
export function readBundle(version: OmemoVersion, item: RawItem, deviceId: number): BundleReading {
  if (item.size > MAX_OMEMO_ITEM_BYTES) return { ok: false, problem: `the bundle is ${item.size} bytes, over the ${MAX_OMEMO_ITEM_BYTES}-byte limit` };
  const expectedId = bundleLocation(version, deviceId).itemId;
  if (expectedId !== undefined && item.id !== expectedId) return { ok: false, problem: `the bundle item ${quoted(item.id)} is not device ${deviceId}` };
  const ns = NODES[version].ns;
  const bundle = item.payload;
  if (!bundle || !bundle.is('bundle', ns)) return { ok: false, problem: `no <bundle xmlns="${ns}"/> in the item` };
  const names = BUNDLE[version];
  const problems: string[] = [];
  const one = (name: string): Element | undefined => {
    const found = bundle.getChildren(name);
    if (found.length > 1) problems.push(`<${name}/> appears ${found.length} times; the first is read`);
    return found[0];
  };

  // The identity key: without it there is nothing to show.
  const ikText = one(names.ik)?.text();
  const identityKey = decodeBase64(ikText, 64);
  if (!identityKey) return { ok: false, problem: ikText === undefined ? `no <${names.ik}/>` : `<${names.ik}/> is not base64` };
  let curve25519: Buffer | undefined;
  if (version === 'axolotl') {
    curve25519 = curveKey(version, identityKey);
    if (!curve25519) return { ok: false, problem: `the identity key is ${identityKey.length} bytes, not a 33-byte Curve25519 key with type byte 0x05` };
  } else {
    if (identityKey.length !== 32) return { ok: false, problem: `the identity key is ${identityKey.length} bytes, not a 32-byte Ed25519 key` };
    curve25519 = edwardsToMontgomery(identityKey);
    if (!curve25519) return { ok: false, problem: 'the identity key is not an Ed25519 public key' };
  }

  // The signed prekey and its signature by the identity key (XEP-0384 §4.2 X3DH "Sig(IK, Encode(SPK))").
  const spkElement = one(names.spk);
  const signedPreKeyId = readId(spkElement?.attrs[names.spkId]);
  const spkBytes = decodeBase64(spkElement?.text(), 64);
  const signature = decodeBase64(one(names.spks)?.text(), 128);
  let signatureValid = false;
  if (!spkElement || signedPreKeyId === undefined || !curveKey(version, spkBytes)) {
    problems.push('the signed prekey is missing or malformed');
  } else if (!signature || signature.length !== 64) {
    problems.push('the signed prekey signature is missing or malformed');
  } else {
    const message = spkBytes as Buffer; // axolotl signs the serialised key (0x05 + u), omemo2 the 32 bytes
    signatureValid =
      version === 'axolotl' ? verifyCurve25519Signature(curve25519, message, signature) : verifyEd25519(identityKey, message, signature);
    if (!signatureValid) problems.push('the signed prekey signature does not verify against the identity key');
  }

  const preKeyCount = countPreKeys(version, one('prekeys'), problems);
  if (preKeyCount < MIN_PREKEYS[version]) problems.push(`${preKeyCount} prekeys; XEP-0384 asks for at least ${MIN_PREKEYS[version]}`);

  return {
    ok: true,
    bundle: {
      version,
      deviceId,
      identityKey,
      curve25519,
      fingerprint: curve25519.toString('hex'),
      signedPreKeyId,
      signatureValid,
      preKeyCount,
      problems,
    },
  };
}

function countPreKeys(version: OmemoVersion, prekeys: Element | undefined, problems: string[]): number {
  if (!prekeys) return 0;
  const names = BUNDLE[version];
  const ids = new Set<number>();
  let bad = 0;
  let seen = 0;
  for (const child of prekeys.getChildElements()) {
    if (child.name !== names.pk) continue;
    if (++seen > MAX_PREKEYS) {
      problems.push(`more than ${MAX_PREKEYS} prekeys; the first ${MAX_PREKEYS} were checked`);
      break;
    }
    const id = readId(child.attrs[names.pkId]);
    if (id === undefined || ids.has(id) || !curveKey(version, decodeBase64(child.text(), 64))) {
      bad++;
      continue;
    }
    ids.add(id);
  }
  if (bad > 0) problems.push(`${bad} prekeys have a bad or repeated id or key`);
  return ids.size;
}

/**
 * How each client prints a fingerprint (64 hex digits), so the user can hold them side by side:
 * - 'conversations': lowercase, groups of 8 split by spaces (Conversations' prettifyFingerprint; it is
 *   also XEP-0384 §8's recommendation);
 * - 'gajim': the same groups in uppercase (Gajim's format_fingerprint; it wraps after 4 groups);
 * - 'profanity': lowercase groups of 8 joined by '-' (Profanity's `/omemo fingerprint`).
 */
export type FingerprintStyle = 'conversations' | 'gajim' | 'profanity';

export function formatOmemoFingerprint(fingerprint: string, style: FingerprintStyle): string {
  const groups = fingerprint.toLowerCase().match(/.{1,8}/g) ?? [];
  if (style === 'profanity') return groups.join('-');
  const spaced = groups.join(' ');
  return style === 'gajim' ? spaced.toUpperCase() : spaced;
}
