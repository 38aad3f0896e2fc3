/**
 * What a contact's key changes mean in the Activity list, as plain entries (ContactsStore adds them).
 * One entry per key, or one line per kind when a fetch brings many: a contact publishing dozens of keys
 * at once must not bury everything else.
 */
import type { ContactKeysView, ContactKeyView, KeyChangeView } from '../../../contract';
import type { ActivityKind } from './activity.svelte';
import { formatCount } from './format';
import { newKeyLine } from './wording';

export interface KeyActivityEntry {
  kind: ActivityKind;
  text: string;
  fingerprint?: string;
}

export function keyActivity(view: ContactKeysView, maxPerKind: number): KeyActivityEntry[] {
  const entries: KeyActivityEntry[] = [];
  const keyOf = (fingerprint: string) => view.keys.find((k) => k.fingerprint === fingerprint);
  const report = (changes: readonly KeyChangeView[], kind: ActivityKind, words: (change: KeyChangeView) => string, many: (n: number) => string) => {
    if (changes.length > maxPerKind) entries.push({ kind, text: many(changes.length) });
    else for (const change of changes) entries.push({ kind, text: words(change), fingerprint: change.fingerprint });
  };
  const of = (kind: KeyChangeView['kind']) => view.changes.filter((c) => c.kind === kind);
  report(of('changed'), 'changed', () => 'NEW key replacing one you had: compare it', (n) => `${n} NEW keys replacing ones you had: compare them`);
  // A new key beside one the user verified is what a compromised server would add: trusted on first use
  // by the policy, still said as not compared (the user chose to check this contact). One the policy
  // does not trust yet says what it waits for.
  const verifiedOne = view.keys.some((k) => k.decision === 'verified');
  report(of('new'), 'received', (c) => newKeyActivityLine(keyOf(c.fingerprint), verifiedOne), (n) => `${n} new keys`);
  // A key that came back is as loud as when it first stood in for another, if it is still that change
  // (main keeps it one until compared or accepted): withdrawing and publishing it again clears nothing.
  const reappeared = of('reappeared');
  const stillChanges = reappeared.filter((c) => keyOf(c.fingerprint)?.decision === 'changed');
  report(stillChanges, 'changed', () => 'A key that replaced one you had is published again, still not compared: compare it', (n) => `${n} keys that replaced ones you had are published again, still not compared: compare them`);
  report(reappeared.filter((c) => !stillChanges.includes(c)), 'received', () => 'A withdrawn key was published again', (n) => `${n} withdrawn keys published again`);
  const continuesVerified = (fingerprint: string) => keyOf(fingerprint)?.continues?.verified === true;
  // A key continuing one that was itself a change never compared takes that state on (main keeps it a
  // change): as loud as its predecessor, never "no change" beside the contact's red alarm.
  const continued = of('continued');
  const continuedChanges = continued.filter((c) => keyOf(c.fingerprint)?.decision === 'changed');
  report(
    continuedChanges,
    'changed',
    () => 'New key that continues one you never compared: still a change, compare it',
    (n) => `${n} new keys that continue ones you never compared: compare them`,
  );
  report(
    continued.filter((c) => !continuedChanges.includes(c)),
    'received',
    (c) => (continuesVerified(c.fingerprint) ? 'New key that continues a key you verified' : 'New key that continues one you had seen (no change)'),
    (n) => `${n} new keys that continue ones you knew`,
  );
  report(of('revoked'), 'retracted', () => 'Key REVOKED by its owner: it is never used again', (n) => `${formatCount(n)} keys revoked by their owner`);
  report(of('retracted'), 'retracted', () => 'Key withdrawn by its owner', (n) => `${formatCount(n)} keys withdrawn by their owner`);
  return entries;
}

/** A new key's line: its size, and what the policy made of it when that is news beside a verified key. */
function newKeyActivityLine(key: ContactKeyView | undefined, verifiedOne: boolean): string {
  const line = newKeyLine(key?.bits);
  if (key?.decision === 'untrusted') return `${line}: not trusted until you compare it`;
  if (key?.decision === 'trusted' && verifiedOne) return `${line} beside one you verified: trusted on first use, not compared`;
  return line;
}

/**
 * The line for a verification the user took back (`what`: "a verification", "the verification of OMEMO
 * device 123"). Their own decision is no alarm and is said plainly; only when the key is left a change
 * they never accepted (main puts it back as it was before the verification) is the line loud, as that
 * change is.
 */
export function verificationTakenBack(what: string, stillAChange: boolean): Omit<KeyActivityEntry, 'fingerprint'> {
  return stillAChange ? { kind: 'changed', text: `You took back ${what}: the key is a change you never accepted, compare it` } : { kind: 'taken-back', text: `You took back ${what}` };
}
