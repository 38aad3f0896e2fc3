import type { AvatarPublishResult, ConnectionStatus, EffectiveNodeConfig, IpcError, KeyNodeUnreadView, RenewOutcome, RevokeOutcome } from '../../../contract';
import { describeAccess, describeEmptyGroups, describeRevocationAudience, unverifiedNote } from './format';

/** What to tell the user for each error code: the message from main says what, this says what to do. */
const NEXT_STEP: Partial<Record<IpcError['code'], string>> = {
  'auth-failed': 'Check the address and password.',
  'server-unreachable': 'Check the server name and port, and that you are online.',
  // 'tls-untrusted' has none here: main's error carries its own next step, by the certificate's reason
  // (choose the server's CA, check the clock, a certificate for another name: main/xmpp/connection-errors.ts).
  'tls-required': 'The app signs in only over an encrypted connection. Ask your server admin to turn on encryption (STARTTLS), or use another server.',
  'auth-required': 'The app goes online only after a login it can check. Ask your server admin, or use another server.',
  'pep-unsupported': 'Ask your server admin to enable PEP with publish-options, or use another server.',
  'access-not-revoked':
    'Your server keeps giving access to people you removed. Publish for “Only contacts I choose” with the right people, or ask your server admin.',
  'vault-tampered':
    'Someone or something changed the vault file without your passphrase. Nothing in it was used; restore the vault folder from your own backup.',
  // 'vault-in-use' has none here: main's message names who holds the vault and so what to close
  // (main/vault/vault-lock.ts), words the CLI prints as they are.
  timeout: 'Try again; the server may be busy.',
  'wrong-backup-code': 'Use the code shown or printed when this backup was made (the printed page names its date). Nothing was changed.',
  'backup-code-mistyped': 'Nothing was changed.',
  // Whether the person ever kept a copy on the account is not known here: said as a condition (walk 6).
  'backup-damaged': 'Nothing was changed. Try another copy of the backup file, or the copy on your account if you kept one there.',
  'no-backup': 'Restore from a backup file instead, or make a backup on the device that has your keys.',
  'backup-incomplete': 'Nothing was changed. Make a new backup on the device that has your keys, or restore from a file.',
  // Main's message names the account the backup is of: a backup is restored only into its own account.
  'backup-other-account': 'Nothing was changed. Sign in as that account to restore it.',
  'account-changed': 'Another window or tab signed in to another account meanwhile. To do it for the account it was asked for, sign in to that account again.',
  'ca-changed': 'Compare the new fingerprint with the one your server’s admin gives you before trusting it.',
  'read-back-mismatch':
    'Another app of your account may have published over it. Check what My keys shows, then publish again, or sign out the other app first.',
  'partly-published': 'Publish again to send the nickname too. Your contacts see the new card meanwhile.',
  'channel-binding-stripped':
    'Try again from another network. If your server’s admin confirms they changed how it signs in, choose “Sign in without it”.',
  'scram-stripped':
    'Try again from another network. If your server’s admin confirms they changed how it signs in, choose “Sign in by sending the password”.',
};

/** auth-failed with field 'server' (main/xmpp/scram.ts): the server failed, not the password. */
const SERVER_AT_FAULT_STEP =
  'Your password was not the problem. Do not sign in on this network until it is sorted out; tell your server admin.';

/**
 * For codes whose message from main names raw codes (OpenSSL, errno) or node names, the sentence shown
 * first; main's message then goes behind "Details".
 */
const SUMMARY: Partial<Record<IpcError['code'], string>> = {
  'server-unreachable': 'The app cannot reach your server.',
  'protocol-error': 'The server answered in a way the app does not understand.',
  'access-not-revoked': 'People you meant to leave out can still read it: the server kept their access. Nothing was published.',
  'access-model-unsupported': 'Your server cannot publish for that audience. Nothing was published.',
  'read-back-mismatch': 'Your server took the publish, but what it holds now is not the key you sent. It is not counted as published.',
  'partly-published': 'Your profile card was published, but your nickname was not.',
};

/**
 * read-back-mismatch with field 'profile' (main/profile/read-back.ts): the same family of words as a
 * key's, for the profile part the server holds otherwise (main's message quotes both behind Details).
 */
const PROFILE_READ_BACK = {
  summary: 'Your server took the publish, but what it holds now is not the profile you sent. It is not counted as published.',
  nextStep: 'Another app of your account may have changed it. Check what your profile shows, then publish again, or sign out the other app first.',
};

/**
 * A sign-in refused because the server's offer is weaker than the login this account used before
 * (main/xmpp/sasl-login.ts, refusePinnedDowngrade): how the Account screen lets the user sign in anyway,
 * asked first, and which ConnectParams flag says they accepted it.
 */
