/**
 * Signing in to the account's server, remembered accounts, the connection's state, and what the server
 * can do for XEP-0222.
 */
import { z } from 'zod';
import { event, request } from './define.js';
import { bareJidText, ByJid, hostWithoutFinalDot, isDomainName, isIpv6Address, NoParams, type AccessModel, type IpcError } from './domain.js';

export const ConnectParams = z
  .object({
    jid: bareJidText,
    password: z.string().min(1, 'Enter the password').max(1024),
    /** Connect here instead of the JID's domain (no DNS SRV lookup). */
    host: z
      .string()
      .trim()
      .overwrite(hostWithoutFinalDot)
      .min(1, 'Enter the server’s name, or leave the field out')
      .max(253, 'A server name has at most 253 characters')
      // An IPv6 address goes in brackets (RFC 3986 §3.2.2): a port could not be told from it otherwise.
      .refine((host) => !isIpv6Address(host), 'Put an IPv6 address in brackets, like [2001:db8::1]')
      .refine((host) => isIpv6Address(host) || isDomainName(host), 'Enter a server name like xmpp.capulet.lit (letters, digits and hyphens, in parts separated by dots), or an IP address')
      .optional(),
    port: z.number().int('A port is a whole number').min(1, 'A port is a number from 1 to 65535').max(65535, 'A port is a number from 1 to 65535').optional(),
    /** An extra certificate authority to trust (PEM file path), e.g. a self-hosted server's CA. */
    caFile: z.string().min(1, 'Choose the CA certificate file').max(4096, 'That file path is too long').optional(),
    /** Remember the account: settings in the vault, the password in the OS keychain only. */
    remember: z.boolean().optional(),
    /**
     * The user saw this CA file's fingerprint (account:inspectCa) and trusts it, in place of the one
     * remembered for the account; without it a CA file whose certificates changed is refused ('ca-changed').
     */
    acceptCaFingerprint: z.string().trim().min(1).max(1024).optional(),
    /**
     * The user was told this server stopped offering a login tied to the encrypted connection (SCRAM
     * -PLUS, 'channel-binding-stripped') and signs in without it anyway, e.g. after the server's admin
     * confirmed the change. The remembered requirement is dropped; it comes back once -PLUS is offered again.
     */
    acceptNoChannelBinding: z.literal(true).optional(),
    /**
     * The user was told this server, which took a SCRAM login before, now offers only PLAIN (the password
     * itself: 'scram-stripped') and signs in with it anyway, e.g. after the server's admin confirmed the
     * change. Both remembered requirements are dropped (PLAIN cannot be bound); each comes back once used again.
     */
    acceptPlainLogin: z.literal(true).optional(),
  })
  .strict();
export type ConnectParams = z.infer<typeof ConnectParams>;

/**
 * 'online' only for a live, authenticated, bound stream; 'reconnecting' from the moment it ends until
 * a new one is; 'failed' is stopped: the app does not retry by itself (main/xmpp/connection-state.ts).
 */
export type ConnectionStatus = 'offline' | 'connecting' | 'online' | 'reconnecting' | 'failed';

export interface ConnectionState {
  status: ConnectionStatus;
  /**
   * Bare JID of the account the app works for: signed in now, or signed in on this app before (its
   * server took the password), or named for offline work. Never an address no sign-in has succeeded
   * for yet (main/services/working-account.ts).
   */
  account?: string;
  /**
   * While connecting or refused (failed): the address of that sign-in, when it is not `account`,
   * because no sign-in to it has succeeded on this app yet. The app does not work for it (no key is
   * made for it, no screen shows it as the user's) until its server takes the password.
   */
  tried?: string;
  /** Full JID bound by the server while online. */
  boundJid?: string;
  /** Why it stopped, when status is 'failed' (a code and a sentence; never retried by itself). */
  error?: IpcError;
  /** While reconnecting: when the live stream was lost (ISO 8601), the same over every attempt since. */
  lostAt?: string;
  /** While reconnecting: why the connection was lost, or why the last attempt failed. */
  cause?: IpcError;
  /** While reconnecting: how many attempts failed so far (0: the first is still to come). */
  attempt?: number;
  /** While reconnecting and waiting: when the next attempt starts (ISO 8601); absent while one runs. */
  nextAttemptAt?: string;
  /**
   * While online: the server has said nothing since then (ISO 8601) although a request waits for it
   * (5 s or more); the app is pinging it (XEP-0199), and takes the connection for lost if that goes
   * unanswered 10 s. Absent once the server speaks. Front ends say "Not answering", not "Online".
   */
  unanswered?: string;
}

/**
 * What the account's server can do for XEP-0222 (§5: identity pubsub/pep and the publish-options
 * feature), plus the other pubsub features that shape publishing.
 */
