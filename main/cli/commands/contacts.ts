/**
 * `keyring contacts …`: the roster, and what a contact publishes.
 *
 * Offline by choice, as gpg is: `contacts list` shows the contact list the app last saved (every
 * sign-in of the app, and `--refresh`, keep it current) and signs in only with `--refresh`, or when
 * nothing is saved yet and the password is at hand;
 * `contacts keys JID` asks the contact's server, and with `--cached` shows what the vault knows of
 * their keys from before without signing in. Whenever the answer comes from the vault, a line on
 * stderr says so and from when, so stdout stays the answer alone.
 */
import { Argument, type Command } from 'commander';
import { compactFingerprint, formatOtherKeyFingerprint, otherKeyStyleOf, parseOtherKeyFingerprint, shortFingerprint, TRUST_POLICY_TEXT, X509_STYLE } from '../../../contract/format.js';
import { TRUST_POLICIES, type ContactKeysView, type KeyringApi, type OtherKeysView, type OtherKeyView, type Result } from '../../../contract/index.js';
import { unreadKeysWords } from '../../services/contact-keys.js';
import { CliError, must, type CliContext } from '../context.js';
import { currentOtherKeys, currentX509, describeContactKeys, describeContacts, describeMismatch, describeOtherKeys, otherKeyName, safe } from '../output.js';

/** A read of a contact's keys that failed, as `contacts keys` reports it. */
const UNREAD_CODES = { unreachable: 'server-unreachable', refused: 'forbidden', failed: 'protocol-error' } as const;

/** A sign-in that failed because the server could not be reached: offline data can still help. */
const UNREACHABLE_CODES = new Set(['server-unreachable', 'timeout']);

