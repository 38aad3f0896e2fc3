/**
 * The OMEMO reader on what Profanity, python-nbxmpp and python-omemo really published (captured by the
 * interop tests), and on the hostile variants a contact's server can hand us: every answer is a value,
 * the fingerprint is the one each client prints, and nothing a contact publishes is trusted unchecked.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import xml, { type Element } from '@xmpp/xml';
import { edwardsToMontgomery, montgomeryToEdwards, verifyCurve25519Signature } from '../../../main/protocols/curve25519.js';
import {
  bundleLocation,
  formatOmemoFingerprint,
  MAX_DEVICES,
  MAX_OMEMO_ITEM_BYTES,
  MAX_PREKEYS,
  readBundle,
  readDeviceList,
  verifiedLabel,
  type OmemoBundle,
} from '../../../main/protocols/omemo.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { parseItems, type RawItem } from '../../../main/xmpp/pubsub.js';
import { expected, fixtureItem, fixtureItems } from './fixtures.js';

/** Items as the app's fetch returns them, from `<item id>payload</item>` elements. */
function items(...entries: { id: string; payload?: Element }[]): RawItem[] {
  return parseItems(xml('items', { xmlns: NS.pubsub }, ...entries.map((e) => xml('item', { id: e.id }, e.payload))));
}
const item = (id: string, payload?: Element): RawItem => items({ id, payload })[0] as RawItem;

const rawPublic = (key: KeyObject): Buffer => Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url');
const b64 = (b: Buffer) => b.toString('base64');

/** An omemo:2 device made with Node's Ed25519 and X25519, signed as XEP-0384 §4.2 says. */
function omemo2Device(options: { prekeys?: number } = {}) {
  const identity = generateKeyPairSync('ed25519');
  const ik = rawPublic(identity.publicKey);
  const spk = rawPublic(generateKeyPairSync('x25519').publicKey);
  const spks = sign(null, spk, identity.privateKey);
  const prekeys = Array.from({ length: options.prekeys ?? 25 }, (_, i) => xml('pk', { id: String(i + 1) }, b64(rawPublic(generateKeyPairSync('x25519').publicKey))));
  const bundle = (overrides: { ik?: string; spk?: string; spks?: string; spkId?: string } = {}) =>
    xml(
      'bundle',
      { xmlns: NS.omemo2 },
      xml('spk', { id: overrides.spkId ?? '1' }, overrides.spk ?? b64(spk)),
      xml('spks', {}, overrides.spks ?? b64(spks)),
      xml('ik', {}, overrides.ik ?? b64(ik)),
      xml('prekeys', {}, ...prekeys),
    );
  const labelSignature = (label: string) => b64(sign(null, Buffer.from(label, 'utf8'), identity.privateKey));
  return { ik, spk, spks, bundle, labelSignature };
}

const axolotlList = (...ids: string[]) => xml('list', { xmlns: NS.omemoAxolotl }, ...ids.map((id) => xml('device', { id })));

