/**
 * A key new to the app reads the same wherever Activity tells it, made here or received from a
 * contact: "New RSA 2048 key", its size written as the key cards write it ("RSA 2048").
 */
import { describe, expect, it } from 'vitest';
import { keyKind, newKeyLine, profileAudience } from '../../../renderer/src/lib/wording.js';
import { describeAccess } from '../../../renderer/src/lib/format.js';

describe('one wording for a new key, with its size', () => {
  it('names the kind and size as the key cards do', () => {
    expect(keyKind(3072)).toBe('RSA 3072');
    expect(newKeyLine(2048)).toBe('New RSA 2048 key');
    expect(newKeyLine(4096)).toBe(`New ${keyKind(4096)} key`);
  });

  it('a size that could not be read is not guessed', () => {
    expect(keyKind(undefined)).toBe('RSA, size unknown');
    expect(newKeyLine(undefined)).toBe('New key');
  });
});

describe('the profile publish in Activity', () => {
  it('says who may read it, from the card node as the server reported it', () => {
    const config = { accessModel: 'roster' as const, rosterGroupsAllowed: ['Friends'], whitelist: [] };
    expect(profileAudience([config, { ...config, accessModel: 'presence' as const }])).toBe(describeAccess('roster', ['Friends'], []));
    expect(profileAudience([])).toBeUndefined();
  });
});