export function contactsCommands(program: Command, cli: CliContext): void {
  const contacts = program.command('contacts').description('your contacts and their keys');
  const fetchRoster = () =>
    cli.online(async (api) => {
      const roster = must(await api.roster.list({ fresh: true }));
      cli.emit(roster, describeContacts(roster));
    });
  contacts
    .command('list')
    .description('roster with groups and subscription states (as last saved; --refresh signs in and fetches it)')
    .option('--refresh', 'sign in and fetch the roster now')
    .action(async (options: { refresh?: boolean }) => {
      if (options.refresh) return fetchRoster();
      const shown = await cli.offline(async (api) => {
        const saved = must(await api.roster.saved());
        if (!saved) return false;
        cli.note(`showing your contact list as saved ${when(saved.savedAt)} (not signed in; --refresh fetches it now).`);
        cli.emit(saved.contacts, describeContacts(saved.contacts));
        return true;
      });
      if (shown) return;
      // Nothing saved yet (only the app's sign-ins and --refresh save it): with the password at hand the
      // list is fetched now, as --refresh would, rather than refused; without it, how to get one.
      if (!cli.hasPassword()) {
        throw new CliError(
          { code: 'not-found', message: 'No contact list saved for this account yet: run `keyring contacts list --refresh` once online.' },
          1,
        );
      }
      cli.note('no contact list saved for this account yet: signing in to fetch it.');
      return fetchRoster();
    });
  contacts
    .command('keys <jid>')
    .description('fetch that contact’s published keys now, with validity, JID binding and trust (--cached: what is known, offline)')
    .option('--cached', 'show the keys known from before, without signing in')
    .action((jid: string, options: { cached?: boolean }) =>
      options.cached
        ? cli.offline(async (api) => {
            const view = must(await api.contacts.knownKeys({ jid }));
            cli.note(`showing the keys known from before (not fetched now; without --cached their server is asked).`);
            cli.emit(view, describeContactKeys(view));
          })
        : cli
            .online(async (api) => {
              const view = must(await api.contacts.fetchKeys({ jid }));
              if (view.fetch === 'refused') {
                throw new CliError({ code: 'forbidden', message: `${safe(jid)} does not let you read their keys (${safe(view.detail ?? 'refused')}).` }, 1);
              }
              if (view.fetch === 'unreachable') {
                // Not "no keys": nothing is known about them (their server is down, or the link to it hangs).
                throw new CliError({ code: 'server-unreachable', message: unreachableMessage(jid, 'keys', view.detail) }, 1);
              }
              if (view.fetch === 'failed') {
                throw new CliError({ code: 'protocol-error', message: `Could not fetch ${safe(jid)}'s keys (${safe(view.detail ?? 'error')}).` }, 1);
              }
              cli.emit(view, describeContactKeys(view));
            })
            .catch((error: unknown) => {
              // Our own server is down: say what still works rather than leave the user with nothing.
              if (error instanceof CliError && UNREACHABLE_CODES.has(error.error.code) && !error.error.message.includes('--cached')) {
                throw new CliError({ ...error.error, message: `${error.error.message} (--cached shows the keys known from before)` }, error.exitCode);
              }
              throw error;
            }),
    );
  contacts
    .command('verify <jid> <fingerprint-or-uri>')
    .description(
      'compare a contact’s fingerprint (X.509, or their xmpp:…?x509-sha256=… link; OMEMO or OpenPGP as their app prints it) with their current keys; the matching key is verified',
    )
    .action((jid: string, claim: string) =>
      cli.online(async (api) => {
        // Their current keys, as their server has them now: a withdrawn key is never verified.
        let x509: ContactKeysView | undefined;
        const isX509 = async (fingerprint: string) => {
          x509 = must(await api.contacts.fetchKeys({ jid }));
          return x509.keys.some((k) => k.fingerprint === fingerprint && k.trust !== 'retracted');
        };
        let devices: OtherKeysView | undefined;
        const other = await otherAppFingerprint(api, jid, claim, (k) => k.state !== 'removed', isX509, (view) => (devices = view));
        // 40 digits are an OpenPGP fingerprint's length. When they have no OMEMO device or OpenPGP key at
        // all (main would answer "read them first", as if nothing had been read) but have X.509 keys, the
        // digits are most likely an X.509 fingerprint cut short: said so. With other apps' keys of
        // theirs, it stays a mismatch with those, recorded as such.
        if (other?.length === 40 && !devices?.keys.some((k) => k.state !== 'removed')) {
          x509 ??= must(await api.contacts.fetchKeys({ jid }));
          if (x509.keys.some((k) => k.trust !== 'retracted')) {
            throw new CliError(
              {
                code: 'not-found',
                message: `${safe(jid)} has no OpenPGP key with these 40 digits, and nothing was verified.`,
                nextStep: 'Their keys here are X.509: an X.509 fingerprint has 64 digits; compare all of them.',
              },
              1,
            );
          }
        }
        if (other !== undefined) {
          const answer = must(await api.devices.verify({ jid, fingerprint: other }));
          const shown = formatOtherKeyFingerprint(other.length === 40 ? 'openpgp' : 'omemo', other);
          if (answer.outcome === 'mismatch') {
            const { whole, difference } = describeMismatch(answer.offered, currentOtherKeys(answer.view), otherKeyStyleOf(answer.offered));
            throw new CliError(
              { code: 'not-found', message: `${whole} matches none of ${safe(jid)}'s current OMEMO devices or OpenPGP keys: nothing was verified (the mismatch is recorded). ${difference}.` },
              1,
            );
          }
          cli.emit(answer, `Verified ${safe(jid)}'s ${namesOf(answer.view, other)} ${shown}.`);
          return;
        }
        // Compared with the vault's copy only when this read of their keys worked: if their server could
        // not be read now, a key they withdrew since would still look current there.
        const read = x509 ?? must(await api.contacts.fetchKeys({ jid }));
        if (read.fetch !== 'ok' && read.fetch !== 'none') {
          const status = read.fetch === 'refused' || read.fetch === 'unreachable' ? read.fetch : 'failed';
          const { message, nextStep } = unreadKeysWords(safe(jid), { status, ...(read.detail === undefined ? {} : { detail: read.detail }) });
          throw new CliError({ code: UNREAD_CODES[status], message, nextStep }, 1);
        }
        const answer = must(await api.contacts.verify({ jid, claim }));
        if (answer.outcome === 'mismatch') {
          // The whole of it: a near miss begins exactly like their key, so its first digits would look like theirs.
          const { whole, difference } = describeMismatch(answer.offered, currentX509(answer.view), X509_STYLE);
          throw new CliError(
            { code: 'not-found', message: `${whole} matches none of ${safe(jid)}'s current keys: nothing was verified (the mismatch is recorded). ${difference}.` },
            1,
          );
        }
        cli.emit(answer, `Verified ${safe(jid)}'s key ${shortFingerprint(answer.fingerprint)}.`);
      }),
    );
  keyDecision(contacts, cli, 'accept <jid> <fingerprint>', 'accept a changed key without comparing (X.509, OMEMO device or OpenPGP key): its warning clears, the trust policy decides the rest', {
    x509Trust: 'changed', wanted: (k) => k.state === 'changed',
    other: (api, jid, fingerprint) => api.devices.accept({ jid, fingerprint }), otherText: (jid, names) => `Accepted ${jid}'s changed ${names} without comparing.`,
    x509: (api, jid, fingerprint) => api.contacts.accept({ jid, fingerprint }), x509Text: (jid, fp) => `Accepted ${jid}'s changed key ${shortFingerprint(compactFingerprint(fp))} without comparing.`,
  });
  keyDecision(contacts, cli, 'unverify <jid> <fingerprint>', 'take back a verification (X.509, OMEMO device or OpenPGP key): the trust policy decides its trust again', {
    x509Trust: 'verified', wanted: (k) => k.decision === 'verified',
    other: (api, jid, fingerprint) => api.devices.unverify({ jid, fingerprint }), otherText: (jid, names) => `Took back the verification of ${jid}'s ${names}.`,
    x509: (api, jid, fingerprint) => api.contacts.unverify({ jid, fingerprint }), x509Text: (jid, fp, view) => `${jid}'s key ${shortFingerprint(fp)} is no longer verified.${trustAfterUnverify(view, fp)}`,
  });
  contacts
    .command('trust <jid>')
    .addArgument(new Argument('<policy>', 'tofu, btbv or manual').choices(TRUST_POLICIES))
    .description('set the trust policy for this contact: tofu (trust on first use), btbv (blind trust before verification) or manual')
    .action(
      cli.answer(
        (api, jid: string, policy: (typeof TRUST_POLICIES)[number]) => api.contacts.setPolicy({ jid, policy }),
        (view, jid) => `${safe(jid)}: ${TRUST_POLICY_TEXT[view.policy].name}. ${TRUST_POLICY_TEXT[view.policy].meaning}`,
      ),
    );
  contacts
    .command('trust-default')
    .addArgument(new Argument('<policy>', 'tofu, btbv or manual').choices(TRUST_POLICIES))
    .description('set the account’s trust policy, for every contact without one of their own')
    .action((policy: (typeof TRUST_POLICIES)[number]) =>
      cli.online(async (api) => {
        const set = must(await api.contacts.setAccountPolicy({ policy }));
        cli.emit({ policy: set }, `Your default: ${TRUST_POLICY_TEXT[set].name}. ${TRUST_POLICY_TEXT[set].meaning}`);
      }),
    );
  contacts
    .command('devices <jid>')
    .description('that contact’s OMEMO devices and OpenPGP keys, as other apps show them, with changes since last time')
    .action((jid: string) =>
      cli.online(async (api) => {
        const view = must(await api.devices.fetchContact({ jid }));
        const unreachable = view.sources.find((s) => s.status === 'unreachable');
        if (unreachable && view.sources.every((s) => s.status === 'unreachable')) {
          throw new CliError({ code: 'server-unreachable', message: unreachableMessage(jid, 'devices', unreachable.detail) }, 1);
        }
        // Nothing readable and something refused: a failure (exit 1), as `contacts keys` and `profile show` say it.
        const refused = view.sources.find((s) => s.status === 'refused' || s.status === 'failed');
        if (refused && !view.sources.some((s) => s.status === 'ok' || s.status === 'invalid')) {
          const detail = safe(refused.detail ?? refused.status);
          throw refused.status === 'refused'
            ? new CliError({ code: 'forbidden', message: `${safe(jid)} does not let you read their OMEMO devices or OpenPGP keys (${detail}).` }, 1)
            : new CliError({ code: 'protocol-error', message: `Could not fetch ${safe(jid)}'s OMEMO devices or OpenPGP keys (${detail}).` }, 1);
        }
        cli.emit(view, describeOtherKeys(view));
      }),
    );
}

