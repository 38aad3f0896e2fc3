/**
 * The items real clients published, captured by the interop tests (test/fixtures/interop/README.md),
 * read back as the `RawItem`s the app's fetch gives the readers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import parseXml from '@xmpp/xml/lib/parse.js';
import { parseItems, type RawItem } from '../../../main/xmpp/pubsub.js';

const FOLDER = join(import.meta.dirname, '..', '..', 'fixtures', 'interop');

export function fixtureItems(name: string): RawItem[] {
  return parseItems(parseXml(readFileSync(join(FOLDER, `${name}.xml`), 'utf8')));
}

export function fixtureItem(name: string): RawItem {
  const [item] = fixtureItems(name);
  if (!item) throw new Error(`fixture ${name} has no item`);
  return item;
}

export interface Expected {
  profanityDeviceId: number;
  profanityOmemoFingerprint: string;
  gpgFingerprint: string;
  gpgCreated: string;
  gpgUserId: string;
  profanityOxFingerprint: string;
  nbxmppBundle1717Fingerprint: string;
  pythonOmemoEd25519: string;
  pythonOmemoCurve25519: string;
  gpgRsaFingerprint: string;
  gpgRsaCreated: string;
  gpgRsaUserId: string;
}

export const expected = JSON.parse(readFileSync(join(FOLDER, 'expected.json'), 'utf8')) as Expected;
