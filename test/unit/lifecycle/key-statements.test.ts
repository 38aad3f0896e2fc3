/** The statements as XML on the key node: built, read back, and what readers that do not know them see. */
import parseXml from '@xmpp/xml/lib/parse.js';
import xml, { type Element } from '@xmpp/xml';
import { describe, expect, it } from 'vitest';
import { verifyRevocation } from '../../../main/keys/revocation.js';
import { verifySuccession } from '../../../main/keys/succession.js';
import {
  pubkeyPayloadWithSuccession,
  readRevocationItem,
  readSuccession,
  revocationItemId,
  revocationPayload,
} from '../../../main/xmpp/key-statements.js';
import { NS } from '../../../main/xmpp/namespaces.js';
import { MAX_ITEM_BYTES, pubkeyPayload, readPubkeyItem } from '../../../main/xmpp/pubkey-items.js';
import { parseItems, type RawItem } from '../../../main/xmpp/pubsub.js';
import { VECTOR_NOW, vectors } from './support.js';

const parse = (text: string): Element => parseXml(text.trim());
const item = (id: string, payloadXml: string): RawItem =>
  parseItems(parse(`<items node='${NS.pubkey}'><item id='${id}'>${payloadXml}</item></items>`))[0] as RawItem;

const newDer = Buffer.from(vectors.newCertificate, 'base64');
const { statement: succession, keyPayloadXml } = vectors.succession;
const { statement: revocation, payloadXml, itemId } = vectors.revocation;
const SUCCESSION_XML = keyPayloadXml.slice(keyPayloadXml.indexOf('<succession'), keyPayloadXml.indexOf('</key>'));

/** A key payload for the vector's new certificate with `inner` in place of the succession element. */
const keyWith = (inner: string) => parse(`<key xmlns='${NS.pubkey}'><x509cert>${vectors.newCertificate}</x509cert>${inner}</key>`);

describe('the committed XML', () => {
  it('is what the builders write today, byte for byte', () => {
    expect(pubkeyPayloadWithSuccession(newDer, succession).toString()).toBe(keyPayloadXml);
    expect(revocationPayload(revocation).toString()).toBe(payloadXml);
    expect(revocationItemId(revocation.fingerprint)).toBe(itemId);
  });

  it('reads back to the committed statements, which verify', () => {
    const read = readSuccession(parse(keyPayloadXml));
    expect(read).toEqual({ kind: 'statement', statement: succession });
    const oldDer = Buffer.from(vectors.oldCertificate, 'base64');
    expect(verifySuccession(succession, { publisherJid: vectors.jid, newFingerprint: succession.new, oldCertificateDer: oldDer, now: VECTOR_NOW }).valid).toBe(true);
    expect(readRevocationItem(item(itemId, payloadXml))).toEqual({ kind: 'revocation', statement: revocation });
  });
});

describe('what a reader that does not know our namespaces sees', () => {
  it('a key item with a succession: the same certificate as before (the statement is ignored)', () => {
    expect(readPubkeyItem(item(succession.new, keyPayloadXml))).toEqual({ id: succession.new, der: newDer });
  });

  it('a revocation item: no key at all (never a usable certificate)', () => {
    expect(readPubkeyItem(item(itemId, payloadXml))).toEqual({ id: itemId, problem: expect.stringMatching(/no <key/) as unknown });
  });

  it('a plain key item is not a revocation, and carries no succession', () => {
    const plain = item(succession.new, pubkeyPayload(newDer).toString());
    expect(readRevocationItem(plain)).toEqual({ kind: 'other' });
    expect(readSuccession(plain.payload)).toEqual({ kind: 'none' });
    expect(readSuccession(undefined)).toEqual({ kind: 'none' });
    expect(readSuccession(xml('profile', { xmlns: NS.profile }))).toEqual({ kind: 'none' });
  });
});

