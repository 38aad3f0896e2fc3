/**
 * The user's own keys: made here (RSA + self-signed certificate binding the bare JID), kept in the vault
 * with the private key sealed (main/vault/stores/own-keys-store.ts), published to the account's PEP
 * node the XEP-0222 way. What goes out is public data and fingerprints.
 */
import { BoundedMap } from '../bounded-map.js';
import {
  ACCESS_MODELS,
  type AccessRequest,
  type EffectiveNodeConfig,
  type ExportedCertificate,
  type KeyAudience,
  type OwnKeyView,
  type RenewOutcome,
  type RevokeOutcome,
  type RevocationReasonName,
} from '../../contract/index.js';
import { capitalized, shortFingerprint } from '../../contract/format.js';
import { KeyringError } from '../errors.js';
import { createSelfSignedCertificate, DEFAULT_VALIDITY_DAYS } from '../keys/certificate.js';
import { exportCertificatePem } from '../keys/export-key.js';
import { certificateFingerprint } from '../keys/fingerprint.js';
import { generateRsaKeyPair, type RsaKeySize } from '../keys/generate.js';
import { importKeyFiles } from '../keys/import-key.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { checkPublishedCertificate } from '../keys/validate.js';
import { expiryWarning } from '../keys/expiry.js';
import { diskTroubleWords, recordAfterServer } from '../vault/disk-trouble.js';
import type { OwnKeyRecord, PublicationRecord } from '../vault/schema.js';
import type { OwnKeysStore } from '../vault/stores/own-keys-store.js';
import type { PublishedNodesStore } from '../vault/stores/published-nodes-store.js';
import { noteAccessAsked } from './access-note.js';
import { NS } from '../xmpp/namespaces.js';
import { publishAsIs, publishPersistent, READING_AFFILIATIONS, readEffectiveConfig, retractItem, type PersistentNodeSpec, type PublishOutcome } from '../xmpp/persistent-node.js';
import type { NodeState } from '../xmpp/node-state.js';
import { fetchItems } from '../xmpp/fetch-items.js';
import { pubkeyPayload } from '../xmpp/pubkey-items.js';
import { pubkeyPayloadWithSuccession, revocationItemId, revocationPayload } from '../xmpp/key-statements.js';
import { createRevocation, prepareRevocations, type RevocationStatement } from '../keys/revocation.js';
import type { KeyObject } from 'node:crypto';
import type { Element } from '@xmpp/xml';
import { createSuccession } from '../keys/succession.js';
import { renewCertificate } from '../keys/renew.js';
import { verifyPublishedCertificate } from '../drift/held-certificate.js';
import { withReadBack } from '../drift/read-back.js';
import { keyDigestOf, recordRevokedHere, revocationOfItsKey, sameKeyToRevoke, statementFor } from './revoked-here.js';
import { accountMarkNow, forWrite, markedIq, requireMarked, signedOutMeanwhile, stillMarked, type AccountMark } from './session-mark.js';
import type { SessionPort } from './session-port.js';

/** Keys can coexist on the node (XEP-0222 §4); Prosody's default of 1 would overwrite older ones. */
export const KEY_NODE_MAX_ITEMS = 32;

/** A key on the server whose publish the vault could not record (a full disk): found-publications.ts records it at sign-in. */
const PUBLISHED_NOT_RECORDED = {
  done: 'Your key was published on your server',
  next: 'Until then My keys shows it as not published. Free some space: at your next sign-in the app finds it on your server and records it.',
};

/** The same for a renewal's successor, whose predecessor is not withdrawn then (renew withdraws it only after). */
const RENEWED_NOT_RECORDED = {
  done: 'Your renewed key was published on your server',
  next:
    'Your old key is still published beside it, and My keys shows the new one as not published. ' +
    'Free some space: at your next sign-in the app finds the new key on your server and records it; then withdraw the old one.',
};

/**
 * A renewal done on the server (the successor published and recorded, the old key withdrawn) whose last
 * write, the old key's withdrawal, the vault could not record (a full disk). The renewal succeeded: a
 * second one would make a second successor, which contacts refuse (key-continuity.ts).
 */
const RENEWED_OLD_NOT_RECORDED = {
  done: 'Your key was renewed: the new key is published on your server and recorded here, and the old key was withdrawn from your server',
  next:
    'Only that withdrawal is missing from the vault: do not renew the old key again. Until then My keys shows the old key as published; ' +
    'free some space, then withdraw the old key: the app then records it.',
};

/**
 * A renewal whose successor is published and recorded, and whose old key was then not withdrawn: the
 * vault could not note that withdrawal for drift watch first (a full disk), so the server was not asked.
 */
const renewedOldStillPublished = (diskWords: string) =>
  'Your key was renewed: the new key is published on your server and recorded here. Your old key is still published beside it: ' +
  `the app could not note its withdrawal (${diskWords}), so it did not withdraw it. Do not renew the old key again: free some space, then withdraw it.`;

/**
 * A renewal whose successor was made and stored, and then not published (refused, cut off, signed out,
 * the node's access found changed): the successor stays (contacts take one successor per key, and the
 * key's one renewal is used: renewing the old key again is refused), so the failure says so and how to
 * finish, instead of only the server's refusal. The old key is still published as it was. A publish the
 * server took and the vault could not record says that itself (RENEWED_NOT_RECORDED). Front ends that
 * cannot act from My keys (the CLI) put their own next step in place of this one.
 */
function successorKept(error: unknown, successor: string): unknown {
  if (error instanceof KeyringError && error.code === 'storage-failed' && error.message.startsWith(RENEWED_NOT_RECORDED.done)) return error;
  const kept = `The new certificate ${shortFingerprint(successor)} was made and kept, not published: it is this key's renewal, so renewing this key again is refused. Your old key is still published as it was.`;
  const said = error instanceof KeyringError ? error : new KeyringError('internal', 'Publishing the new certificate failed inside the app (details are in the log).', undefined, { cause: error });
  const sentence = /[.!?]$/.test(said.message) ? said.message : `${said.message}.`;
  const publishIt = 'publish the new key from My keys (its card says it replaces this one) to the same people; then retract the old one.';
  return new KeyringError(said.code, `${sentence} ${kept}`, said.field, {
    cause: error,
    // Held back by a setting the app cannot publish to: that goes first, or publishing again fails the same way.
    nextStep: said instanceof UnpublishableAccess ? `${putBack(said.model)}, then ${publishIt}` : capitalized(publishIt),
  });
}

/** A key withdrawn from the server whose deletion the vault could not record (a full disk). */
const WITHDRAWN_NOT_DELETED = { done: 'Your key was withdrawn from your server', next: 'It is still in the vault. Free some space, then delete it again.' };
const withdrawnNotDeleted = (diskWords: string) => `${WITHDRAWN_NOT_DELETED.done}, but the app could not record it (${diskWords}). ${WITHDRAWN_NOT_DELETED.next}`;

/**
 * One action on the account's keys (a publish, renewal, revocation, withdrawal, deletion): the account and
 * connection it began on, taken before its first await (session-mark.ts), and what it is doing, for the
 * words that stop it. Everything it asks of a server and records names this account, never whichever is
 * signed in by then: another window may sign in to another account meanwhile.
 */
interface KeyJob extends AccountMark {
  /** What is being done, as the refusal says it ("publishing your key"). */
  readonly doing: string;
}

/**
 * Why a key action stopped: its account was signed out before it was done. A write goes on over a
 * reconnect of its account (session-mark.ts `holds`): only another account signed in stops it.
 */
