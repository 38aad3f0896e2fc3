/**
 * Which PEP notifications the account's server delivers, from what was measured on that server software
 * (docs/servers.md, README "Supported servers"). No server advertises this (XEP-0060 §7.1.2 lets a
 * service choose whom it notifies), and testing it live would need an account on another server, so the
 * capability report states what is known for the software the server names (XEP-0092), and "unknown"
 * for anything not measured, rather than guess.
 */
import type { NotificationBehaviour } from '../../contract/index.js';
import type { ServerSoftware } from './server-software.js';

/** What was measured on one release line of one server software (`versions` picks the line). */
interface Measured {
  name: RegExp;
  versions: (version: YearMonthOrDotted) => boolean;
  behaviour: Required<NotificationBehaviour>;
}

type YearMonthOrDotted = number[];

const MEASURED: Measured[] = [
  // Prosody 0.12.3 (Debian 12), one server and across two (test/integration/federation.test.ts).
  {
    name: /^prosody$/i,
    versions: (v) => v[0] === 0 && v[1] === 12,
    behaviour: { remoteContacts: 'delivered', whitelistMembers: 'delivered', retractions: 'delivered', measuredOn: 'Prosody 0.12' },
  },
  // ejabberd 23.01 (Debian 12): remote presence and roster-group contacts notified; whitelist members
  // who are not presence contacts get no push; no retract notifications before 24.12 (its changelog).
  {
    name: /^ejabberd$/i,
    versions: (v) => v[0] === 23 && v[1] === 1,
    behaviour: { remoteContacts: 'delivered', whitelistMembers: 'not-delivered', retractions: 'not-delivered', measuredOn: 'ejabberd 23.01' },
  },
];

const UNKNOWN: NotificationBehaviour = {
  remoteContacts: 'unknown',
  whitelistMembers: 'unknown',
  retractions: 'unknown',
};

export function knownNotificationBehaviour(software: ServerSoftware | undefined): NotificationBehaviour {
  if (!software) return UNKNOWN;
  const version = parseVersion(software.version);
  const row = MEASURED.find((m) => m.name.test(software.name) && m.versions(version));
  if (row) return { ...row.behaviour };
  // Not measured here; ejabberd's changelog still tells its retractions apart (sent from 24.12 on).
  if (/^ejabberd$/i.test(software.name) && version.length >= 2) {
    return { ...UNKNOWN, retractions: before(version, [24, 12]) ? 'not-delivered' : 'delivered' };
  }
  return UNKNOWN;
}

/** "23.01" → [23, 1]; "0.12.3" → [0, 12, 3]; anything else → [] (nothing matches). */
function parseVersion(text: string): YearMonthOrDotted {
  const match = /^(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?/.exec(text.trim());
  if (!match) return [];
  return match.slice(1).filter((part): part is string => part !== undefined).map(Number);
}

function before(version: YearMonthOrDotted, than: [number, number]): boolean {
  const [major = 0, minor = 0] = version;
  return major < than[0] || (major === than[0] && minor < than[1]);
}