export interface WeakerLoginChoice {
  /** The button that asks first. */
  ask: string;
  /** What it risks, shown beside the confirming button. */
  warning: string;
  /** The button that signs in. */
  confirm: string;
  accept: 'acceptNoChannelBinding' | 'acceptPlainLogin';
}

const WEAKER_LOGIN: Partial<Record<IpcError['code'], WeakerLoginChoice>> = {
  'channel-binding-stripped': {
    ask: 'Sign in without it…',
    warning:
      'Only if your server’s admin told you they changed it. On a network where someone can read your traffic, this lets them stand between you and your server.',
    confirm: 'Sign in without it',
    accept: 'acceptNoChannelBinding',
  },
  'scram-stripped': {
    ask: 'Sign in by sending the password…',
    // PLAIN goes over the verified TLS connection: only someone whose certificate the app trusts gets it.
    warning: 'Only if your server’s admin told you they changed it. Anyone posing as your server with a false certificate would get your password.',
    confirm: 'Send the password',
    accept: 'acceptPlainLogin',
  },
};

export function weakerLoginChoice(code: IpcError['code']): WeakerLoginChoice | undefined {
  return WEAKER_LOGIN[code];
}

export interface ErrorWords {
  /** The sentence shown. */
  message: string;
  /** What to do about it, when there is something to do. */
  nextStep?: string;
  /** The error as main stated it (raw codes, node names), for a "Details" disclosure. */
  details?: string;
}

/**
 * server-unreachable with field 'jid' or 'host' (main/xmpp/connection-errors.ts): the name connected to
 * does not exist. Main's message names it; what to check is the field it came from, not "the server name
 * and port" the person may never have filled.
 */
const NAME_NOT_FOUND_STEP: Readonly<Record<string, string>> = {
  jid: 'Check the part after @ in your address, and that you are online.',
  host: 'Check the Server host under Server settings, and that you are online.',
};

export function describeError(error: IpcError): ErrorWords {
  const notFound = error.code === 'server-unreachable' && error.field !== undefined ? NAME_NOT_FOUND_STEP[error.field] : undefined;
  if (notFound) return { message: error.message, nextStep: notFound };
  const profileReadBack = error.code === 'read-back-mismatch' && error.field === 'profile';
  const nextStep =
    error.nextStep ??
    (error.code === 'auth-failed' && error.field === 'server' ? SERVER_AT_FAULT_STEP : profileReadBack ? PROFILE_READ_BACK.nextStep : NEXT_STEP[error.code]);
  const summary = profileReadBack ? PROFILE_READ_BACK.summary : SUMMARY[error.code];
  return {
    message: summary ?? error.message,
    ...(nextStep ? { nextStep } : {}),
    ...(summary && summary !== error.message ? { details: error.message } : {}),
  };
}

/**
 * One word for "not signed in", whether no sign-in was tried yet, one was refused, or the person
 * disconnected: "Offline", the word every screen uses ("You are offline"). Why, when there is a why,
 * follows it (offlineReason), never a second word for the same state (review walk 4, item 18).
 */
export const STATUS_LABEL: Record<ConnectionStatus, string> = {
  offline: 'Offline',
  connecting: 'Connecting…',
  online: 'Online',
  reconnecting: 'Reconnecting…',
  failed: 'Offline',
};

/** Why the app is offline after a sign-in failed (or a session stopped for good), in a few words for the header. */
export function offlineReason(error: IpcError | undefined): string {
  switch (error?.code) {
    case 'auth-failed':
      return error.field === 'server' ? 'the server failed its sign-in check' : 'address or password refused';
    case 'server-unreachable':
    case 'timeout':
      return 'server not reached';
    case 'tls-untrusted':
    case 'ca-changed':
      return 'server certificate not trusted';
    case 'channel-binding-stripped':
    case 'scram-stripped':
    case 'tls-required':
    case 'auth-required':
      return 'the server offered a weaker sign-in';
    default:
      return 'sign-in failed';
  }
}

/** A contact whose server could not be reached: nothing is known about their keys, which is not "no keys". */
export function unreachableText(jid: string): string {
  return `Their server is unreachable: ${jid}'s keys could not be fetched now. Try again later.`;
}

/**
 * A key's kind and size as every screen writes it: "RSA 3072". The app makes and reads RSA keys only
 * (main/keys); a size that could not be read is said to be unknown, never guessed.
 */
export function keyKind(bits: number | undefined): string {
  return bits ? `RSA ${bits}` : 'RSA, size unknown';
}