function signedOutWords(job: KeyJob): string {
  const why = job.holds === 'account' ? 'another account was signed in' : 'another account was signed in, or the connection was replaced';
  return (
    `${job.account} was signed out (${why}) while ${job.doing}: ` +
    `the app stopped there, sent nothing more to the server, recorded nothing more, and did nothing for another account. ` +
    `Sign in to ${job.account} again and look at My keys; if it is not done, do it again.`
  );
}

export interface OwnKeysDeps {
  store: OwnKeysStore;
  /** What the key node should hold, for drift watch (docs/drift.md). */
  published: PublishedNodesStore;
  session: SessionPort;
}

export class OwnKeys {
  readonly #deps: OwnKeysDeps;
  /**
   * Revocations of own keys found on the key node and being applied (own-revocations.ts: at sign-in,
   * from a notification of the node). Publishing, renewing and revoking wait for them: a key another
   * device revoked meanwhile is then revoked here first, and never published again by a request, or a
   * write queued offline, that would otherwise run beside the reading.
   */
  #revocations: Promise<unknown> = Promise.resolve();
  /**
   * Who may read the key node, as the server last said in this session (undefined: no node, or an
   * access the app does not offer). Read from the server once, the first time it is asked for, unless
   * something read it before: then kept up to date by what can change it, this app's publishes (their
   * read-back) and drift watch's readings of the node, and forgotten when the server announces a change
   * of the node's configuration or the session is new. My keys asks for it at every opening and
   * refresh: a round trip each time for what main already knew.
   */
  #serverAccess: { account: string; access: Promise<AccessRequest | undefined> } | undefined;
  /**
   * Keys being renewed now (account and fingerprint). A renewal awaits the vault, the key generation
   * and the server before its successor is stored, so two of one key at once (two windows, a request
   * sent again) would both pass the "one renewal per key" check and give the key two successors, both
   * published, of which contacts accept only one (key-continuity.ts). The second is refused instead.
   */
  readonly #renewing = new Set<string>();
  /**
   * Revokes under way here (account and fingerprint), each settled (never rejecting) once the revoke
   * ends. Its revocation reaches the key node, and the server notifies every resource of the account of
   * it (XEP-0163 §4.3.1), this one too, before this revoke has recorded the key as revoked (the answer,
   * the read-back and the vault's writes come after): a reading of the node meanwhile (own-revocations.ts)
   * waits for the revoke, so the app's own revocation is never told as news from another device.
   */
  readonly #revoking = new Map<string, Promise<void>>();
  /**
   * Keys deleted on this device in this run (account and fingerprint), most recent kept: the server's
   * notification of a delete's retract may be handled after the key left the vault (ejabberd sends
   * retract notifications from 24.12 on, not necessarily before its answer), and must not read as a key
   * withdrawn from another device.
   */
  readonly #deletedHere = new BoundedMap<string, true>(256);

  constructor(deps: OwnKeysDeps) {
    this.#deps = deps;
  }

  /** Own revocations being applied: the writes that follow wait for them (their failure is theirs to report). */
  afterRevocations(applied: Promise<unknown>): void {
    this.#revocations = Promise.all([this.#revocations, applied.catch(() => undefined)]);
  }

  /**
   * What drift watch read of the key node (main/xmpp/node-state.ts; undefined: it does not exist): the
   * server's word, newer than anything held.
   */
  noteKeyNode(state: Pick<NodeState, 'accessModel' | 'rosterGroups' | 'affiliations'> | undefined): void {
    const whitelist = state?.affiliations.status === 'listed' ? state.affiliations.others.filter((a) => READING_AFFILIATIONS.has(a.affiliation)).map((a) => a.jid) : undefined;
    // Drift watch hands on a reading only while its account is still the one signed in (drift-watch.ts #checkNow).
    this.#holdServerAccess(this.#deps.session.state.account, state ? audienceOf(state.accessModel, state.rosterGroups, whitelist) : undefined);
  }

  /** The key node's configuration may have changed (a new session, the server announced it): read it again when next asked. */
  forgetServerAccess(): void {
    this.#serverAccess = undefined;
  }

  /**
   * The revoke of `account`'s key under way here, settled once it ended (done or failed); undefined when
   * none is. A reader of the key node waits for it before taking the key's revocation for another
   * device's (own-revocations.ts): after a revoke done here the key is revoked already and nothing is news.
   */
  revokeUnderWay(account: string, fingerprint: string): Promise<void> | undefined {
    return this.#revoking.get(`${account}\n${fingerprint}`);
  }

  /** Whether the key is revoked here, once the revocations being applied are. */
  async revokedHere(fingerprint: string): Promise<boolean> {
    await this.#revocations;
    const jid = this.#deps.session.state.account;
    return jid !== undefined && this.#deps.store.find(jid, fingerprint)?.revoked !== undefined;
  }

