/**
 * What services need of the XMPP session, and nothing more. main/xmpp/session.ts (AccountSession) is the
 * one implementation; tests give services a stand-in (test/support/fake-session.ts). Services do not
 * listen to the session themselves: the composition root (main/core.ts) routes what the network says to
 * them, in an order it states.
 */
import type { Element } from '@xmpp/xml';
import type { ConnectParams, ConnectionState } from '../../contract/index.js';
import type { Iq } from '../xmpp/iq-requests.js';
import type { SignInOptions } from '../xmpp/session.js';

export interface SessionPort {
  /** IQ requests on the live connection; each fails with 'not-connected' while offline. */
  readonly iq: Iq;
  /** The account's bare JID (its PEP service); 'not-connected' before an account signed in. */
  readonly ownJid: string;
  /** Offline, connecting, online…, and the account last signed in (kept while offline). */
  readonly state: ConnectionState;
  /**
   * Which stream is up: changes each time a stream comes online and each time it goes away (lost,
   * replaced or signed out). Work started on one stream compares it to tell that stream is gone, even
   * when the same account is signed in again meanwhile (services/session-mark.ts).
   */
  readonly stream: number;
  /** Sends a stanza on the live connection (presence subscriptions). */
  send(stanza: Element): Promise<void>;
  /** Refuses, naming what is missing, unless the server stores data the XEP-0222 way (§5). */
  requireXep0222Support(): Promise<void>;
}

/** What signing in needs besides: the session's own connect, and how the sign-in went. */
export interface SignInPort {
  readonly ownJid: string;
  connect(params: Omit<ConnectParams, 'remember' | 'acceptCaFingerprint'>, options?: SignInOptions): Promise<ConnectionState>;
  /** The last sign-in's mechanism and gs2 channel-binding flag ("p=<type>" when bound), among others. */
  readonly lastLogin: { mechanism: string; channelBinding: string | undefined } | undefined;
}