describe('malformed successions are classified, never thrown', () => {
  const field = (name: string, value: string) => `<${name}>${value}</${name}>`;
  const body = (parts: Record<string, string>, signature = `<signature algorithm='rsa-pss-sha256'>${succession.signature}</signature>`) =>
    `<succession xmlns='${NS.succession}'>${Object.values(parts).join('')}${signature}</succession>`;
  const good = { jid: field('jid', succession.jid), old: field('old', succession.old), new: field('new', succession.new), date: field('date', succession.date) };

  it('accepts a signature wrapped over lines, and the statement still verifies', () => {
    const wrapped = `<signature algorithm='rsa-pss-sha256'>\n  ${succession.signature.slice(0, 100)}\n  ${succession.signature.slice(100)}\n</signature>`;
    expect(readSuccession(keyWith(body(good, wrapped)))).toEqual({ kind: 'statement', statement: succession });
  });

  it.each([
    ['two statements', SUCCESSION_XML + SUCCESSION_XML, /found 2/],
    ['no jid', body({ ...good, jid: '' }), /one <jid\/>, found 0/],
    ['two dates', body({ ...good, date: good.date + good.date }), /one <date\/>, found 2/],
    ['a jid in another namespace', body({ ...good, jid: `<jid xmlns='urn:other'>${succession.jid}</jid>` }), /one <jid\/>, found 0/],
    ['markup inside a field', body({ ...good, old: `<old><b>${succession.old}</b></old>` }), /holds elements/],
    ['a padded jid (signed text must be exact)', body({ ...good, jid: field('jid', ` ${succession.jid}`) }), /malformed <jid\/>/],
    ['an upper-case fingerprint', body({ ...good, new: field('new', succession.new.toUpperCase()) }), /malformed <new\/>/],
    ['a local time', body({ ...good, date: field('date', '2025-06-01T14:00:00+02:00') }), /malformed <date\/>/],
    ['no signature', body(good, ''), /one <signature\/>, found 0/],
    ['a signature without algorithm', body(good, `<signature>${succession.signature}</signature>`), /no algorithm/],
    ['a signature that is not base64', body(good, `<signature algorithm='x'>@@@@</signature>`), /malformed <signature\/>/],
  ])('%s', (_what, inner, problem) => {
    const read = readSuccession(keyWith(inner));
    expect(read.kind).toBe('invalid');
    expect(read.kind === 'invalid' && read.problem).toMatch(problem);
  });
});

describe('malformed revocation items are classified, never thrown', () => {
  it.each([
    ['named like one but holding a key', itemId, pubkeyPayload(newDer).toString(), /no <revocation/],
    ['named like one but empty', itemId, '', /no <revocation/],
    ['under another key’s id', revocationItemId(succession.new), payloadXml, /item id/],
    ['under the key’s own id (would replace the key for old readers)', revocation.fingerprint, payloadXml, /item id/],
    ['without its certificate', itemId, payloadXml.replace(/<x509cert>[^<]*<\/x509cert>/, ''), /one <x509cert\/>, found 0/],
    ['with an unknown reason', itemId, payloadXml.replace('<reason>superseded</reason>', '<reason>lost</reason>'), /malformed <reason\/>/],
  ])('%s', (_what, id, payload, problem) => {
    const read = readRevocationItem(item(id, payload));
    expect(read.kind).toBe('invalid');
    expect(read.kind === 'invalid' && read.problem).toMatch(problem);
  });

  it('refuses an item over the size limit before reading it', () => {
    const big = { ...item(itemId, payloadXml), size: MAX_ITEM_BYTES + 1 };
    expect(readRevocationItem(big)).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/limit/) as unknown });
  });
});

describe('mutated statements (seeded fuzz)', () => {
  it('never throw, and only changes that do not alter the signed text still verify', () => {
    const random = seeded(0x5eed);
    const oldDer = Buffer.from(vectors.oldCertificate, 'base64');
    let parsed = 0;
    for (let round = 0; round < 400; round++) {
      const forRevocation = round % 2 === 1;
      const source = forRevocation ? payloadXml : keyPayloadXml;
      const text = mutate(source, random);
      let element: Element;
      try {
        element = parse(text);
      } catch {
        continue; // not XML: the stream parser would have refused it before us
      }
      parsed++;
      if (forRevocation) {
        const read = readRevocationItem({ id: itemId, payload: element, size: text.length });
        if (read.kind !== 'revocation') continue;
        const check = verifyRevocation(read.statement, { publisherJid: vectors.jid, now: VECTOR_NOW });
        if (check.valid) expect(read.statement).toEqual(revocation);
      } else {
        const read = readSuccession(element);
        if (read.kind !== 'statement') continue;
        const check = verifySuccession(read.statement, { publisherJid: vectors.jid, newFingerprint: succession.new, oldCertificateDer: oldDer, now: VECTOR_NOW });
        if (check.valid) expect(read.statement).toEqual(succession);
      }
    }
    expect(parsed).toBeGreaterThan(100);
  });
});

/** One random edit: flip a character, delete or duplicate a span, or insert markup. */
function mutate(text: string, random: () => number): string {
  const at = Math.floor(random() * text.length);
  const span = 1 + Math.floor(random() * 12);
  switch (Math.floor(random() * 5)) {
    case 0:
      return text.slice(0, at) + String.fromCharCode(32 + Math.floor(random() * 95)) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + text.slice(at + span);
    case 2:
      return text.slice(0, at) + text.slice(at, at + span) + text.slice(at);
    case 3:
      return text.slice(0, at) + '<x/>' + text.slice(at);
    default:
      return text.slice(0, at) + ' ' + text.slice(at);
  }
}

/** mulberry32: a small deterministic generator, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