describe('what real clients published', () => {
  it('Profanity: its device next to the other device, and its bundle with the fingerprint it prints', () => {
    const list = readDeviceList('axolotl', fixtureItems('profanity-axolotl-devicelist'));
    expect(list).toEqual({
      ok: true,
      list: { version: 'axolotl', itemId: 'current', devices: [{ id: 31415 }, { id: expected.profanityDeviceId }], leftOut: [], problems: [] },
    });
    const bundle = readBundle('axolotl', fixtureItem('profanity-axolotl-bundle'), expected.profanityDeviceId);
    if (!bundle.ok) throw new Error(bundle.problem);
    expect(formatOmemoFingerprint(bundle.bundle.fingerprint, 'profanity')).toBe(expected.profanityOmemoFingerprint);
    expect(bundle.bundle).toMatchObject({ signedPreKeyId: 1, signatureValid: true, preKeyCount: MAX_PREKEYS, problems: [] });
    expect(bundle.bundle.identityKey[0]).toBe(0x05);
  });

  it('python-nbxmpp (Gajim’s library): the device list and a libsignal-signed bundle', () => {
    expect(readDeviceList('axolotl', fixtureItems('nbxmpp-axolotl-devicelist'))).toMatchObject({ ok: true, list: { devices: [{ id: 1717 }, { id: 424242 }] } });
    const bundle = readBundle('axolotl', fixtureItem('nbxmpp-axolotl-bundle-1717'), 1717);
    expect(bundle).toMatchObject({ ok: true, bundle: { fingerprint: expected.nbxmppBundle1717Fingerprint, signatureValid: true, preKeyCount: 30, problems: [] } });
  });

  it('python-omemo: one device in both versions has one fingerprint, the Curve25519 form of its Ed25519 key', () => {
    const two = readBundle('omemo2', fixtureItem('python-omemo-omemo2-bundle'), 5151);
    const old = readBundle('axolotl', fixtureItem('python-omemo-axolotl-bundle'), 5151);
    if (!two.ok || !old.ok) throw new Error('unreadable fixture');
    expect(two.bundle.identityKey.toString('hex')).toBe(expected.pythonOmemoEd25519);
    expect(two.bundle.fingerprint).toBe(expected.pythonOmemoCurve25519);
    expect(old.bundle.fingerprint).toBe(expected.pythonOmemoCurve25519);
    expect(two.bundle).toMatchObject({ signatureValid: true, preKeyCount: 30, problems: [] });
    expect(old.bundle).toMatchObject({ signatureValid: true, preKeyCount: 30, problems: [] });
    // Its label comes without labelsig: XEP-0384 §5.3.1 says to ignore it.
    const devices = readDeviceList('omemo2', fixtureItems('python-omemo-omemo2-devices'));
    expect(devices).toEqual({
      ok: true,
      list: { version: 'omemo2', itemId: 'current', devices: [{ id: 5151 }], leftOut: [], problems: ['device 5151: its label is not signed, so it is not shown'] },
    });
  });

  it('shows the fingerprint the way each client prints it', () => {
    const hex = '8992d8bdecd536598b7a762d54a90a4c687cbc8dab5236e5fd8db893fb313e23';
    expect(formatOmemoFingerprint(hex, 'profanity')).toBe('8992d8bd-ecd53659-8b7a762d-54a90a4c-687cbc8d-ab5236e5-fd8db893-fb313e23');
    expect(formatOmemoFingerprint(hex, 'conversations')).toBe('8992d8bd ecd53659 8b7a762d 54a90a4c 687cbc8d ab5236e5 fd8db893 fb313e23');
    expect(formatOmemoFingerprint(hex, 'gajim')).toBe('8992D8BD ECD53659 8B7A762D 54A90A4C 687CBC8D AB5236E5 FD8DB893 FB313E23');
  });
});

