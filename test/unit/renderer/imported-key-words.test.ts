/**
 * An imported key is named by the day it was imported, never as "made" then: its certificate has its
 * own dates, and an expired one read "Key made 5 Dec 2026 · Expired 5 Nov 2026". An import whose
 * certificate cannot serve now (expired, not started) says so, with the renewal the app offers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyExpiry } from '../../../contract/index.js';
import { importedValidityNote, keyName } from '../../../renderer/src/lib/own-keys.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-05T10:00:00Z');
const valid: KeyExpiry = { level: 'none', daysLeft: 400 };

let zone: string | undefined;
beforeEach(() => {
  zone = process.env.TZ;
  process.env.TZ = 'UTC';
});
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

describe('an imported key’s name and import outcome', () => {
  it('is named by its import day as imported; a key made here still as made', () => {
    expect(keyName({ createdAt: '2026-12-05T10:00:00Z', imported: true })).toBe('Key imported 5 Dec 2026');
    expect(keyName({ createdAt: '2026-12-05T10:00:00Z' })).toBe('Key made 5 Dec 2026');
    expect(keyName({ createdAt: '2026-12-05T10:00:00Z', imported: true, label: 'Work laptop' })).toBe('Work laptop');
  });

  it('an expired certificate: says when it expired and to renew it', () => {
    const note = importedValidityNote(
      { expiry: { level: 'expired', daysAgo: 30 }, notBefore: new Date(NOW - 400 * DAY).toISOString(), notAfter: new Date(NOW - 30 * DAY).toISOString() },
      NOW,
    );
    expect(note).toEqual({
      problem: 'Its certificate expired on 5 Nov 2026: contacts’ apps refuse it.',
      nextStep: 'Renew it (Renew… on its card) to give the same key a fresh certificate, then publish that.',
    });
  });

  it('a certificate not started yet: says from when, and that a renewal starts it today', () => {
    const note = importedValidityNote(
      { expiry: valid, notYetValid: true, notBefore: new Date(NOW + 30 * DAY).toISOString(), notAfter: new Date(NOW + 400 * DAY).toISOString() },
      NOW,
    );
    expect(note).toEqual({
      problem: 'Its certificate is not valid until 4 Jan 2027: contacts’ apps may refuse it until then.',
      nextStep: 'Wait until then, or renew it (Renew… on its card) for a certificate valid from today.',
    });
  });

  it('a certificate valid now, even one expiring soon, adds nothing to the import', () => {
    expect(importedValidityNote({ expiry: valid, notBefore: new Date(NOW - DAY).toISOString(), notAfter: new Date(NOW + 300 * DAY).toISOString() }, NOW)).toBeUndefined();
    expect(importedValidityNote({ expiry: { level: 'within-7-days', daysLeft: 5 }, notBefore: undefined, notAfter: new Date(NOW + 5 * DAY).toISOString() }, NOW)).toBeUndefined();
  });
});