/**
 * Activity's line for a key new to the app, made here or received from a contact: one wording, with
 * its size, wherever it is told ("New RSA 2048 key"); "New key" when the size could not be read.
 */
export function newKeyLine(bits: number | undefined): string {
  return bits ? `New ${keyKind(bits)} key` : 'New key';
}

/**
 * What Activity says when the account's own key node could not be read (keys:keyNodeUnread): what
 * waits for that reading, in words, never the server's error.
 */
export function keyNodeUnreadLine(reason: KeyNodeUnreadView['reason']): string {
  const why = reason === 'refused' ? 'your server did not let the app read them' : reason === 'unreachable' ? 'your server did not answer in time' : 'your server could not answer';
  return `Could not check your published keys (${why}): revocations from your other devices, and a revoked key still listed, wait until they can be read`;
}

/** What Activity says of a key revoked now: what went out, and whether the key is still listed. */
export function revokedLine(answer: RevokeOutcome): string {
  const also = answer.alsoRevoked?.length ?? 0;
  // A compromised key is revoked under every certificate it has (a renewal keeps the key): said, so the older one's badge is no surprise.
  const withIt = also === 0 ? '' : `. Its ${also === 1 ? 'other certificate (the same key) was' : `${also} other certificates (the same key) were`} revoked with it`;
  return revokedOnly(answer) + withIt;
}

function revokedOnly(answer: RevokeOutcome): string {
  if (!answer.published) return 'Revoked (it was not published)';
  // Where it went, not "your contacts": the key node's audience may be a group, a few, or nobody at all.
  // Unverified said right after where it went: it is about the revocation item, not the withdrawal.
  const told = `Revoked; the revocation was published ${describeRevocationAudience(answer.config)}${unverifiedNote(answer.config?.deviations)}`;
  const empty = describeEmptyGroups(answer.config?.emptyGroups, answer.config?.rosterGroupsAllowed ?? [], 'the revocation');
  const warning = empty === undefined ? '' : `. ${empty.replace(/\.$/, '')}`;
  if (answer.withdrawn) return `${told}, and the key was withdrawn${warning}`;
  // Only "tried again": the next connection withdraws it only if the server lets the app read the key
  // node (ejabberd 23.01 refuses its owner under roster access; that reading's failure goes to Activity).
  if (answer.withdrawalPending) return `${told}${warning}. The key is still listed on your server (its withdrawal was cut off): it is tried again at the next connection`;
  return `${told}${warning}`;
}

/**
 * What Activity says of a renewal: "Renewed, published to the same people; the old one was withdrawn",
 * with ", unverified: …" when the successor could not be read back.
 */
export function renewedLine(answer: RenewOutcome, newKey: boolean): string {
  const published = answer.published ? `, published to the same people${unverifiedNote(answer.config?.deviations)}` : '';
  return `${newKey ? 'Replaced by a new key' : 'Renewed'}${published}${answer.withdrawn ? '; the old one was withdrawn' : ''}`;
}

/**
 * Who may read the profile published now, for its Activity line ("for contacts who see your presence"),
 * as the server reported the card's node (every part of a profile goes to the same audience).
 */
export function profileAudience(configs: readonly Pick<EffectiveNodeConfig, 'accessModel' | 'rosterGroupsAllowed' | 'whitelist'>[]): string | undefined {
  const card = configs[0];
  return card ? describeAccess(card.accessModel, card.rosterGroupsAllowed, card.whitelist) : undefined;
}

/** What Activity says of the profile published now, with ", unverified: …" when the server would not show a part back. */
export function profilePublishedLine(configs: readonly Pick<EffectiveNodeConfig, 'deviations'>[]): string {
  return `Published your profile${unverifiedNote(configs.flatMap((c) => c.deviations))}`;
}

/**
 * What Activity says of an avatar published now: its size (its id is a SHA-1, which tells a person
 * nothing), and ", unverified: …" when the server would not show its data or metadata back.
 */
export function avatarPublishedLine(result: AvatarPublishResult): string {
  return `Published a new avatar (${result.info.width ?? '?'}×${result.info.height ?? '?'})${unverifiedNote(result.configs.flatMap((c) => c.deviations))}`;
}

/**
 * An unlock refused for something other than the passphrase, which goes away once its cause does:
 * another app or `keyring` command holds the vault (main/vault/vault-lock.ts), or its disk refused
 * (full, read-only: main/vault/disk-trouble.ts). The unlock screen shows these even after the unlock
 * the desktop app tries by itself (the keychain needs no passphrase), and offers "Try again" rather
 * than asking to type the passphrase again.
 */
export function unlockCanTryAgain(code: IpcError['code']): boolean {
  return code === 'vault-in-use' || code === 'storage-failed';
}