describe('device lists from a hostile server', () => {
  it('skips ids that are not 1 … 2^31-1 and ids listed twice, saying so', () => {
    const reading = readDeviceList('axolotl', items({ id: 'current', payload: axolotlList('7', '0', '-5', '2147483648', '12a', '', '99999999999', '7', '2147483647', '0x10') }));
    expect(reading).toMatchObject({ ok: true, list: { devices: [{ id: 7 }, { id: 2147483647 }] } });
    if (!reading.ok) return;
    expect(reading.list.problems).toEqual([
      'device id "0" is not a number from 1 to 2147483647',
      'device id "-5" is not a number from 1 to 2147483647',
      'device id "2147483648" is not a number from 1 to 2147483647',
      'device id "12a" is not a number from 1 to 2147483647',
      'device id "" is not a number from 1 to 2147483647',
      'device id "99999999999" is not a number from 1 to 2147483647',
      'device 7 is listed more than once',
      'device id "0x10" is not a number from 1 to 2147483647',
    ]);
  });

  it(`keeps at most ${MAX_DEVICES} devices of a list of 3000`, () => {
    const ids = Array.from({ length: 3000 }, (_, i) => String(i + 1));
    const reading = readDeviceList('axolotl', items({ id: 'current', payload: axolotlList(...ids) }));
    expect(reading).toMatchObject({ ok: true, list: { problems: [`${3000 - MAX_DEVICES} more devices not read (at most ${MAX_DEVICES} are read, those already known first)`] } });
    if (reading.ok) expect(reading.list.devices).toHaveLength(MAX_DEVICES);
    if (reading.ok) expect(reading.list.leftOut).toHaveLength(3000 - MAX_DEVICES);
  });

  it(`reads the devices the vault knows first when a list is over the cap, however many new ones are listed ahead`, () => {
    const fresh = Array.from({ length: MAX_DEVICES }, (_, i) => String(1000 + i));
    const reading = readDeviceList('axolotl', items({ id: 'current', payload: axolotlList(...fresh, '7', '8') }), [8, 7, 99]);
    if (!reading.ok) throw new Error(reading.problem);
    const ids = reading.list.devices.map((d) => d.id);
    expect(ids).toHaveLength(MAX_DEVICES);
    expect(ids.slice(-2)).toEqual([7, 8]);
    // The new ones past the cap are the last the server listed.
    expect(reading.list.leftOut).toEqual([1062, 1063]);
    // Known devices past the cap (more known than the cap) go in the caller's order: the first named stay.
    const crowded = readDeviceList('axolotl', items({ id: 'current', payload: axolotlList(...fresh, '7') }), [7, ...fresh.map(Number)]);
    expect(crowded.ok && crowded.list.leftOut).toEqual([1063]);
  });

  it('refuses an oversized item, a payload of the other version and an item without payload', () => {
    const huge = axolotlList(...Array.from({ length: 6000 }, () => '1234567890'));
    expect(readDeviceList('axolotl', items({ id: 'current', payload: huge }))).toEqual({
      ok: false,
      problem: expect.stringMatching(new RegExp(`over the ${MAX_OMEMO_ITEM_BYTES}-byte limit`)) as string,
    });
    expect(readDeviceList('omemo2', items({ id: 'current', payload: axolotlList('1') }))).toEqual({ ok: false, problem: 'no <devices xmlns="urn:xmpp:omemo:2"/> in the device list item' });
    expect(readDeviceList('axolotl', items({ id: 'current' }))).toEqual({ ok: false, problem: 'no <list xmlns="eu.siacs.conversations.axolotl"/> in the device list item' });
  });

  it('reads the "current" item of several, and an empty node as no devices', () => {
    const reading = readDeviceList('axolotl', items({ id: 'old', payload: axolotlList('1') }, { id: 'current', payload: axolotlList('2') }));
    expect(reading).toEqual({ ok: true, list: { version: 'axolotl', itemId: 'current', devices: [{ id: 2 }], leftOut: [], problems: ['the node holds 2 items; read "current"'] } });
    expect(readDeviceList('omemo2', [])).toEqual({ ok: true, list: { version: 'omemo2', itemId: '', devices: [], leftOut: [], problems: [] } });
  });
});