  /** Makes a key pair and certificate for the connected account and stores them. */
  async generate(options: { bits: RsaKeySize; validityDays?: number; label?: string }): Promise<OwnKeyView> {
    const jid = this.#deps.session.ownJid;
    const { privateKey } = await generateRsaKeyPair(options.bits);
    const der = await createSelfSignedCertificate({
      bareJid: jid,
      privateKey, // never logged
      validityDays: options.validityDays ?? DEFAULT_VALIDITY_DAYS,
    });
    const record = await this.#deps.store.add(jid, {
      fingerprint: certificateFingerprint(der),
      certificateDer: der,
      privateKey,
      revocations: await preparedFor(jid, der, privateKey),
      ...(options.label ? { label: options.label } : {}),
    });
    return this.#view(jid, record.fingerprint);
  }

  /**
   * Keys made before revocations were prepared at generation get theirs now, while their private
   * halves can be opened (the vault is open): the backup then holds a way to revoke every key.
   */
  async prepareMissingRevocations(): Promise<number> {
    const jid = this.#deps.session.state.account;
    if (!jid) return 0;
    let prepared = 0;
    for (const key of this.#deps.store.list(jid)) {
      if (key.revocations || key.revoked) continue;
      const privateKey = this.#deps.store.privateKey(jid, key.fingerprint); // never logged
      if (!privateKey) continue;
      const certificateDer = Buffer.from(key.certificate, 'base64');
      await this.#deps.store.setPreparedRevocations(jid, key.fingerprint, await preparedFor(jid, certificateDer, privateKey));
      prepared++;
    }
    return prepared;
  }

  /**
   * Takes an existing key and certificate (PEM files or one PKCS#12) into the vault. The certificate
   * must name this account, or contacts would see it as bound to someone else (jid-mismatch).
   */
  async import(files: readonly Uint8Array[], password?: string): Promise<OwnKeyView> {
    const jid = this.#deps.session.ownJid;
    const identity = await importKeyFiles(files, password); // holds the private key: never logged
    if (!identity.jid || bareJidKey(identity.jid) !== bareJidKey(jid)) {
      throw new KeyringError(
        'invalid-argument',
        `This certificate is for ${identity.jid ?? 'no XMPP address'}, not for ${jid}; contacts would not accept it as yours.`,
        'files',
      );
    }
    if (this.#deps.store.find(jid, identity.fingerprint)) {
      throw new KeyringError('invalid-argument', 'This key is already in your keyring.', 'files');
    }
    const record = await this.#deps.store.add(jid, {
      fingerprint: identity.fingerprint,
      certificateDer: identity.certificateDer,
      privateKey: identity.privateKey,
      revocations: await preparedFor(jid, identity.certificateDer, identity.privateKey),
      // Its certificate was made elsewhere, at another time: the screens must not call today its making.
      imported: true,
    });
    return this.#view(jid, record.fingerprint);
  }

  /** The keys of the account last signed in (offline too), newest first; none before any. */
  list(): OwnKeyView[] {
    const jid = this.#deps.session.state.account;
    if (!jid) return [];
    return summarizeAll(this.#deps.store.list(jid), jid, new Date());
  }

  /** Names a key (empty: no name); works offline, the name is the user's and never published. */
  async rename(fingerprint: string, label: string): Promise<OwnKeyView[]> {
    const jid = this.#lastAccount();
    this.#find(jid, fingerprint);
    await this.#deps.store.setLabel(jid, fingerprint, label);
    return this.list();
  }

  /**
   * Erases a key from the vault. A key recorded as published is retracted first (XEP-0060 §7.2) so
   * that no contact keeps fetching a key nobody holds any more; that needs the connection, and the key
   * stays whole if the retract fails. A key already gone from the node (item-not-found) is deleted.
   */
  async delete(fingerprint: string): Promise<{ retracted: boolean }> {
    const jid = this.#lastAccount();
    // Taken now, for the withdrawals below: a key of this account is withdrawn from this account's node only.
    const job: KeyJob = forWrite({ account: jid, generation: this.#deps.session.sessionGeneration, doing: 'deleting your key' });
    const key = this.#find(jid, fingerprint);
    let retracted = false;
    if (key.publications.length > 0) {
      if (this.#deps.session.state.status !== 'online') {
        throw new KeyringError(
          'not-connected',
          'This key is still published on your account. Connect first, so it is withdrawn before it is deleted.',
          'fingerprint',
        );
      }
      // Before the retract is sent: its notification can come at any time from then on.
      this.#deletedHere.set(`${jid}\n${fingerprint}`, true);
      for (const publication of key.publications) {
        try {
          // A note refused after an earlier node's withdrawal: the vault's "nothing was changed" would be false.
          await this.#withdraw(job, publication.node, key.fingerprint, retracted ? withdrawnNotDeleted : undefined);
          retracted = true;
        } catch (error) {
          if (!(error instanceof KeyringError && error.code === 'not-found')) throw error;
        }
      }
    }
    // A key that was published is erased only while the account it was withdrawn for is still signed in.
    if (key.publications.length > 0) this.#requireStill(job);
    // Nothing withdrawn: the vault's own words ("nothing was changed") are the true ones.
    await (retracted ? recordAfterServer(() => this.#deps.store.remove(jid, fingerprint), WITHDRAWN_NOT_DELETED) : this.#deps.store.remove(jid, fingerprint));
    return { retracted };
  }

  /**
   * Who may read the keys already published (one audience per node): read from the server when online,
   * else as this app last recorded it. A node that does not exist has no audience yet.
   */
  async audience(): Promise<KeyAudience> {
    const jid = this.#deps.session.state.account;
    const records = jid ? this.#deps.store.list(jid) : [];
    const publishedKeys = records.filter((k) => k.publications.some((p) => p.node === NS.pubkey)).length;
    if (jid && this.#deps.session.state.status === 'online') {
      const access = await this.#readServerAccess(jid);
      return { source: 'server', publishedKeys, ...(access ? { access } : {}) };
    }
    const saved = records.flatMap((k) => k.publications).find((p) => p.node === NS.pubkey);
    const access = saved ? audienceOf(saved.accessModel, saved.groups, saved.allow) : undefined;
    return { source: 'saved', publishedKeys, ...(access ? { access } : {}) };
  }

  /**
   * Whether this device deleted the key of the account last signed in (withdrawing it from the node),
   * in this run: its withdrawal is no news from another device.
   */
  deletedHere(fingerprint: string): boolean {
    const jid = this.#deps.session.state.account;
    return jid !== undefined && this.#deletedHere.has(`${jid}\n${fingerprint}`);
  }

  /**
   * The key, deleted here, is on the node again (another device holding it published it): a withdrawal
   * of it from now on is that device's, news again.
   */
  publishedAgainElsewhere(fingerprint: string): void {
    const jid = this.#deps.session.state.account;
    if (jid !== undefined) this.#deletedHere.delete(`${jid}\n${fingerprint}`);
  }

  /** Whether the account last signed in has this key. */
  has(fingerprint: string): boolean {
    const jid = this.#deps.session.state.account;
    return jid !== undefined && this.#deps.store.find(jid, fingerprint) !== undefined;
  }

  /** XEP-0222 publish of the certificate, item id = its fingerprint; returns the node config read back. */
  async publish(fingerprint: string, access: AccessRequest, reconfigure = false): Promise<EffectiveNodeConfig> {
    return this.#publish(this.#job('publishing your key'), fingerprint, access, reconfigure, PUBLISHED_NOT_RECORDED);
  }

  /** publish for `job`'s account, saying `unrecorded` when the server took it and the vault could not record it. */
  async #publish(job: KeyJob, fingerprint: string, access: AccessRequest, reconfigure: boolean, unrecorded: { done: string; next: string }): Promise<EffectiveNodeConfig> {
    await this.#revocations;
    this.#requireStill(job);
    const jid = job.account;
    const key = this.#find(jid, fingerprint);
    refuseRevoked(this.#deps.store.list(jid), key);
    await this.#deps.session.requireXep0222Support();
    // That answer was the live connection's: its server's, and its account's from here on, if another signed in.
    this.#requireStill(job);
    const payload = keyItemPayload(key);
    // Before the server is touched: a change of the node's audience changes every key's there, and
    // its record comes only after the server answers. Noted first, a full disk refuses the whole
    // change here, and one that fills after leaves drift watch knowing the new audience for the app's
    // own, not another app's (PublishedNodesStore.noteAccess; found-publications records it at sign-in).
    // Taken back if the publish ends before the server is asked to change anyone's access (access-note.ts).
    const note = await noteAccessAsked(this.#deps.published, jid, [NS.pubkey], access);
    const outcome = await note.guard(() =>
      this.#publishToKeyNode(job, { node: NS.pubkey, access, maxItems: KEY_NODE_MAX_ITEMS, reconfigure, onAccessChange: note.touching(NS.pubkey) }, { id: key.fingerprint, payload }),
    );
    // The key is on the server from here on: a vault that cannot record it (a full disk) must say so,
    // and the next sign-in records it from the server (found-publications.ts). Three writes (two
    // stores), in found-publications' order: the drift record first, the key's publication last. Stopped
    // anywhere between, My keys shows the key as not published (what `unrecorded` says) and drift watch
    // already expects it, so the app's own key is never reported as another client's.
    await recordAfterServer(
      async () => {
        await this.#deps.published.recordPublish(jid, NS.pubkey, { access, maxItems: KEY_NODE_MAX_ITEMS, config: outcome.config, item: { id: key.fingerprint, certificate: key.fingerprint } });
        // One audience per node (XEP-0060 §4.5): after a change, every key published there has the new one.
        if (outcome.reconfigured) {
          await this.#deps.store.setAudience(jid, NS.pubkey, {
            accessModel: outcome.config.accessModel,
            ...(access.model === 'roster' ? { groups: outcome.config.rosterGroupsAllowed } : {}),
            ...(access.model === 'whitelist' ? { allow: outcome.config.whitelist ?? [] } : {}),
          });
        }
        await this.#deps.store.setPublication(jid, key.fingerprint, NS.pubkey, {
          accessModel: outcome.config.accessModel,
          ...(access.model === 'roster' ? { groups: outcome.config.rosterGroupsAllowed } : {}),
          ...(access.model === 'whitelist' ? { allow: outcome.config.whitelist ?? [] } : {}),
          publishedAt: new Date().toISOString(),
        });
      },
      unrecorded,
    );
    return outcome.config;
  }

  /**
   * Renewal in one action (docs/key-lifecycle.md, "Expiry and renewal"): a fresh certificate for the
   * same key, or (newKey) a new key of the same size; either way with a succession statement signed by
   * the old key, kept with the new one. A published key's successor is published where the old key is,
   * to the key node's audience as the server reports it (#publishSuccessor), and only once the server
   * has confirmed that publish is the old one withdrawn. The old key stays in
   * the vault (its owner may still need it) until deleted.
   */
  async renew(fingerprint: string, options: { newKey: boolean }): Promise<RenewOutcome> {
    const job = this.#job('renewing your key');
    await this.#revocations;
    this.#requireStill(job);
    const jid = job.account;
    const old = this.#find(jid, fingerprint);
    refuseRevoked(this.#deps.store.list(jid), old);
    this.#refuseRenewed(jid, fingerprint);
    // Checked and taken with no await between: a second renewal of the key is refused until this one ends.
    const renewing = `${jid}\n${fingerprint}`;
    if (this.#renewing.has(renewing)) {
      throw new KeyringError(
        'invalid-argument',
        'This key is being renewed already (in another window, or by a request still under way). Wait for that renewal to finish: contacts accept only one successor for a key.',
        'fingerprint',
      );
    }
    this.#renewing.add(renewing);
    try {
      return await this.#renew(job, old, options);
    } finally {
      this.#renewing.delete(renewing);
    }
  }

  /** Contacts take one successor per key (key-continuity.ts): a second one's claim does not count. */
  #refuseRenewed(jid: string, fingerprint: string): void {
    const renewed = this.#deps.store.list(jid).find((k) => k.succession?.old === fingerprint);
    if (renewed) {
      throw new KeyringError(
        'invalid-argument',
        `This key was already renewed: its successor is ${renewed.fingerprint}. Contacts accept only one successor for a key: publish or renew the successor instead, or make a new key.`,
        'fingerprint',
      );
    }
  }

  /** renew() for a key no other renewal is under way for. */
  async #renew(job: KeyJob, old: OwnKeyRecord, options: { newKey: boolean }): Promise<RenewOutcome> {
    const jid = job.account;
    const fingerprint = old.fingerprint;
    const oldDer = Buffer.from(old.certificate, 'base64');
    const oldPrivateKey = this.#deps.store.privateKey(jid, fingerprint);
    if (!oldPrivateKey) throw new KeyringError('not-found', `No key ${fingerprint} for ${jid}.`, 'fingerprint');
    const publication = old.publications.find((p) => p.node === NS.pubkey);
    const access = publication ? audienceOf(publication.accessModel, publication.groups, publication.allow) : undefined;
    // Refused before a successor is made: nothing is used up.
    if (publication && !access) throw cannotPublishTo(publication.accessModel);
    if (publication) {
      // Made offline, the successor could not replace the published key: nothing is made then.
      if (this.#deps.session.state.status !== 'online') {
        throw new KeyringError('not-connected', 'This key is published: connect first, so its successor is published to the same people.');
      }
      await this.#deps.session.requireXep0222Support();
      this.#requireStill(job);
    }

    let der: Buffer;
    let privateKey = oldPrivateKey;
    if (options.newKey) {
      const check = checkPublishedCertificate({ der: oldDer, publisherJid: jid, itemId: fingerprint });
      const bits: RsaKeySize = check.bits === 2048 || check.bits === 4096 ? check.bits : 3072;
      ({ privateKey } = await generateRsaKeyPair(bits));
      der = await createSelfSignedCertificate({ bareJid: jid, privateKey, validityDays: validityDaysOf(check.notBefore, check.notAfter) });
    } else {
      ({ der } = await renewCertificate({ currentCertificateDer: oldDer, privateKey: oldPrivateKey }));
    }
    const succession = await createSuccession({ bareJid: jid, oldCertificateDer: oldDer, oldPrivateKey, newCertificateDer: der });
    // Checked again after the awaits above: meanwhile the key may have been revoked (a reading of the
    // key node) or given a successor otherwise (a backup restored), and nothing is stored yet.
    refuseRevoked(this.#deps.store.list(jid), this.#find(jid, fingerprint));
    this.#refuseRenewed(jid, fingerprint);
    // A published key's successor is made only to be published at once: signed out meanwhile (the key
    // generation takes seconds), it is not stored, rather than left unpublished beside the old key.
    if (access) this.#requireStill(job);
    const successor = await this.#deps.store.add(jid, {
      fingerprint: certificateFingerprint(der),
      certificateDer: der,
      privateKey,
      succession,
      revocations: await preparedFor(jid, der, privateKey),
      ...(old.label ? { label: old.label } : {}),
    });
    if (!access) return { fingerprint: successor.fingerprint, published: false, withdrawn: false };

    let config: EffectiveNodeConfig;
    try {
      config = await this.#publishSuccessor(job, successor.fingerprint, access);
    } catch (error) {
      throw successorKept(error, successor.fingerprint);
    }
    // The publish was answered: the new key is on the server. Only now does the old one go; already
    // gone (withdrawn elsewhere), it is as withdrawn, and only the record catches up.
    try {
      await this.#withdraw(job, NS.pubkey, old.fingerprint, renewedOldStillPublished);
    } catch (error) {
      if (!(error instanceof KeyringError && error.code === 'not-found')) throw error;
    }
    // Not retract()'s words: they would hide that the renewal itself succeeded.
    this.#requireStill(job);
    await recordAfterServer(() => this.#deps.store.setPublication(jid, old.fingerprint, NS.pubkey, undefined), RENEWED_OLD_NOT_RECORDED);
    return { fingerprint: successor.fingerprint, published: true, withdrawn: true, config };
  }

  /**
   * Publishes a renewal's successor where its predecessor is: to the key node's audience, one for every
   * item on it (XEP-0060 §4.5). First to the audience the vault recorded (`recorded`), as any publish;
   * where the server says the node's audience is another (access-model-conflict: another device of the
   * account changed its members, groups or model, with its person's consent, and this vault's record is
   * stale), to the node as the server reports it now, its access neither widened nor narrowed (a change
   * of who reads every key there is never a renewal's to make). A node that cannot be read then, or whose
   * access the app cannot publish to, leaves the refusal as it was.
   */
  async #publishSuccessor(job: KeyJob, fingerprint: string, recorded: AccessRequest): Promise<EffectiveNodeConfig> {
    try {
      return await this.#publish(job, fingerprint, recorded, false, RENEWED_NOT_RECORDED);
    } catch (error) {
      return this.#publishToCurrentAudience(job, fingerprint, await this.#audienceAfterConflict(job, error));
    }
  }

  /**
   * After a publish to the key node failed with `error`: where it was refused as access-model-conflict,
   * the node's configuration and audience as the server reports them now, to publish to as it is (a
   * renewal's successor, a revocation). Any other failure throws `error` as it was; a reading that fails
   * throws its own failure (one refused by a switch of accounts is said as that); a node whose access the
   * app cannot publish to throws UnpublishableAccess.
   */
  async #audienceAfterConflict(job: KeyJob, error: unknown): Promise<{ config: EffectiveNodeConfig; access: AccessRequest }> {
    if (!(error instanceof KeyringError && error.code === 'access-model-conflict')) throw error;
    let read: Awaited<ReturnType<typeof readKeyNodeAudience>>;
    try {
      read = await readKeyNodeAudience(this.#ctx(job));
    } catch (readError) {
      // Said as what stopped it (a switch of accounts, a timeout): "must be confirmed" would ask for a
      // confirmation that neither a revoke nor a renewal can give, and is not why it failed.
      this.#requireStill(job);
      throw readError;
    }
    if (read === undefined) throw error;
    // A model the app does not offer (another client set "authorize", say): no audience to publish to,
    // and no confirmation would change that here (no --reconfigure on a revoke or a renewal).
    if (read.access === undefined) throw cannotPublishTo(read.config.accessModel);
    return { config: read.config, access: read.access };
  }

  /**
   * #publishSuccessor's publish to the key node as it is (`found`: its configuration and audience as
   * just read), as revoke does on a conflict: its access is not configured (only its persistence put
   * back if it was turned off: #publishToKeyNode). My keys records the audience the server reported for
   * the new key, who reads it now. The node's drift record keeps the person's choice and only expects
   * the new item (recordFound), so drift watch still reports the change until it is accepted there:
   * copied from the server, the record would silence a change another client made.
   */
  async #publishToCurrentAudience(job: KeyJob, fingerprint: string, found: { config: EffectiveNodeConfig; access: AccessRequest }): Promise<EffectiveNodeConfig> {
    await this.#revocations;
    this.#requireStill(job);
    const jid = job.account;
    const key = this.#find(jid, fingerprint);
    refuseRevoked(this.#deps.store.list(jid), key);
    const spec = { node: NS.pubkey, access: found.access, maxItems: KEY_NODE_MAX_ITEMS };
    const outcome = await this.#publishToKeyNode(job, spec, { id: key.fingerprint, payload: keyItemPayload(key) }, found.config);
    // On the server from here on: as in #publish, a vault that cannot record it says so (RENEWED_NOT_RECORDED).
    await recordAfterServer(
      async () => {
        await this.#deps.published.recordFound(jid, NS.pubkey, { id: key.fingerprint, certificate: key.fingerprint }, { ...spec, config: outcome.config });
        await this.#deps.store.setPublication(jid, key.fingerprint, NS.pubkey, { ...publicationAudience(outcome.config), publishedAt: new Date().toISOString() });
      },
      RENEWED_NOT_RECORDED,
    );
    return outcome.config;
  }

  /**
   * Revokes a key (docs/key-lifecycle.md, "Revocation statement"): a statement signed by the key itself
   * is published as an item of its own on the key node, to the audience the node has, and only once
   * that publish is answered is the key's own item withdrawn. The publish is notified on every server,
   * where the withdrawal may not be (ejabberd before 24.12 sends no retract notifications). Whether the
   * key is on the node is asked of the server, not of the vault's record alone (#itemsOnServer). A key
   * on no node is revoked here only, unless other keys are published: then the statement goes to their
   * audience, for contacts who saw the key earlier. The key is never published again.
   */
  async revoke(fingerprint: string, reason: RevocationReasonName): Promise<RevokeOutcome> {
    const job = this.#job('revoking your key');
    await this.#revocations;
    const jid = job.account;
    const id = `${jid}\n${fingerprint}`;
    // A second revoke of the key while one is under way waits for it, then is refused if it was done
    // (the key revoked) or goes on if it failed.
    for (let earlier = this.#revoking.get(id); earlier; earlier = this.#revoking.get(id)) await earlier;
    this.#requireStill(job);
    const key = this.#find(jid, fingerprint);
    // Only a revocation of this very certificate refuses: one covered by its key's revocation under
    // another certificate (revocationOfItsKey, a vault from before that was recorded) may get its own.
    if (key.revoked) refuseRevoked([], key);
    // Marked under way from here, before anything is sent (see #revoking), with no await since the key
    // was found unrevoked and no revoke of it under way; settled once it ended, after its last write.
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.#revoking.set(id, settled);
    try {
      return await this.#revoke(job, key, reason);
    } finally {
      this.#revoking.delete(id);
      settle();
    }
  }

  /** revoke() for a key found unrevoked, marked as being revoked here. */
  async #revoke(job: KeyJob, key: OwnKeyRecord, reason: RevocationReasonName): Promise<RevokeOutcome> {
    const jid = job.account;
    const fingerprint = key.fingerprint;
    const der = Buffer.from(key.certificate, 'base64');
    const privateKey = this.#deps.store.privateKey(jid, fingerprint); // never logged
    // Signed now when the private half is here (dated today); else the one prepared at generation.
    const statement = privateKey
      ? await createRevocation({ bareJid: jid, certificateDer: der, privateKey, reason })
      : key.revocations?.find((r) => r.reason === reason);
    if (!statement) throw new KeyringError('not-found', 'This key can no longer sign, and no revocation was prepared for it.', 'fingerprint');
    // Revoked as compromised (or for no reason given), the key itself is: its other certificates (a
    // renewal keeps the key) are revoked with it, each by a statement of its own dated as this one
    // (revoked-here.ts). One with neither its private half nor a prepared statement is still shown
    // revoked and refused (revocationOfItsKey).
    const sameKey: { record: OwnKeyRecord; statement: RevocationStatement }[] = [];
    for (const record of sameKeyToRevoke(this.#deps.store.list(jid), key, reason)) {
      const its = await statementFor(this.#deps.store, jid, record, reason, new Date(statement.date));
      if (its) sameKey.push({ record, statement: its });
    }
    this.#requireStill(job);

    const own = key.publications.find((p) => p.node === NS.pubkey);
    // The vault's record is not the server's word: a publish the disk could not record, or one made by
    // another device of the account, leaves the key on the node unrecorded here. Contacts may have
    // fetched it, so its revocation must go out whatever the record says. The same for its key's other
    // certificates, withdrawn with it.
    const recorded = (record: OwnKeyRecord) => record.publications.some((p) => p.node === NS.pubkey);
    const items = own && sameKey.every((s) => recorded(s.record)) ? undefined : await this.#itemsOnServer(job);
    const onServerOf = (record: OwnKeyRecord): boolean | 'unknown' => (recorded(record) ? true : items === undefined || items === 'unknown' ? 'unknown' : items.has(record.fingerprint));
    const onServer = onServerOf(key);
    const sameKeyOnServer = sameKey.filter((s) => onServerOf(s.record) !== false);
    // A reading refused by a switch says 'unknown', not why: the switch is said instead.
    this.#requireStill(job);
    const publication = own ?? this.#deps.store.list(jid).flatMap((k) => k.publications).find((p) => p.node === NS.pubkey);
    let access = publication ? audienceOf(publication.accessModel, publication.groups, publication.allow) : undefined;
    // Where the revocation cannot go out now, the key is still revoked here (never used or published
    // again, revoked-here.ts), and the words say what keeps its statement back and how it goes out: a
    // revocation is never held back by another client's change of the node, not even here.
    const revokedHereOnly = async (error: unknown): Promise<never> => {
      if (!(error instanceof UnpublishableAccess)) throw error;
      this.#requireStill(job);
      // Owed first: stopped between the two writes, the key is still unrevoked, never revoked without it.
      for (const owed of [fingerprint, ...sameKey.map((same) => same.record.fingerprint)]) await this.#deps.store.setRevocationOwed(jid, owed, true);
      await recordRevokedHere(this.#deps, jid, fingerprint, statement);
      for (const same of sameKey) await recordRevokedHere(this.#deps, jid, same.record.fingerprint, same.statement);
      throw new KeyringError(
        'revocation-held-back',
        `Your key is revoked here: this app will not use it or publish it again. Its revocation could not be published yet, so your contacts are not told: ${UNPUBLISHABLE_WORDS}`,
        undefined,
        { nextStep: `${putBack(error.model)}, then sign in again: the revocation goes out then.` },
      );
    };
    if (publication && !access) await revokedHereOnly(cannotPublishTo(publication.accessModel));
    /** The node's configuration as read now, when the audience is the server's word (below). */
    let serverConfig: EffectiveNodeConfig | undefined;
    if (!access && (onServer !== false || sameKeyOnServer.length > 0)) {
      // Nothing recorded, and the key there (or the node unreadable to its owner: ejabberd 23.01 under
      // roster access): the statement goes to the node's audience, as the server reports it.
      const read = await readKeyNodeAudience(this.#ctx(job));
      serverConfig = read?.config;
      access = read?.access;
      if (serverConfig && !access) await revokedHereOnly(cannotPublishTo(serverConfig.accessModel));
    }
    if (!access) {
      // No key node at all: nobody could have fetched this key from the account.
      this.#requireStill(job);
      await recordRevokedHere(this.#deps, jid, fingerprint, statement);
      for (const same of sameKey) await recordRevokedHere(this.#deps, jid, same.record.fingerprint, same.statement);
      return { published: false, withdrawn: false, withdrawalPending: false, ...alsoRevoked(sameKey) };
    }
    await this.#deps.session.requireXep0222Support();
    this.#requireStill(job);
    const itemId = revocationItemId(fingerprint);
    // That audience may be another client's doing (the node widened by a stolen password or a server
    // admin). The statement still goes to it (a public statement: more readers are harmless), but a
    // node drift watch has a record of is published to as it is, its access never reconfigured, and its
    // record keeps the access the person chose (recordFound below), so drift watch still reports the
    // change. Only a node made to keep no items is made to keep them again first (#publishToKeyNode).
    const recordedNode = serverConfig !== undefined && this.#deps.published.list(jid)[NS.pubkey] !== undefined;
    const spec = { node: NS.pubkey, access, maxItems: KEY_NODE_MAX_ITEMS };
    const revocationItem = { id: itemId, payload: revocationPayload(statement) };
    let outcome: PublishOutcome;
    try {
      outcome = await this.#publishToKeyNode(job, spec, revocationItem, recordedNode ? serverConfig : undefined);
    } catch (error) {
      // The node's audience is not the one recorded: changed by another client (a stolen password, a
      // server admin: just when a key is revoked as compromised) or by another device of the account. A
      // revocation is never held back for that: it goes to the node as it is, its access not
      // reconfigured (its persistence put back if it was turned off too), and the record keeps the
      // person's choice (recordFound below), so drift watch still reports the change.
      if (serverConfig !== undefined) throw error;
      const read = await this.#audienceAfterConflict(job, error).catch(revokedHereOnly);
      serverConfig = read.config;
      outcome = await this.#publishToKeyNode(job, { ...spec, access: read.access }, revocationItem, serverConfig);
    }
    // The revocation is on the server, for every contact to read: the key is revoked from here on,
    // whatever happens to the withdrawal below. Recorded first, so a withdrawal cut off is not taken
    // for a failed revoke (the key shown usable, then "revoked by another device" at the next sign-in).
    // A vault that cannot record it (a full disk) says so: the next sign-in reads it from the server
    // (own-revocations.ts), and its key's item is withdrawn then, as after a switch of accounts here.
    this.#requireStill(job);
    await recordAfterServer(
      async () => {
        // The revocation carries the revoked certificate: the item must keep carrying it. An audience
        // read from the server is never recorded over a record kept (see above): only the item is added.
        const item = { id: itemId, certificate: fingerprint };
        if (serverConfig) await this.#deps.published.recordFound(jid, NS.pubkey, item, { access, maxItems: KEY_NODE_MAX_ITEMS, config: outcome.config });
        else await this.#deps.published.recordPublish(jid, NS.pubkey, { access, maxItems: KEY_NODE_MAX_ITEMS, config: outcome.config, item });
        await recordRevokedHere(this.#deps, jid, fingerprint, statement);
        for (const same of sameKey) await recordRevokedHere(this.#deps, jid, same.record.fingerprint, same.statement);
      },
      {
        done: 'The revocation of your key was published on your server, for your contacts to see',
        next: 'Until then this key shows as not revoked here: do not use it. Free some space: at your next sign-in the app reads the revocation from your server and marks the key revoked.',
      },
    );
    // Only now does the key's own item go. Cut off (the connection lost, the server refusing), it stays
    // on the node beside its revocation, which contacts honour; the next reading of the node withdraws
    // it (own-revocations.ts).
    let withdrawn = false;
    let withdrawalPending = false;
    if (onServer !== false) {
      try {
        await retractItem(this.#ctx(job), NS.pubkey, fingerprint);
        withdrawn = true;
      } catch (error) {
        if (!(error instanceof KeyringError && error.code === 'not-found')) withdrawalPending = true;
      }
    }
    // Its key's other certificates go as it did: contacts honour its revocation for them already
    // (withRevocations), and the owner's node should no longer list a compromised key under any of
    // them. Cut off, each is left to the next reading of the node (own-revocations.ts), as the key's own.
    for (const same of sameKeyOnServer) {
      try {
        await retractItem(this.#ctx(job), NS.pubkey, same.record.fingerprint);
      } catch (error) {
        if (!(error instanceof KeyringError && error.code === 'not-found')) withdrawalPending = true;
      }
    }
    return { published: true, withdrawn, withdrawalPending, ...alsoRevoked(sameKey), config: outcome.config };
  }

  /**
   * The ids of the key node's items as the server says now (XEP-0060 §6.5.2): whether a key the vault
   * does not record as published there is. 'unknown' when the server does not let the owner read
   * the node (ejabberd 23.01 under roster access) or did not answer. Offline only the record is known;
   * revokes wait for the connection (publish-queue.ts), so that is for direct callers alone.
   */
  async #itemsOnServer(job: KeyJob): Promise<ReadonlySet<string> | 'unknown'> {
    if (this.#deps.session.state.status !== 'online') return new Set();
    const read = await fetchItems(this.#ctx(job).iq, job.account, NS.pubkey);
    if (read.status === 'ok') return new Set(read.items.map((item) => item.id));
    return read.status === 'none' ? new Set() : 'unknown';
  }

  async retract(fingerprint: string): Promise<void> {
    const job = this.#job('withdrawing your key');
    const jid = job.account;
    const key = this.#find(jid, fingerprint);
    try {
      await this.#withdraw(job, NS.pubkey, key.fingerprint);
    } catch (error) {
      // Recorded as published, and not on the server: withdrawn already (by another app, or here when
      // a full disk kept the vault from recording it). What was asked is so; only the record catches up.
      const recordedPublished = key.publications.some((p) => p.node === NS.pubkey);
      if (!(recordedPublished && error instanceof KeyringError && error.code === 'not-found')) throw error;
    }
    this.#requireStill(job);
    await recordAfterServer(
      () => this.#deps.store.setPublication(jid, key.fingerprint, NS.pubkey, undefined),
      {
        done: 'Your key was withdrawn from your server',
        next: 'Until then My keys shows it as published. Free some space, then withdraw it again: the app then records it.',
      },
    );
  }

  /** The public certificate only; private keys leave the vault only through an explicit export with a new passphrase. */
  exportCertificate(fingerprint: string, format: 'pem' | 'der'): ExportedCertificate {
    const key = this.#find(this.#deps.session.ownJid, fingerprint);
    const der = Buffer.from(key.certificate, 'base64');
    return format === 'pem' ? { fingerprint, pem: exportCertificatePem(der) } : { fingerprint, derBase64: key.certificate };
  }

  /**
   * Withdraws the item `itemId` from `node` (XEP-0060 §7.2), drift watch's record told first, as the
   * items being published are (PublishedNodesStore.notePublishing): a full disk then refuses the note,
   * and the server is never asked (the vault's own "nothing was changed" is true, or `unnoted`'s words
   * where an earlier step already changed the server); a disk that fills after the server took the
   * withdrawal no longer leaves the record expecting the item, which drift watch would report removed
   * by another app. Not withdrawn (refused, no answer), the item is expected again, as before; gone
   * already (not-found), it stays unexpected. Either way the server's error is thrown on.
   */
  async #withdraw(job: KeyJob, node: string, itemId: string, unnoted?: (diskWords: string) => string): Promise<void> {
    const jid = job.account;
    this.#requireStill(job);
    const expected = this.#deps.published.list(jid)[node]?.items.find((i) => i.id === itemId);
    if (expected) {
      try {
        await this.#deps.published.recordRetract(jid, node, itemId);
      } catch (error) {
        if (!(unnoted && error instanceof KeyringError && error.code === 'storage-failed')) throw error;
        throw new KeyringError('storage-failed', unnoted(diskTroubleWords(error.cause)), undefined, { cause: error.cause ?? error });
      }
    }
    try {
      await retractItem(this.#ctx(job), node, itemId);
    } catch (error) {
      if (expected && !(error instanceof KeyringError && error.code === 'not-found')) {
        // Best effort: a vault that cannot take it back leaves the item unexpected, which drift watch
        // reports nothing about; the server's error is what the person must read.
        await this.#deps.published.expectItem(jid, node, expected).catch(() => undefined);
      }
      throw this.#saidAsSwitch(job, error);
    }
  }

  /**
   * A publish to the key node (XEP-0222), whose read-back is the node's access from now on. Refused or
   * failed midway (a configuration found changed, a reconfiguration half done), what was held may no
   * longer be true: read again when next asked. The item itself is read back too, and must carry the
   * certificate sent ('read-back-mismatch' otherwise, and nothing is recorded as published).
   *
   * `asIs`: the node's configuration as just read, to publish to the node as it is (publish-options
   * still as preconditions), without configuring its access or its affiliations first. Only a node
   * made to keep no items is made to keep them again (persistent-node.ts restorePersistence, XEP-0222
   * §2): a revocation refused there, or published and not kept, would never reach the contacts who
   * read the node later.
   */
  async #publishToKeyNode(job: KeyJob, spec: PersistentNodeSpec, item: { id: string; payload: Element }, asIs?: EffectiveNodeConfig): Promise<PublishOutcome> {
    try {
      // The job's account's node, over the connection it began on: never the node of whoever signed in since.
      const ctx = this.#ctx(job);
      const outcome = asIs ? await publishAsIs(ctx, spec, item, asIs) : await publishPersistent(ctx, spec, item);
      this.#requireStill(job);
      this.#holdServerAccess(job.account, configAudience(outcome.config));
      const readBack = await verifyPublishedCertificate(ctx, spec.node, item);
      // A read-back refused by a switch says 'unreadable', which is no verification.
      this.#requireStill(job);
      return { ...outcome, config: withReadBack(outcome.config, item.id, readBack) };
    } catch (error) {
      this.forgetServerAccess();
      throw this.#saidAsSwitch(job, error);
    }
  }

  /** What the server said of `account`'s key node in this session (held for audience()). */
  #holdServerAccess(account: string | undefined, access: AccessRequest | undefined): void {
    this.#serverAccess = account === undefined ? undefined : { account, access: Promise.resolve(access) };
  }

  /**
   * A key action (a write) for the account signed in now (ownJid: 'not-connected' before any): it goes on
   * over a reconnect of that account, and stops once another is signed in (session-mark.ts `holds`).
   */
  #job(doing: string): KeyJob {
    return forWrite({ ...accountMarkNow(this.#deps.session), doing });
  }

  /** The job's account's PEP service, asked only while the job's mark holds (a write's: its account signed in; session-mark.ts). */
  #ctx(job: KeyJob): { iq: SessionPort['iq']; owner: string } {
    return { iq: markedIq(this.#deps.session, job, () => signedOutWords(job)), owner: job.account };
  }

  /** Stops the job once its account is signed out (or, for a reading, its connection replaced: session-mark.ts). */
  #requireStill(job: KeyJob): void {
    requireMarked(this.#deps.session, job, () => signedOutWords(job));
  }

  /**
   * A failure once the job's account was signed out is said as that: the protocol layer wraps the
   * refusal of its next request in its own words ("Withdrawing … failed: …"), or the server of the
   * account signed in since answered.
   */
  #saidAsSwitch(job: KeyJob, error: unknown): unknown {
    if (stillMarked(this.#deps.session, job)) return error;
    return signedOutMeanwhile(signedOutWords(job), error);
  }

  /** Who may read the key node: as held, else read from the server (XEP-0060 §8.2, §8.9) and held. */
  #readServerAccess(account: string): Promise<AccessRequest | undefined> {
    if (this.#serverAccess?.account === account) return this.#serverAccess.access;
    // Its two requests (settings, then affiliations) over one connection: the account's, as it asked. A
    // reading held as the account's view: its stream must stay the same (not forWrite).
    const job: KeyJob = { account, generation: this.#deps.session.sessionGeneration, doing: 'reading who may read your keys' };
    const read = readEffectiveConfig(this.#ctx(job), NS.pubkey, KEY_NODE_MAX_ITEMS).then((config) =>
      config ? configAudience(config) : undefined,
    );
    const held = { account, access: read };
    this.#serverAccess = held;
    // A failed read is not kept: the next asking reads again.
    read.catch(() => {
      if (this.#serverAccess === held) this.#serverAccess = undefined;
    });
    return read;
  }

  /** The account signed in now or last: names and deletions of unpublished keys work offline. */
  #lastAccount(): string {
    const jid = this.#deps.session.state.account;
    if (!jid) throw new KeyringError('not-connected', 'Sign in to this account once first.');
    return jid;
  }

  #view(jid: string, fingerprint: string): OwnKeyView {
    const view = summarizeAll(this.#deps.store.list(jid), jid, new Date()).find((k) => k.fingerprint === fingerprint);
    if (!view) throw new KeyringError('not-found', `No key ${fingerprint} for ${jid}.`, 'fingerprint');
    return view;
  }

  /** The fingerprint was normalized at the boundary (contract/domain.ts fingerprintText): compared as it is. */
  #find(jid: string, fingerprint: string): OwnKeyRecord {
    const key = this.#deps.store.find(jid, fingerprint);
    if (!key) throw new KeyringError('not-found', `No key ${fingerprint} for ${jid}.`, 'fingerprint');
    return key;
  }
}

/**
 * The keys as the screens show them: newest first, and the current one marked: of the keys valid now,
 * the newest published (what contacts fetch), or the newest at all while none is published. A key not
 * started yet is never current, even with no other key left: "current" says contacts can use it now,
 * and a reader that allows no clock difference refuses it until its start (RFC 5280 §4.1.2.5). No
 * tolerance here, unlike for contacts' keys (clock-tolerance.ts): this is the clock the person reads the
 * dates by, and the certificates the app makes start CERTIFICATE_BACKDATE_MS early, so a key just made
 * here is valid at once.
 */
export function summarizeAll(records: readonly OwnKeyRecord[], jid: string, now: Date): OwnKeyView[] {
  // Each certificate's key read once, for the revocations that cover every certificate of a key (revoked-here.ts).
  const digests = new Map<OwnKeyRecord, string | undefined>();
  const digestOf = (r: OwnKeyRecord) => {
    if (!digests.has(r)) digests.set(r, keyDigestOf(r));
    return digests.get(r);
  };
  const views = records.map((record) => summarize(record, jid, now, revocationOfItsKey(records, record, digestOf))).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const usable = views.filter((k) => !k.revoked && !k.notYetValid && (k.notAfter === undefined || new Date(k.notAfter) >= now));
  const current = usable.find((k) => k.publications.length > 0) ?? usable[0];
  if (current) current.current = true;
  return views;
}

/** `ofItsKey`: the revocation of another certificate of its key that covers it (revocationOfItsKey), shown as its own. */
function summarize(record: OwnKeyRecord, jid: string, now: Date, ofItsKey: RevocationStatement | undefined): OwnKeyView {
  const check = checkPublishedCertificate({
    der: Buffer.from(record.certificate, 'base64'),
    publisherJid: jid,
    itemId: record.fingerprint,
  });
  return {
    fingerprint: record.fingerprint,
    ...(record.label ? { label: record.label } : {}),
    current: false,
    ...(record.succession ? { continues: record.succession.old } : {}),
    ...(record.revoked
      ? { revoked: { reason: record.revoked.reason, date: record.revoked.date } }
      : ofItsKey
        ? { revoked: { reason: ofItsKey.reason, date: ofItsKey.date, underCertificate: ofItsKey.fingerprint } }
        : {}),
    ...(record.revoked && record.revocationOwed === true ? { revocationUnpublished: true as const } : {}),
    ...(record.revocations ? { hasPreparedRevocations: true as const } : {}),
    bits: check.bits,
    ...(check.notBefore !== undefined && Date.parse(check.notBefore) > now.getTime() ? { notYetValid: true as const } : {}),
    notBefore: check.notBefore,
    notAfter: check.notAfter,
    expiry: expiryWarning(check.notAfter, now),
    createdAt: record.createdAt,
    ...(record.imported ? { imported: true as const } : {}),
    publications: record.publications.map((p) => ({ ...p })),
  };
}

/** The other certificates revoked with a key, as RevokeOutcome says them (none: left out). */
function alsoRevoked(sameKey: readonly { record: OwnKeyRecord }[]): { alsoRevoked?: string[] } {
  return sameKey.length > 0 ? { alsoRevoked: sameKey.map((s) => s.record.fingerprint) } : {};
}

/** Revocation statements for every reason, signed by a key just made or taken in (for the backup). */
function preparedFor(jid: string, certificateDer: Buffer, privateKey: KeyObject) {
  return prepareRevocations({ bareJid: jid, certificateDer, privateKey }); // the private key is never logged
}

/**
 * A revoked certificate is never published or renewed again; nor is one whose key was revoked as
 * compromised (or for no reason given) under another of its certificates (revoked-here.ts): a renewal
 * keeps the private key, so whoever may hold it holds this certificate's too.
 */
function refuseRevoked(records: readonly OwnKeyRecord[], key: OwnKeyRecord): void {
  if (key.revoked) throw new KeyringError('invalid-argument', 'This key was revoked: it is never published again.', 'fingerprint');
  const ofItsKey = revocationOfItsKey(records, key);
  if (ofItsKey) {
    throw new KeyringError(
      'invalid-argument',
      `This certificate's key was revoked (${ofItsKey.reason}) under its other certificate ${ofItsKey.fingerprint}: it holds the same private key, so it is revoked too and never published again. Make a new key instead.`,
      'fingerprint',
    );
  }
}

/**
 * What the key node holds for an item of ours: a key's certificate (with the succession statement a
 * key that replaced another carries every time it is published), or a revocation we published.
 * Undefined for an id that is neither.
 */
export function keyNodePayload(records: readonly OwnKeyRecord[], itemId: string): Element | undefined {
  const key = records.find((k) => k.fingerprint === itemId);
  if (key) return keyItemPayload(key);
  const revoked = records.find((k) => k.revoked && revocationItemId(k.fingerprint) === itemId)?.revoked;
  return revoked ? revocationPayload(revoked) : undefined;
}

function keyItemPayload(key: OwnKeyRecord): Element {
  const der = Buffer.from(key.certificate, 'base64');
  return key.succession ? pubkeyPayloadWithSuccession(der, key.succession) : pubkeyPayload(der);
}

/** Whole days from notBefore to notAfter (what the old certificate had), at least one; 730 when unreadable. */
function validityDaysOf(notBefore: string | undefined, notAfter: string | undefined): number {
  const days = Math.round((Date.parse(notAfter ?? '') - Date.parse(notBefore ?? '')) / 86_400_000);
  return Number.isFinite(days) ? Math.min(36_500, Math.max(1, days)) : DEFAULT_VALIDITY_DAYS;
}

/**
 * The key node's configuration as its server reports it now, and the audience it gives (undefined
 * where the app cannot publish to that access model); undefined when there is no key node.
 */
export async function readKeyNodeAudience(ctx: { iq: SessionPort['iq']; owner: string }): Promise<{ config: EffectiveNodeConfig; access: AccessRequest | undefined } | undefined> {
  const config = await readEffectiveConfig(ctx, NS.pubkey, KEY_NODE_MAX_ITEMS);
  return config === undefined ? undefined : { config, access: configAudience(config) };
}

/** Where the window puts a drifted node back; the CLI names its own command instead (cli/context.ts inCliWords). */
export const RESTORE_HERE = 'Restore, on the banner of My keys';

const UNPUBLISHABLE_WORDS = 'who can read your keys is set on the server to a setting this app cannot publish to (by another app, or the server’s admin).';

/**
 * The refusal for a key node whose access model the app does not offer (another client set "authorize",
 * say): nothing can be published to it as it is, and no confirmation here changes that.
 */
class UnpublishableAccess extends KeyringError {
  constructor(readonly model: string) {
    super('access-model-not-offered', capitalized(UNPUBLISHABLE_WORDS), undefined, { nextStep: `${putBack(model)}, then try again.` });
  }
}

/** What to do first about such a node, for the next step of each refusal it causes: name its setting, put it back. */
function putBack(model: string): string {
  return `It is "${model}". Put it back as you published it (${RESTORE_HERE})`;
}

const cannotPublishTo = (model: string): UnpublishableAccess => new UnpublishableAccess(model);

/** Who may read a node as read back, as a key's publication records it (the model's own list only). */
export function publicationAudience(config: EffectiveNodeConfig): Pick<PublicationRecord, 'accessModel' | 'groups' | 'allow'> {
  return {
    accessModel: config.accessModel,
    ...(config.accessModel === 'roster' ? { groups: [...config.rosterGroupsAllowed] } : {}),
    ...(config.accessModel === 'whitelist' ? { allow: [...(config.whitelist ?? [])] } : {}),
  };
}

/** audienceOf for a node configuration as read back (EffectiveNodeConfig). */
export function configAudience(config: EffectiveNodeConfig): AccessRequest | undefined {
  return audienceOf(config.accessModel, config.rosterGroupsAllowed, config.whitelist);
}

/** A node's access as an AccessRequest the publish panel can start from; undefined for a model the app does not offer. */
function audienceOf(model: string, groups: readonly string[] | undefined, allow: readonly string[] | undefined): AccessRequest | undefined {
  const known = ACCESS_MODELS.find((m) => m === model);
  if (!known) return undefined;
  if (known === 'roster') return { model: known, groups: [...(groups ?? [])] };
  if (known === 'whitelist') return { model: known, allow: [...(allow ?? [])] };
  return { model: known };
}
