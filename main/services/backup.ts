/**
 * Backup and restore of the account's keys (docs/key-lifecycle.md, "The backup"): the own keys with
 * their private halves and prepared revocations, and the user's decisions about contacts' keys,
 * and every trust decision about contacts (services and fields: main/vault/backup-content.ts),
 * encrypted under a fresh backup code (main/vault/backup-blob.ts) into a file and/or the account's
 * owner-only node (XEP-0223, main/xmpp/backup-items.ts).
 *
 * The code is returned once and kept nowhere. Restoring changes nothing unless the blob opens with the
 * code and its content checks out; what this device holds is never overwritten without `replace`
 * (planRestore decides, below). The vault records which keys each backup holds, for the reminder.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { BackupMade, BackupStatus, RestoredKeyOutcome, RestoreOutcome } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import { certificateFingerprint } from '../keys/fingerprint.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { createBackup, openBackup, type BackupOpening } from '../vault/backup-blob.js';
import {
  BACKUP_CONTENT_KIND,
  BACKUP_CONTENT_VERSION,
  BackupContentSchema,
  readBackupContent,
  V1_NOT_CARRIED,
  type BackedUpContactKeyRecord,
  type BackedUpContactKeyV1Record,
  type BackupContent,
} from '../vault/backup-content.js';
import { mergeContactTrust, mergeOtherKeys, stricterPolicy } from '../vault/backup-trust-merge.js';
import { backupPrintPage } from '../vault/backup-page.js';
import { beforeRestoredTrust } from '../vault/contact-keys.js';
import { recordAfterServer } from '../vault/disk-trouble.js';
import type { ScryptParams } from '../vault/secret-box.js';
import type { BackupRecordEntry, ContactKeyRecord, ContactTrustRecord, OtherKeysRecord, OwnKeyRecord } from '../vault/schema.js';
import type { BackupsStore, RestoreWrite } from '../vault/stores/backups-store.js';
import type { ContactKeysStore } from '../vault/stores/contact-keys-store.js';
import type { OtherKeysStore } from '../vault/stores/other-keys-store.js';
import type { OwnKeysStore } from '../vault/stores/own-keys-store.js';
import { BACKUP_NODE, BACKUP_NODE_MAX_ITEMS, backupItems, readBackupItems } from '../xmpp/backup-items.js';
import { fetchItem } from '../xmpp/fetch-items.js';
import { publishPersistent, retractItem, type NodeContext } from '../xmpp/persistent-node.js';
import { discoItemsRequest, parseDiscoItemIds, readStanzaError, type RawItem } from '../xmpp/pubsub.js';
import type { OwnRevocations } from './own-revocations.js';
import { forWrite, markedIq, markNow, requireMarked, stillMarked, type SessionMark } from './session-mark.js';
import type { SessionPort } from './session-port.js';

export interface BackupDeps {
  ownKeys: OwnKeysStore;
  contactKeys: ContactKeysStore;
  /** Other apps' key records (OMEMO, OpenPGP): the trust in them is backed up and restored too. */
  otherKeys: Pick<OtherKeysStore, 'all'>;
  backups: BackupsStore;
  session: SessionPort;
  /** After a restore while online: the keys brought back that were revoked since are revoked here too. */
  revocations: Pick<OwnRevocations, 'readNode'>;
  /** The vault's lock, to ask for its passphrase again before a backup (the VaultHolder). */
  vaultLock: VaultLock;
  /**
   * Told once a restore is on disk, with what it wrote (own keys, and whose trust records): the core
   * tells every window (keys:changed, contacts:trust), as for a change made there.
   */
  restored?: (account: string, wrote: { ownKeys: boolean; contacts: string[] }) => void;
  /** Tests pass lighter scrypt parameters; the app keeps backup-blob.ts's default. */
  kdf?: Omit<ScryptParams, 'salt'>;
}

/** What a backup sees of the vault's lock (main/vault/vault-holder.ts). */
export interface VaultLock {
  readonly protection: 'keychain' | 'passphrase';
  /** Whether `passphrase` is the open vault's; nothing is opened or written. Never logged. */
  isPassphrase(passphrase: string): Promise<boolean>;
}