describe('omemo:2 labels (XEP-0384 §5.3.1)', () => {
  const device = omemo2Device();
  const bundle = readBundle('omemo2', item('9', device.bundle()), 9);
  const signedBundle = bundle.ok ? bundle.bundle : (undefined as unknown as OmemoBundle);

  it('shows a label only when its labelsig verifies against that device’s identity key', () => {
    expect(bundle.ok).toBe(true);
    const label = 'Dino on Lenovo Thinkpad T495';
    const list = readDeviceList('omemo2', items({ id: 'current', payload: xml('devices', { xmlns: NS.omemo2 }, xml('device', { id: '9', label, labelsig: device.labelSignature(label) })) }));
    if (!list.ok) throw new Error(list.problem);
    const [listed] = list.list.devices;
    if (!listed) throw new Error('no device');
    expect(verifiedLabel(listed, signedBundle)).toBe(label);

    // A label changed after signing, a signature of another label, another device's bundle: not shown.
    const forged = { ...listed, label: 'Conversations on Pixel 3', labelSigned: { raw: 'Conversations on Pixel 3', signature: listed.labelSigned?.signature ?? Buffer.alloc(64) } };
    expect(verifiedLabel(forged, signedBundle)).toBeUndefined();
    const other = readBundle('omemo2', item('9', omemo2Device().bundle()), 9);
    expect(verifiedLabel(listed, other.ok ? other.bundle : undefined)).toBeUndefined();
    expect(verifiedLabel({ ...listed, id: 10 }, signedBundle)).toBeUndefined();
  });

  it('does not show a label far over the recommended length, even signed', () => {
    const label = 'L'.repeat(300);
    const list = readDeviceList('omemo2', items({ id: 'current', payload: xml('devices', { xmlns: NS.omemo2 }, xml('device', { id: '9', label, labelsig: device.labelSignature(label) })) }));
    expect(list).toEqual({ ok: true, list: { version: 'omemo2', itemId: 'current', devices: [{ id: 9 }], leftOut: [], problems: ['device 9: its label is over 256 characters, so it is not shown'] } });
  });

  it('cleans a label for display (bidi overrides, control characters) but checks the signature on what was signed', () => {
    const label = 'Gajim\u202e on Linux\u0007';
    const list = readDeviceList('omemo2', items({ id: 'current', payload: xml('devices', { xmlns: NS.omemo2 }, xml('device', { id: '9', label, labelsig: device.labelSignature(label) })) }));
    if (!list.ok || !list.list.devices[0]) throw new Error('unreadable');
    expect(list.list.devices[0].label).toBe('Gajim on Linux');
    expect(verifiedLabel(list.list.devices[0], signedBundle)).toBe('Gajim on Linux');
  });
});

