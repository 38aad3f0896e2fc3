/**
 * The My keys backup reminder says keys still in use apart from retired ones (revoked, or replaced by a
 * renewal), whose private half still opens what was encrypted to them (review walk 4: "4 of your keys
 * are in no backup" counted two retired keys as if they were current).
 */
import { describe, expect, it } from 'vitest';
import { backupReminderText } from '../../../renderer/src/lib/own-keys.js';

const revoked = { date: '2026-12-05T10:00:00Z', reason: 'retired' as const };
const keys = [
  { fingerprint: 'a'.repeat(64) },
  { fingerprint: 'b'.repeat(64), continues: 'c'.repeat(64) },
  { fingerprint: 'c'.repeat(64) },
  { fingerprint: 'd'.repeat(64), revoked },
];

describe('the backup reminder', () => {
  it('says nothing when every key is in a backup', () => {
    expect(backupReminderText([], keys)).toBeUndefined();
  });

  it('keys in use only: as before', () => {
    expect(backupReminderText(['a'.repeat(64)], keys)).toBe('One of your keys is in no backup. If this computer is lost, it is lost with it.');
    expect(backupReminderText(['a'.repeat(64), 'b'.repeat(64)], keys)).toBe('2 of your keys are in no backup. If this computer is lost, they are lost with it.');
  });

  it('counts a replaced and a revoked key as retired, apart from the current ones, and says what they are still for', () => {
    expect(backupReminderText(['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64), 'd'.repeat(64)], keys)).toBe(
      '2 current keys and 2 retired keys (revoked or replaced) are in no backup. If this computer is lost, the current ones are lost with it, and what was encrypted to the retired ones before can no longer be read.',
    );
    expect(backupReminderText(['a'.repeat(64), 'd'.repeat(64)], keys)).toBe(
      'One current key and one retired key (revoked or replaced) are in no backup. If this computer is lost, the current one is lost with it, and what was encrypted to the retired one before can no longer be read.',
    );
  });

  it('retired keys only: never "your keys" as if they were in use', () => {
    expect(backupReminderText(['d'.repeat(64)], keys)).toBe(
      'One retired key (revoked or replaced) is in no backup. It is no longer used, but still needed to read what was encrypted to it before: if this computer is lost, that can no longer be read.',
    );
  });
});
