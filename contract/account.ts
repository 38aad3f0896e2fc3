/**
 * Signing in to the account's server, remembered accounts, the connection's state, and what the server
 * can do for XEP-0222.
 */
import { z } from 'zod';
import { event, request } from './define.js';
import { bareJidText, NoParams, type IpcError } from './domain.js';

export const ConnectParams = z
  .object({
    jid: bareJidText,
    password: z.string().min(1, 'Enter the password').max(1024),
    /** Connect here instead of the JID's domain (no DNS SRV lookup). */
    host: z.string().trim().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** An extra certificate authority to trust (PEM file path), e.g. a self-hosted server's CA. */
    caFile: z.string().min(1).max(4096).optional(),
    /** Remember the account: settings in the vault, the password in the OS keychain only. */
    remember: z.boolean().optional(),
  })
  .strict();
export type ConnectParams = z.infer<typeof ConnectParams>;

export type ConnectionStatus = 'offline' | 'connecting' | 'online' | 'reconnecting' | 'failed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Bare JID of the account, once known. */
  account?: string;
  /** Full JID bound by the server while online. */
  boundJid?: string;
  /** Why the last attempt failed, when status is 'failed'. */
  error?: IpcError;
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

const byJid = z.object({ jid: bareJidText }).strict();

export const account = {
  requests: {
    connect: request(ConnectParams).returns<ConnectionState>(),
    disconnect: request(NoParams).returns<ConnectionState>(),
    getState: request(NoParams).returns<ConnectionState>(),
    checkSupport: request(NoParams).returns<PepSupport>(),
    /** Accounts with a remembered password, for one-click sign-in. */
    saved: request(NoParams).returns<SavedAccountView[]>(),
    connectSaved: request(byJid).returns<ConnectionState>(),
    forget: request(byJid).returns<SavedAccountView[]>(),
  },
  events: {
    state: event<ConnectionState>(),
  },
};
