import { describe, expect, it } from 'vitest';
import { addressParts, boundAddressParts, splitAddresses } from '../../../renderer/src/components/address-text.js';

describe('addresses shown on screen break only at the "@" and before a resource', () => {
  it('cuts an address into the parts a line may break between', () => {
    expect(addressParts('romeo-montague-of-verona@capulet.lit')).toEqual(['romeo-montague-of-verona', '@capulet.lit']);
    expect(addressParts('juliet@capulet.lit/balcony@night')).toEqual(['juliet', '@capulet.lit', '/balcony@night']);
    expect(addressParts('capulet.lit')).toEqual(['capulet.lit']);
    expect(addressParts('capulet.lit/admin')).toEqual(['capulet.lit', '/admin']);
    expect(addressParts('@odd')).toEqual(['@odd']);
  });

  it('finds the addresses the app names in its sentences, leaving punctuation and possessives outside', () => {
    expect(splitAddresses("Marked juliet@capulet.lit's key as verified")).toEqual([
      { text: 'Marked ', address: false },
      { text: 'juliet@capulet.lit', address: true },
      { text: "'s key as verified", address: false },
    ]);
    expect(splitAddresses('Profile update from a-long-name@montague.lit.')).toEqual([
      { text: 'Profile update from ', address: false },
      { text: 'a-long-name@montague.lit', address: true },
      { text: '.', address: false },
    ]);
    expect(splitAddresses('Key from x@y.z/phone (now)').filter((p) => p.address)).toEqual([{ text: 'x@y.z/phone', address: true }]);
    expect(splitAddresses('New 2048-bit key')).toEqual([{ text: 'New 2048-bit key', address: false }]);
  });
});

describe('the account screen names the account, and this connection\'s resource apart', () => {
  it('cuts a bound address at its first "/" into the bare address and the resource', () => {
    expect(boundAddressParts('juliet@capulet.lit/keyring-22f2ffd9')).toEqual({ bare: 'juliet@capulet.lit', resource: 'keyring-22f2ffd9' });
    // A resource may itself hold "/" and "@" (RFC 7622 §3.4): only the first "/" ends the bare part.
    expect(boundAddressParts('juliet@capulet.lit/balcony/night@9')).toEqual({ bare: 'juliet@capulet.lit', resource: 'balcony/night@9' });
  });

  it('an address without a resource (not bound yet) or with an empty one is the bare address alone', () => {
    expect(boundAddressParts('juliet@capulet.lit')).toEqual({ bare: 'juliet@capulet.lit' });
    expect(boundAddressParts('juliet@capulet.lit/')).toEqual({ bare: 'juliet@capulet.lit' });
  });
});