/** A decision on one key (accept, unverify) that names an X.509 key or another app's key by its fingerprint. */
interface KeyDecision {
  /** The trust an X.509 key with that fingerprint must have for the command to mean it. */
  x509Trust: ContactKeysView['keys'][number]['trust'];
  /** Which of the contact's other apps' keys the command can mean. */
  wanted: (k: OtherKeyView) => boolean;
  other: (api: KeyringApi, jid: string, fingerprint: string) => Promise<Result<OtherKeysView>>;
  otherText: (jid: string, names: string) => string;
  x509: (api: KeyringApi, jid: string, fingerprint: string) => Promise<Result<ContactKeysView>>;
  x509Text: (jid: string, fingerprint: string, view: ContactKeysView) => string;
}

/**
 * What a key is once its verification is taken back (contact-keys.ts markUnverified puts it where it
 * was before): a change never accepted warns again, loudly, as `contacts keys` shows it.
 */
function trustAfterUnverify(view: ContactKeysView, fingerprint: string): string {
  const key = view.keys.find((k) => k.fingerprint === compactFingerprint(fingerprint));
  if (!key) return '';
  if (key.trust === 'changed') return '\n!! KEY CHANGED: it replaced a key you had seen and the change was never accepted; compare fingerprints before trusting it.';
  return ` Its trust now: ${safe(key.decision)}${key.acceptedAt ? ' (you accepted it without comparing)' : ''}.`;
}