describe('bundles from a hostile server', () => {
  const device = omemo2Device();
  const read = (payload: Element, id = '9') => readBundle('omemo2', item(id, payload), 9);

  it('reads a well-formed omemo:2 bundle: Ed25519 identity, Curve25519 fingerprint, signature checked', () => {
    const reading = read(device.bundle());
    expect(reading).toMatchObject({ ok: true, bundle: { signatureValid: true, preKeyCount: 25, problems: [] } });
    if (reading.ok) expect(reading.bundle.fingerprint).toBe(edwardsToMontgomery(device.ik)?.toString('hex'));
  });

  it('flags a signed prekey the identity key did not sign (a swapped key or a damaged signature)', () => {
    const otherSpk = b64(rawPublic(generateKeyPairSync('x25519').publicKey));
    const damaged = Buffer.from(device.spks);
    damaged[10] = (damaged[10] ?? 0) ^ 1;
    for (const bundle of [device.bundle({ spk: otherSpk }), device.bundle({ spks: b64(damaged) })]) {
      const reading = read(bundle);
      expect(reading).toMatchObject({ ok: true, bundle: { signatureValid: false } });
      if (reading.ok) expect(reading.bundle.problems).toContain('the signed prekey signature does not verify against the identity key');
    }
  });

  it('refuses bundles with no usable identity key, and a bundle under another device’s item id', () => {
    expect(read(device.bundle({ ik: 'not base64!' }))).toEqual({ ok: false, problem: '<ik/> is not base64' });
    expect(read(device.bundle({ ik: b64(Buffer.alloc(33, 5)) }))).toEqual({ ok: false, problem: 'the identity key is 33 bytes, not a 32-byte Ed25519 key' });
    // y = 1 (the neutral point) has no Curve25519 form.
    const neutral = Buffer.alloc(32);
    neutral[0] = 1;
    expect(read(device.bundle({ ik: b64(neutral) }))).toEqual({ ok: false, problem: 'the identity key is not an Ed25519 public key' });
    expect(read(device.bundle(), '10')).toEqual({ ok: false, problem: 'the bundle item "10" is not device 9' });
    expect(read(xml('bundle', { xmlns: NS.omemoAxolotl }))).toEqual({ ok: false, problem: 'no <bundle xmlns="urn:xmpp:omemo:2"/> in the item' });
    expect(read(xml('bundle', { xmlns: NS.omemo2 }))).toEqual({ ok: false, problem: 'no <ik/>' });
  });

  it('an axolotl identity key must be 33 bytes with type byte 0x05', () => {
    const profanity = fixtureItem('profanity-axolotl-bundle');
    const payload = profanity.payload as Element;
    const ik = payload.getChild('identityKey') as Element;
    const original = ik.text();
    try {
      ik.children = [b64(Buffer.concat([Buffer.from([0x06]), Buffer.from(original, 'base64').subarray(1)]))];
      expect(readBundle('axolotl', item('current', payload), expected.profanityDeviceId)).toEqual({
        ok: false,
        problem: 'the identity key is 33 bytes, not a 33-byte Curve25519 key with type byte 0x05',
      });
      ik.children = [b64(Buffer.from(original, 'base64').subarray(1))];
      expect(readBundle('axolotl', item('current', payload), expected.profanityDeviceId)).toMatchObject({ ok: false, problem: /32 bytes/ });
    } finally {
      ik.children = [original];
    }
  });

  it(`checks at most ${MAX_PREKEYS} prekeys, and counts too few, bad and repeated ones`, () => {
    const many = omemo2Device({ prekeys: 500 });
    const reading = read(many.bundle());
    expect(reading).toMatchObject({ ok: true, bundle: { preKeyCount: MAX_PREKEYS, problems: [`more than ${MAX_PREKEYS} prekeys; the first ${MAX_PREKEYS} were checked`] } });

    const bad = xml(
      'bundle',
      { xmlns: NS.omemo2 },
      xml('spk', { id: '1' }, b64(device.spk)),
      xml('spks', {}, b64(device.spks)),
      xml('ik', {}, b64(device.ik)),
      xml('prekeys', {}, xml('pk', { id: '1' }, b64(device.spk)), xml('pk', { id: '1' }, b64(device.spk)), xml('pk', { id: '0' }, b64(device.spk)), xml('pk', { id: '2' }, 'AAAA')),
    );
    expect(read(bad)).toMatchObject({
      ok: true,
      bundle: { preKeyCount: 1, signatureValid: true, problems: ['3 prekeys have a bad or repeated id or key', '1 prekeys; XEP-0384 asks for at least 25'] },
    });
  });

  it('knows where each version keeps a device’s bundle', () => {
    expect(bundleLocation('axolotl', 42)).toEqual({ node: 'eu.siacs.conversations.axolotl.bundles:42', itemId: undefined });
    expect(bundleLocation('omemo2', 42)).toEqual({ node: 'urn:xmpp:omemo:2:bundles', itemId: '42' });
  });
});

describe('the two forms of one identity key (RFC 7748 §4.1)', () => {
  it('maps the Ed25519 key python-omemo made to the Curve25519 key python-xeddsa computed, and back', () => {
    const ed = Buffer.from(expected.pythonOmemoEd25519, 'hex');
    const curve = edwardsToMontgomery(ed);
    expect(curve?.toString('hex')).toBe(expected.pythonOmemoCurve25519);
    const sign = ((ed[31] ?? 0) >> 7) as 0 | 1;
    expect(montgomeryToEdwards(curve ?? Buffer.alloc(0), sign)?.equals(ed)).toBe(true);
  });

  it('answers undefined or false for bytes that are no key, never throwing', () => {
    expect(edwardsToMontgomery(Buffer.alloc(31))).toBeUndefined();
    expect(edwardsToMontgomery(Buffer.alloc(32, 0xff))).toBeUndefined(); // y ≥ p
    const minusOne = Buffer.from('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', 'hex'); // u = p - 1
    expect(montgomeryToEdwards(minusOne, 0)).toBeUndefined();
    expect(verifyCurve25519Signature(Buffer.alloc(32), Buffer.from('m'), Buffer.alloc(64))).toBe(false);
    expect(verifyCurve25519Signature(Buffer.alloc(32, 9), Buffer.from('m'), Buffer.alloc(63))).toBe(false);
  });
});