export interface PepSupport {
  /** The JID whose disco#info answered (bare JID first, then the domain). */
  queried: string;
  pep: boolean;
  publishOptions: boolean;
  /** Access models the server advertises (`access-open` → 'open', …). Servers may accept more than
   *  they advertise (Prosody 0.12 lists only its default, presence), so this is a floor. */
  accessModels: string[];
  /**
   * The access models the server's node configuration takes, read from its default configuration form
   * (XEP-0060 §8.3; nothing is created): what publishing can use, whatever is advertised. Roster groups
   * count only with the form's roster_groups_allowed field (Prosody 0.12 offers "roster" without it and
   * refuses it, docs/servers.md). Absent when the server gave no form.
   */
  acceptedAccessModels?: AccessModel[];
  /** Every `http://jabber.org/protocol/pubsub#…` feature, without the prefix. */
  pubsubFeatures: string[];
  /** The server software and version, as the server names them (XEP-0092); absent when it does not say. */
  software?: { name: string; version: string };
  /** Which notifications the server delivers, as measured on that software (no server advertises it). */
  notifications: NotificationBehaviour;
}

/** Whether a kind of PEP notification reaches the people it concerns; 'unknown' where not measured. */
export type NotificationDelivery = 'delivered' | 'not-delivered' | 'unknown';

export interface NotificationBehaviour {
  /** Contacts on other servers, notified over server-to-server links (presence and roster-group nodes). */
  remoteContacts: NotificationDelivery;
  /** Whitelisted people who are not presence contacts. */
  whitelistMembers: NotificationDelivery;
  /** Retractions (XEP-0060 §7.2.2.1): a withdrawn key is noticed live, or only at the next fetch. */
  retractions: NotificationDelivery;
  /** The server release this was measured on, when it was. */
  measuredOn?: string;
}

/** An account whose password is remembered (in the OS keychain), with its server settings. */
export interface SavedAccountView {
  jid: string;
  host?: string;
  port?: number;
  caFile?: string;
}

/**
 * What the app remembers of an account it signed in to (with or without its password), to fill in the
 * sign-in form and come back where the user was; most recent first.
 */
export interface RememberedAccountView {
  jid: string;
  host?: string;
  port?: number;
  caFile?: string;
  /** SHA-256 of the CA file's certificates when it was trusted (colon-separated hex, one per certificate). */
  caFingerprint?: string;
  /** Whether the OS keychain holds the password (one-click sign-in). */
  passwordSaved: boolean;
  /** The screen the user was on last. */
  lastScreen?: string;
  lastSignIn?: string;
}

/** A CA certificate file as the user is about to trust it: what it holds and its fingerprint. */
export interface CaFileView {
  /** SHA-256 over each certificate's DER, as `openssl x509 -fingerprint -sha256` prints it; ' + ' between certificates. */
  fingerprint: string;
  /** Each certificate's subject, for people. */
  subjects: string[];
  /**
   * Certificates in the file that are no authority: issued by another (not self-signed) and not marked
   * CA. A server's own certificate chosen by mistake; the window names who issued it, to ask for that.
   */
  notAuthorities?: { subject: string; issuer: string }[];
}

export const account = {
  requests: {
    connect: request(ConnectParams).returns<ConnectionState>(),
    disconnect: request(NoParams).returns<ConnectionState>(),
    getState: request(NoParams).returns<ConnectionState>(),
    checkSupport: request(NoParams).returns<PepSupport>(),
    /** Accounts with a remembered password, for one-click sign-in. */
    saved: request(NoParams).returns<SavedAccountView[]>(),
    connectSaved: request(ByJid).returns<ConnectionState>(),
    forget: request(ByJid).returns<SavedAccountView[]>(),
    /** Every account signed in to before (password remembered or not), most recent first. */
    remembered: request(NoParams).returns<RememberedAccountView[]>(),
    /** Reads a CA file the user picked, to show its fingerprint before trusting it. */
    inspectCa: request(z.object({ path: z.string().min(1).max(4096) }).strict()).returns<CaFileView>(),
    /** Remembers the screen the user is on, for the account signed in (or last signed in). */
    setLastScreen: request(z.object({ screen: z.string().regex(/^[a-z][a-z-]{0,31}$/) }).strict()).returns<null>(),
    /**
     * "Reconnect now", or a hint that the network or the machine came back (Electron's powerMonitor,
     * the browser's `online` event): while reconnecting, the next attempt starts at once; while online,
     * the stream is checked with a ping (XEP-0199) and left if it does not answer.
     */
    reconnectNow: request(NoParams).returns<ConnectionState>(),
  },
  events: {
    state: event<ConnectionState>(),
  },
};