export type RestoreSource = { kind: 'file'; data: Buffer } | { kind: 'account' };

export class BackupService {
  readonly #deps: BackupDeps;
  /** Backup files made and not yet saved (fileSaved), newest last: never more than MAX_UNSAVED_FILES. */
  readonly #unsavedFiles = new Map<string, { jid: string; entry: BackupRecordEntry }>();
  /** Their ids once saved, so that "Save the file again" is no error. */
  readonly #savedFiles = new Set<string>();

  constructor(deps: BackupDeps) {
    this.#deps = deps;
  }

  /**
   * A backup with a fresh code: as a file's bytes (the caller saves them), on the account's node, or
   * both. The account's node needs the connection; a file works offline for the account last used.
   * A passphrase vault's passphrase must come with it (#confirmPassphrase), checked before anything.
   */
  async create(options: { file: boolean; toAccount: boolean; passphrase?: string }): Promise<BackupMade> {
    // The account the request was checked for (main/ipc/dispatcher.ts), read before the passphrase's
    // scrypt, during which another window may sign in to another account: the backup is of this one's
    // keys, and goes only to its node, over its connection (#publish).
    const jid = options.toAccount ? this.#deps.session.ownJid : this.#account();
    // A write to the account's own node: it goes on over a reconnect of the same account.
    const asked = forWrite(markNow(this.#deps.session));
    await this.#confirmPassphrase(options.passphrase);
    if (options.toAccount) {
      this.#iqFor(asked, 'the backup was put on it'); // refused here already if the account changed
      await this.#deps.session.requireXep0222Support();
    }
    const now = new Date();
    const content = this.#content(jid, now);
    // Holds private keys until it is encrypted: never logged.
    const { blob, code } = await createBackup({ account: jid, content, now, ...(this.#deps.kdf ? { kdf: this.#deps.kdf } : {}) });
    const fingerprints = content.ownKeys.map((k) => k.fingerprint);
    const id = backupIdOf(blob);
    const made: BackupMade = {
      code,
      createdAt: now.toISOString(),
      fingerprints,
      contacts: Object.keys(content.contacts).length,
      page: await backupPrintPage({ code, account: jid, createdAt: now, fingerprints }),
    };
    if (options.toAccount) {
      const published = await this.#publish(this.#iqFor(asked, 'the backup was put on it'), jid, blob, now);
      made.account = published.account;
      // The backup is on the account from here on. A vault that cannot record it (a full disk) fails the
      // request, so its code is never shown: the next backup retracts it (#publish lists it as older).
      // The backups there before are retracted only once it is recorded: until then the one whose code
      // the person holds is the only one on the account that anything can open.
      await recordAfterServer(() => this.#deps.backups.record(jid, { id, createdAt: made.createdAt, where: 'account', how: 'made', fingerprints }), {
        done: 'Your backup was put on your account',
        next: 'Its code is not shown, so nothing can open it; any backup you put there before was left in place. Free some space, then make a backup again: the new one takes their place.',
      });
      await published.retractOlder();
    }
    if (options.file) {
      made.file = { name: backupFileName(jid, now), dataBase64: blob.toString('base64'), backupId: id };
      // Recorded once the file is saved (fileSaved): a CLI that cannot write it, or a screen whose
      // download never happened, must not clear the reminder of keys in no backup.
      this.#unsavedFiles.set(id, { jid, entry: { id, createdAt: made.createdAt, where: 'file', how: 'made', fingerprints } });
      for (const old of [...this.#unsavedFiles.keys()].slice(0, -MAX_UNSAVED_FILES)) this.#unsavedFiles.delete(old);
    }
    return made;
  }

  /**
   * The file of a backup made here was saved (the CLI wrote it; the screen handed it to the download):
   * only now do its keys count as backed up. Saving it again records nothing more.
   */
  async fileSaved(backupId: string): Promise<BackupStatus> {
    const unsaved = this.#unsavedFiles.get(backupId);
    if (unsaved !== undefined) {
      await this.#deps.backups.record(unsaved.jid, unsaved.entry);
      this.#unsavedFiles.delete(backupId);
    } else if (!this.#savedFiles.has(backupId)) {
      throw new KeyringError('not-found', 'That backup file was not made here, or too long ago: make a new backup.', 'backupId');
    }
    this.#savedFiles.add(backupId);
    return this.status();
  }

  /**
   * Opens a backup and brings back what it holds. Every refusal (no backup, damaged, mistyped or wrong
   * code, another account's, content this app does not write) comes before any write: nothing changes.
   */
  async restore(source: RestoreSource, code: string, replace = false): Promise<RestoreOutcome> {
    const jid = source.kind === 'account' ? this.#deps.session.ownJid : this.#account();
    const asked = forWrite(markNow(this.#deps.session)); // its node read over a reconnect of the same account is still its own
    // The code: never logged.
    const { blob, opened } =
      source.kind === 'file'
        ? { blob: source.data, opened: await openBackup(source.data, code, jid) }
        : await this.#openFromAccount(this.#iqFor(asked, 'its backup was read'), jid, code);
    if (!opened.ok) throw new KeyringError(opened.error.code, opened.error.message, isCodeProblem(opened.error.code) ? 'code' : undefined);
    const reading = readBackupContent(opened.content);
    if (!reading.ok) throw new KeyringError(reading.error.code, reading.error.message);
    const content = reading.content;
    if (bareJidKey(content.account) !== bareJidKey(jid)) {
      throw new KeyringError('backup-other-account', `This backup belongs to ${content.account}.`);
    }
    const incoming = content.ownKeys.map((key) => this.#readKey(key));
    const plan = planRestore(
      { ownKeys: this.#deps.ownKeys.list(jid), contacts: this.#deps.contactKeys.all(jid), privateKeyDer: (fp) => this.#privateKeyDer(jid, fp) },
      { ownKeys: incoming, contacts: content.contacts },
      replace,
    );
    const decisions = content.version === 1 ? {} : this.#planDecisions(jid, content);
    const kept = plan.keys.filter((k) => k.outcome !== 'conflict').map((k) => k.fingerprint);
    const write = new Set(plan.keys.filter((k) => k.outcome === 'restored' || k.outcome === 'replaced').map((k) => k.fingerprint));
    const record: BackupRecordEntry = { id: backupIdOf(blob), createdAt: opened.createdAt, where: source.kind, how: 'restored', fingerprints: kept };
    await this.#deps.backups.restore(jid, {
      ownKeys: incoming
        .filter((k) => write.has(k.fingerprint))
        .map((k) =>
          this.#deps.ownKeys.sealed({
            fingerprint: k.fingerprint,
            certificateDer: k.certificateDer,
            privateKey: k.privateKey,
            createdAt: k.createdAt,
            revocations: k.revocations,
            ...(k.label ? { label: k.label } : {}),
          }),
        ),
      contacts: plan.contactRecords,
      ...decisions,
      record,
    });
    const touched = new Set([...Object.keys(plan.contactRecords), ...Object.keys(decisions.contactTrust ?? {}), ...(decisions.trustPolicy !== undefined ? Object.keys(this.#deps.contactKeys.all(jid)) : [])]);
    this.#deps.restored?.(jid, { ownKeys: write.size > 0, contacts: [...touched] });
    // A backup made before a key was revoked brings it back unrevoked; the account's node says otherwise.
    // Not read now (the node did not answer, a write failed): the next sign-in reads it again.
    // Only while the account restored into is the one signed in: the node read is the signed-in account's.
    if (write.size > 0 && this.#deps.session.state.status === 'online' && stillMarked(this.#deps.session, asked)) await this.#deps.revocations.readNode().catch(() => []);
    return { account: jid, createdAt: opened.createdAt, from: source.kind, keys: plan.keys, trust: plan.trust, ...(content.version === 1 ? { notCarried: [...V1_NOT_CARRIED] } : {}) };
  }

  /**
   * The policy, contacts' trust records and other apps' key records a version 2 backup brings back,
   * each merged with this vault's (main/vault/backup-trust-merge.ts: never laxer than either side).
   * Unlike a key record, these are not left alone as a conflict without `replace`: a merge that only
   * ever keeps the stricter side has nothing to ask the person, and `replace` must not loosen them.
   */
  #planDecisions(jid: string, content: BackupContent): Pick<RestoreWrite, 'trustPolicy' | 'contactTrust' | 'otherKeys'> {
    const accountPolicyHere = this.#deps.contactKeys.accountPolicy(jid);
    const trustHere = this.#deps.contactKeys.allTrust(jid);
    const otherHere = this.#deps.otherKeys.all(jid);
    const contactTrust: Record<string, ContactTrustRecord> = {};
    for (const [contact, trust] of Object.entries(content.contactTrust)) {
      const merged = mergeContactTrust(Object.hasOwn(trustHere, contact) ? trustHere[contact] : undefined, trust, accountPolicyHere);
      Object.defineProperty(contactTrust, contact, { value: merged, writable: true, enumerable: true, configurable: true });
    }
    const otherKeys: Record<string, OtherKeysRecord> = {};
    for (const [address, keys] of Object.entries(content.otherKeys)) {
      const merged = mergeOtherKeys(Object.hasOwn(otherHere, address) ? otherHere[address] : undefined, keys);
      Object.defineProperty(otherKeys, address, { value: merged, writable: true, enumerable: true, configurable: true });
    }
    const trustPolicy = stricterPolicy(accountPolicyHere, content.trustPolicy);
    return { contactTrust, otherKeys, ...(trustPolicy !== undefined && trustPolicy !== accountPolicyHere ? { trustPolicy } : {}) };
  }

  /** Which own keys (not expired) are in no backup made or restored here, and the backups known. */
  status(): BackupStatus {
    const jid = this.#deps.session.state.account;
    if (!jid) return { notBackedUp: [], backups: [] };
    const records = this.#deps.backups.list(jid);
    return { notBackedUp: notBackedUp(this.#deps.ownKeys.list(jid), records, new Date()), backups: [...records].reverse().map(({ createdAt, where, how, fingerprints }) => ({ createdAt, where, how, fingerprints: [...fingerprints] })) };
  }

  /**
   * A backup hands every private key to whoever holds its code, and the app shows that code to whoever
   * sits at it: an unlocked app left unattended must not be enough. So a passphrase vault's passphrase
   * is asked again, as gpg asks it before exporting a secret key and Bitwarden before a vault export.
   * A keychain vault has no passphrase (the OS login is its lock): there is nothing to ask. Vault unlock
   * has no throttle beyond scrypt's own cost, and neither has this. Refused before anything is read,
   * made or sent; the passphrase is in no message.
   */
  async #confirmPassphrase(passphrase: string | undefined): Promise<void> {
    if (this.#deps.vaultLock.protection !== 'passphrase') return;
    if (passphrase === undefined || passphrase === '') {
      throw new KeyringError('invalid-argument', 'Enter your vault passphrase to make a backup.', 'passphrase');
    }
    if (!(await this.#deps.vaultLock.isPassphrase(passphrase))) {
      throw new KeyringError('wrong-passphrase', 'That is not your vault passphrase. Nothing was backed up.', 'passphrase');
    }
  }

  /**
   * The session's requests for work on the node of the account `asked` names: each refused, before it is
   * sent, once another account signed in (services/session-mark.ts); it would reach the other's node.
   */
  #iqFor(asked: SessionMark, what: string): NodeContext['iq'] {
    const account = asked.account ?? 'Your account';
    const words = () => `${account} was signed out (another account was signed in) before ${what}: nothing was sent to any account. Sign in to ${account} again and do it there.`;
    requireMarked(this.#deps.session, asked, words);
    return markedIq(this.#deps.session, asked, words);
  }

  #account(): string {
    const jid = this.#deps.session.state.account;
    if (!jid) throw new KeyringError('not-connected', 'Sign in to this account once first.');
    return jid;
  }

  #content(jid: string, now: Date): BackupContent {
    const contacts: BackupContent['contacts'] = {};
    for (const [contact, records] of Object.entries(this.#deps.contactKeys.all(jid))) {
      if (records.length === 0) continue;
      // Everything but what the contact's node gives again (the certificate) and what is only shown
      // (why a claimed continuity failed).
      contacts[contact] = records.map(({ certificate: _certificate, continuityProblem: _problem, ...kept }) => kept);
    }
    const contactTrust: BackupContent['contactTrust'] = {};
    for (const [contact, trust] of Object.entries(this.#deps.contactKeys.allTrust(jid))) {
      if (Object.keys(trust).length > 0) contactTrust[contact] = trust;
    }
    const otherKeys: BackupContent['otherKeys'] = {};
    for (const [address, record] of Object.entries(this.#deps.otherKeys.all(jid))) {
      // Labels, algorithms and bundles are read again with the next reading; the trust is not.
      const keys = record.keys.map(({ label: _l, created: _c, algorithm: _a, bits: _b, bundleDigest: _d, bundleSince: _s, ...kept }) => kept);
      otherKeys[address] = { ...record, keys };
    }
    const trustPolicy = this.#deps.contactKeys.accountPolicy(jid);
    const content = {
      kind: BACKUP_CONTENT_KIND,
      version: BACKUP_CONTENT_VERSION,
      account: jid,
      createdAt: now.toISOString(),
      ownKeys: this.#deps.ownKeys.list(jid).map((record) => ({
        fingerprint: record.fingerprint,
        certificate: record.certificate,
        privateKey: this.#privateKeyDer(jid, record.fingerprint).toString('base64'), // never logged
        createdAt: record.createdAt,
        revocations: record.revocations ?? [],
        ...(record.label ? { label: record.label } : {}),
      })),
      contacts,
      ...(trustPolicy ? { trustPolicy } : {}),
      contactTrust,
      otherKeys,
    };
    // What restore will check: a backup this app could not read back is never made.
    const checked = BackupContentSchema.safeParse(content);
    if (!checked.success) throw new KeyringError('invalid-argument', 'The keyring holds more than a backup can (256 keys, 80 per contact).');
    return checked.data;
  }

  #privateKeyDer(jid: string, fingerprint: string): Buffer {
    const key = this.#deps.ownKeys.privateKey(jid, fingerprint);
    if (!key) throw new KeyringError('not-found', `No key ${fingerprint} for ${jid}.`, 'fingerprint');
    return key.export({ type: 'pkcs8', format: 'der' });
  }

  /** A key from the backup, checked: its certificate hashes to its fingerprint and its private key fits it. */
  #readKey(key: BackupContent['ownKeys'][number]): IncomingKey {
    const damaged = () => new KeyringError('backup-damaged', `The backup's key ${key.fingerprint} does not fit its certificate.`);
    try {
      const certificateDer = Buffer.from(key.certificate, 'base64');
      const privateKeyDer = Buffer.from(key.privateKey, 'base64');
      const privateKey = createPrivateKey({ key: privateKeyDer, format: 'der', type: 'pkcs8' });
      const certificate = new X509Certificate(certificateDer);
      const fits = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).equals(certificate.publicKey.export({ type: 'spki', format: 'der' }));
      if (!fits || certificateFingerprint(certificateDer) !== key.fingerprint) throw damaged();
      return { fingerprint: key.fingerprint, certificateDer, privateKey, privateKeyDer, createdAt: key.createdAt, revocations: key.revocations, ...(key.label ? { label: key.label } : {}) };
    } catch (error) {
      throw error instanceof KeyringError ? error : damaged();
    }
  }

  /**
   * XEP-0223: every part of the new backup, read back by its own ids (never "the newest on the node":
   * a backup whose writer's clock ran ahead would be taken for it); `retractOlder` then retracts the
   * items that were on the node before it (the caller runs it once the backup is recorded). Those are
   * listed before publishing, not after: another device of the account
   * making a backup at the same moment then never has its items retracted by this one unless they were
   * there first, so of two backups made at once at least one stays (listed after, each retracted the
   * other's and both said "kept" over an empty node). Items left beside the new backup that way are
   * retracted by the next backup; restoring tells the backups apart by their codes.
   */
  async #publish(iq: NodeContext['iq'], jid: string, blob: Buffer, now: Date): Promise<{ account: NonNullable<BackupMade['account']>; retractOlder: () => Promise<void> }> {
    const ctx: NodeContext = { iq, owner: jid };
    const { backupId, items } = backupItems(blob, now);
    // A list that fails leaves older items beside the new backup, which the next backup retracts.
    const before = await listItemIds(ctx).catch(() => [] as string[]);
    for (const item of items) {
      await publishPersistent(
        ctx,
        // Owner only (XEP-0223 §3); narrowing a node someone widened is always right for private data.
        { node: BACKUP_NODE, access: { model: 'whitelist', allow: [] }, ownerOnly: true, maxItems: BACKUP_NODE_MAX_ITEMS, reconfigure: true },
        item,
      );
    }
    const ownIds = items.map((item) => item.id);
    const reading = readBackupItems(await readItems(ctx, ownIds));
    if (!reading.ok || reading.backups[0]?.backupId !== backupId) {
      throw new KeyringError('backup-incomplete', 'The server did not keep the whole backup. Try again, or save it as a file.');
    }
    // The backup is whole and checked: a retract that fails leaves an older one beside it, which
    // restoring tells apart by its code (#openFromAccount), and the next backup retracts.
    const retractOlder = async () => {
      for (const id of before.filter((listedId) => !ownIds.includes(listedId)).slice(0, BACKUP_NODE_MAX_ITEMS)) await retractItem(ctx, BACKUP_NODE, id).catch(() => undefined);
    };
    return { account: { node: BACKUP_NODE, backupId, parts: items.length }, retractOlder };
  }

  /**
   * The backup on the account's node that `code` opens. The node holds one backup, or two when a
   * device stopped before retracting the older, or more when retracts failed. Which is the newest is
   * not known for certain (backup-items.ts), but each backup has its own code: try them in the
   * reader's order, the one this device made or restored last first. Each try costs a scrypt
   * (~0.2 s, up to 256 MiB), and a hostile server could offer many: at most MAX_CODE_TRIES.
   */
  async #openFromAccount(iq: NodeContext['iq'], jid: string, code: string): Promise<{ blob: Buffer; opened: BackupOpening }> {
    const preferred = [...this.#deps.backups.list(jid)].reverse().find((r) => r.where === 'account')?.id;
    const reading = readBackupItems(await readNode({ iq, owner: jid }), { preferred });
    if (!reading.ok) throw new KeyringError(reading.code, reading.message);
    let refusal: { blob: Buffer; opened: BackupOpening } | undefined;
    for (const { blob } of reading.backups.slice(0, MAX_CODE_TRIES)) {
      const opened = await openBackup(blob, code, jid);
      if (opened.ok) return { blob, opened };
      // A typo fails the code's own check characters, the same for every backup: no use trying on.
      if (opened.error.code === 'backup-code-mistyped') return { blob, opened };
      // "Not this backup's code" says least: any other refusal (damaged, another format) is kept.
      if (refusal === undefined || (refusal.opened.ok === false && refusal.opened.error.code === 'wrong-backup-code')) refusal = { blob, opened };
    }
    if (refusal === undefined) throw new KeyringError('backup-incomplete', 'The backup on this account cannot be read.');
    return refusal;
  }
}

/** How many backup files made in this run may wait to be saved (BackupService.fileSaved). */
const MAX_UNSAVED_FILES = 4;

/** How many backups on the node one restore tries the code on (#openFromAccount). */
export const MAX_CODE_TRIES = 3;

/** §5.5 the ids of the backup node's items; none when the node does not exist. */
async function listItemIds(ctx: NodeContext): Promise<string[]> {
  try {
    return parseDiscoItemIds(await ctx.iq.get(discoItemsRequest(BACKUP_NODE), ctx.owner));
  } catch (error) {
    if (readStanzaError(error)?.condition === 'item-not-found') return [];
    throw new KeyringError('protocol-error', 'The server did not list the backup on your account.', undefined, { cause: error });
  }
}

/** §6.5.8 the items of the backup node with these ids, one request each; an id the server lacks is left out. */
async function readItems(ctx: NodeContext, ids: readonly string[]): Promise<RawItem[]> {
  const items: RawItem[] = [];
  for (const id of ids) {
    const fetched = await fetchItem(ctx.iq, ctx.owner, BACKUP_NODE, id);
    if (fetched.status === 'ok') items.push(...fetched.items);
    else if (fetched.status !== 'none') throw new KeyringError('protocol-error', `The server did not hand out the backup on your account: ${fetched.detail}`);
  }
  return items;
}

/**
 * The backup node's items: two backups side by side exceed a stanza's size, so the ids come first
 * (XEP-0060 §5.5) and each item by id (§6.5.8), at most as many as the node keeps.
 */
async function readNode(ctx: NodeContext): Promise<RawItem[]> {
  return readItems(ctx, (await listItemIds(ctx)).slice(0, BACKUP_NODE_MAX_ITEMS));
}

export interface IncomingKey {
  fingerprint: string;
  certificateDer: Buffer;
  /** Never logged. */
  privateKey: KeyObject;
  privateKeyDer: Buffer;
  createdAt: string;
  revocations: NonNullable<OwnKeyRecord['revocations']>;
  /** The name it had where the backup was made (version 3); a name given here wins over it. */
  label?: string;
}

export interface RestorePlan {
  keys: { fingerprint: string; outcome: RestoredKeyOutcome }[];
  trust: { jid: string; fingerprint: string; outcome: RestoredKeyOutcome }[];
  /** The contact key records to write: new ones, and with `replace` those put in place of local ones. */
  contactRecords: Record<string, ContactKeyRecord[]>;
}

/**
 * What a restore does, decided without touching anything. A key or a trust record that is not here
 * is restored; one that is here and the same is left; one that is here with other data (another
 * private key; another trust decision or verification date, decided later on this device or
 * elsewhere) is a conflict: left as it is unless `replace`. Nothing here is ever removed: keys made
 * here after the backup stay. A key is the same when its private key is: its prepared revocations are
 * signed anew on each device (RSASSA-PSS is randomised, and older keys get theirs at sign-in), so two
 * sets for one key differ in bytes while each revokes it equally; the ones here are kept.
 */
export function planRestore(
  local: {
    ownKeys: readonly OwnKeyRecord[];
    contacts: Readonly<Record<string, readonly ContactKeyRecord[]>>;
    privateKeyDer: (fingerprint: string) => Buffer;
  },
  backup: { ownKeys: readonly Pick<IncomingKey, 'fingerprint' | 'privateKeyDer'>[]; contacts: Readonly<Record<string, readonly (BackedUpContactKeyRecord | BackedUpContactKeyV1Record)[]>> },
  replace: boolean,
): RestorePlan {
  const differs = (): RestoredKeyOutcome => (replace ? 'replaced' : 'conflict');
  const keys = backup.ownKeys.map(({ fingerprint, privateKeyDer }) => {
    const here = local.ownKeys.find((k) => k.fingerprint === fingerprint);
    if (!here) return { fingerprint, outcome: 'restored' as const };
    const same = local.privateKeyDer(fingerprint).equals(privateKeyDer);
    return { fingerprint, outcome: same ? ('same' as const) : differs() };
  });
  const trust: RestorePlan['trust'] = [];
  const contactRecords: RestorePlan['contactRecords'] = {};
  for (const [jid, records] of Object.entries(backup.contacts)) {
    const hereAll = Object.hasOwn(local.contacts, jid) ? (local.contacts[jid] ?? []) : [];
    for (const record of records) {
      const here = hereAll.find((k) => k.fingerprint === record.fingerprint);
      const outcome: RestoredKeyOutcome = !here ? 'restored' : here.trust === record.trust && here.verifiedAt === record.verifiedAt ? 'same' : differs();
      trust.push({ jid, fingerprint: record.fingerprint, outcome });
      let restored: ContactKeyRecord;
      if (outcome === 'restored' || outcome === 'replaced') {
        restored = isWhole(record) ? wholeRecord(here, record) : decisionOnly(here, record);
      } else if (here && isWhole(record) && record.revocation && !here.revocation) {
        // Trust decided otherwise here stays, but a revocation the key's owner signed is no decision
        // to weigh: this device missed it (its owner, or whoever stole the key, may no longer publish
        // it), and without it the key would count as good here.
        restored = { ...here, revocation: { ...record.revocation } };
      } else {
        continue;
      }
      Object.defineProperty(contactRecords, jid, { value: [...(Object.hasOwn(contactRecords, jid) ? (contactRecords[jid] ?? []) : []), restored], writable: true, enumerable: true, configurable: true });
    }
  }
  return { keys, trust, contactRecords };
}

/** A version 2 backup's record (version 1 kept no lastSeen). */
function isWhole(record: BackedUpContactKeyRecord | BackedUpContactKeyV1Record): record is BackedUpContactKeyRecord {
  return 'lastSeen' in record;
}

/**
 * A version 1 backup's record: its trust decision over what this device knows of the key. The
 * certificate is fetched again with the contact's keys (contact-keys.ts keeps the decision).
 */
function decisionOnly(here: ContactKeyRecord | undefined, record: BackedUpContactKeyV1Record): ContactKeyRecord {
  const restored: ContactKeyRecord = {
    ...(here ? beforeRestoredTrust(here, record.trust) : {}),
    fingerprint: record.fingerprint,
    trust: record.trust,
    firstSeen: record.firstSeen,
    lastSeen: here?.lastSeen ?? record.firstSeen,
    ...(record.verifiedAt ? { verifiedAt: record.verifiedAt } : {}),
  };
  if (!record.verifiedAt) delete restored.verifiedAt;
  return restored;
}

/**
 * A version 2 backup's record: it carries its own decisions (what it replaced, when it was accepted,
 * what it continues), put over what this device knows of the key as a version 1 record's trust is
 * (beforeRestoredTrust: a verification restored over a change here keeps that change aside, for taking
 * the verification back). A revocation here stays even when the backup's record has none: the backup
 * may predate it, and `replace` asks for the backup's decisions, never for a revoked key to count as
 * good again.
 */
function wholeRecord(here: ContactKeyRecord | undefined, record: BackedUpContactKeyRecord): ContactKeyRecord {
  const base = here ? beforeRestoredTrust(here, record.trust) : undefined;
  const { clearedByVerification: cleared, ...decisions } = structuredClone(record);
  const aside = record.trust === 'verified' ? (base?.clearedByVerification ?? cleared) : undefined;
  const revocation = here?.revocation ?? record.revocation;
  const restored: ContactKeyRecord = {
    ...base,
    ...decisions,
    ...(base && Date.parse(base.lastSeen) > Date.parse(record.lastSeen) ? { lastSeen: base.lastSeen } : {}),
    ...(aside ? { clearedByVerification: aside } : {}),
    ...(revocation ? { revocation: { ...revocation } } : {}),
  };
  if (!record.verifiedAt) delete restored.verifiedAt;
  if (!aside) delete restored.clearedByVerification;
  return restored;
}

/** Own keys, not expired, that no backup made or restored here holds. */
export function notBackedUp(keys: readonly OwnKeyRecord[], records: readonly BackupRecordEntry[], now: Date): string[] {
  const covered = new Set(records.flatMap((r) => r.fingerprints));
  return keys.filter((k) => !covered.has(k.fingerprint) && !expired(k, now)).map((k) => k.fingerprint);
}

function expired(key: OwnKeyRecord, now: Date): boolean {
  try {
    return Date.parse(new X509Certificate(Buffer.from(key.certificate, 'base64')).validTo) < now.getTime();
  } catch {
    return false;
  }
}

function backupIdOf(blob: Buffer): string {
  return createHash('sha256').update(blob).digest('hex').slice(0, 16);
}

/** keyring-backup-juliet-capulet.lit-2026-12-02.kxbackup: which account and when, in characters any file system takes. */
function backupFileName(jid: string, now: Date): string {
  return `keyring-backup-${jid.replace(/[^A-Za-z0-9.-]+/g, '-')}-${now.toISOString().slice(0, 10)}.kxbackup`;
}

function isCodeProblem(code: string): boolean {
  return code === 'backup-code-mistyped' || code === 'wrong-backup-code';
}