function keyDecision(contacts: Command, cli: CliContext, usage: string, description: string, d: KeyDecision): void {
  contacts
    .command(usage)
    .description(description)
    .action((jid: string, fingerprint: string) =>
      cli.online(async (api) => {
        const isX509 = async (compact: string) => {
          const known = must(await api.contacts.knownKeys({ jid }));
          return known.keys.some((k) => k.fingerprint === compact && k.trust === d.x509Trust);
        };
        const other = await otherAppFingerprint(api, jid, fingerprint, d.wanted, isX509);
        if (other !== undefined) {
          const view = must(await d.other(api, jid, other));
          cli.emit(view, `${d.otherText(safe(jid), namesOf(view, other))}\n${describeOtherKeys(view)}`);
          return;
        }
        const view = must(await d.x509(api, jid, fingerprint));
        cli.emit(view, d.x509Text(safe(jid), fingerprint, view));
      }),
    );
}

/**
 * Whether `text` names one of the contact's other apps' keys (as `wanted` picks them), read now from
 * their server: its stored form if so, undefined for an X.509 fingerprint or link. 40 digits can only be
 * OpenPGP, and a leading "05" only OMEMO; 64 digits (both are SHA-256 sized; however grouped, with
 * dashes as Profanity prints them or not) are an X.509 key when `isX509` says one of theirs has them,
 * else OMEMO when one of their devices has them, else X.509 again (where a comparison that matched
 * nothing is recorded).
 */
async function otherAppFingerprint(
  api: KeyringApi,
  jid: string,
  text: string,
  wanted: (k: OtherKeyView) => boolean,
  isX509: (fingerprint: string) => Promise<boolean>,
  read?: (view: OtherKeysView) => void,
): Promise<string | undefined> {
  const parsed = parseOtherKeyFingerprint(text);
  if ('problem' in parsed) return undefined;
  const sha256Sized = /^[0-9a-f]{64}$/.test(compactFingerprint(text));
  if (sha256Sized && (await isX509(parsed.fingerprint))) return undefined;
  const view = must(await api.devices.fetchContact({ jid }));
  read?.(view);
  if (!sha256Sized) return parsed.fingerprint;
  // One of their devices listed now (or the one the command means): its own answer ("not verified:
  // nothing to take back") says more than an X.509 key not found.
  return view.keys.some((k) => k.fingerprint === parsed.fingerprint && (wanted(k) || k.state !== 'removed')) ? parsed.fingerprint : undefined;
}

/** "OMEMO device 1717 and OMEMO 2 device 5151": the keys with that fingerprint. */
function namesOf(view: OtherKeysView, fingerprint: string): string {
  return view.keys
    .filter((k) => k.fingerprint === fingerprint && k.state !== 'removed')
    .map(otherKeyName)
    .join(' and ');
}

/** A contact whose server could not be reached: said as such, never as "publishes nothing". */
export function unreachableMessage(jid: string, what: 'keys' | 'profile' | 'devices', detail: string | undefined): string {
  return `Their server is unreachable: could not fetch ${jid}'s ${what} (${safe(detail ?? 'no answer')}).`;
}

/** A saved time as people read it: date and minute, UTC. */
function when(iso: string): string {
  return `on ${iso.slice(0, 10)} at ${iso.slice(11, 16)} UTC`;
}
