import { REVOCATION_STATEMENT, SUCCESSION_STATEMENT } from '../keys/statement-kinds.js';

/** Every XML namespace the app speaks, in one place, each with the document that defines it. */
export const NS = {
  /** RFC 6120 §5.4: STARTTLS. */
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  /** XEP-0199: XMPP Ping. */
  ping: 'urn:xmpp:ping',
  /** XEP-0030: Service Discovery. */
  discoInfo: 'http://jabber.org/protocol/disco#info',
  discoItems: 'http://jabber.org/protocol/disco#items',
  /** XEP-0060: Publish-Subscribe; its features are `${pubsub}#name`. */
  pubsub: 'http://jabber.org/protocol/pubsub',
  pubsubEvent: 'http://jabber.org/protocol/pubsub#event',
  pubsubOwner: 'http://jabber.org/protocol/pubsub#owner',
  pubsubErrors: 'http://jabber.org/protocol/pubsub#errors',
  /** XEP-0004: Data Forms. */
  dataForms: 'jabber:x:data',
  /** XEP-0115: Entity Capabilities. */
  caps: 'http://jabber.org/protocol/caps',
  /** XEP-0189 / XEP-0222: the public key node and payload namespace. */
  pubkey: 'urn:xmpp:tmp:pubkey',
  /** XEP-0092: Software Version. */
  version: 'jabber:iq:version',
  /** RFC 6121: roster. */
  roster: 'jabber:iq:roster',
  /** RFC 6120 §8.3.3: stanza error conditions. */
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  /** XEP-0292: vCard4 over PEP. */
  vcard4: 'urn:xmpp:vcard4',
  /** XEP-0172: User Nickname. */
  nick: 'http://jabber.org/protocol/nick',
  /** XEP-0084: User Avatar (metadata node; data lives at urn:xmpp:avatar:data). */
  avatarMetadata: 'urn:xmpp:avatar:metadata',
  avatarData: 'urn:xmpp:avatar:data',
  /** XEP-0154: User Profile (XEP-0222's profile example). */
  profile: 'urn:xmpp:tmp:profile',
  /** XEP-0384 v0.3 (Conversations, Gajim, Profanity): payload namespace, device list node, bundle nodes `…bundles:<device id>`. */
  omemoAxolotl: 'eu.siacs.conversations.axolotl',
  omemoAxolotlDevices: 'eu.siacs.conversations.axolotl.devicelist',
  omemoAxolotlBundles: 'eu.siacs.conversations.axolotl.bundles',
  /** XEP-0384 v0.8+ (OMEMO 2): payload namespace, devices node, bundles node (one item per device id). */
  omemo2: 'urn:xmpp:omemo:2',
  omemo2Devices: 'urn:xmpp:omemo:2:devices',
  omemo2Bundles: 'urn:xmpp:omemo:2:bundles',
  /** XEP-0373 §4: payload namespace and the metadata node; each key's data node is `${openpgpPublicKeys}:<FP>`. */
  openpgp: 'urn:xmpp:openpgp:0',
  openpgpPublicKeys: 'urn:xmpp:openpgp:0:public-keys',
  /**
   * Ours (docs/key-lifecycle.md): a succession statement inside a key item, signed by the key it
   * replaces; a revocation statement, an item of its own on the key node; the account's encrypted
   * backup, on a private node (XEP-0223). Readers that do not know them ignore them.
   */
  succession: SUCCESSION_STATEMENT,
  revocation: REVOCATION_STATEMENT,
  backup: 'urn:keyring-xmpp:backup:0',
} as const;

/** The PEP nodes whose events we want pushed (XEP-0163 §4: advertised as `node+notify` in caps). */
export const NOTIFY_NODES = [
  NS.pubkey,
  NS.vcard4,
  NS.nick,
  NS.avatarMetadata,
  NS.profile,
  // Other apps' keys, read only (main/services/other-app-keys.ts): XEP-0384's device lists (both
  // versions) and XEP-0373 §4.2's key list; bundles and key data are fetched when a list changes.
  NS.omemoAxolotlDevices,
  NS.omemo2Devices,
  NS.openpgpPublicKeys,
] as const;

/** The account's own nodes the app publishes to (keys and profile), whose changes by others it watches (docs/drift.md). */
export const OWN_PUBLISHED_NODES = [NS.pubkey, NS.vcard4, NS.nick, NS.avatarData, NS.avatarMetadata] as const;

/** XEP-0060 §7.1.5: the publish-options feature a server must advertise (XEP-0222 §5). */
export const FEATURE_PUBLISH_OPTIONS = `${NS.pubsub}#publish-options`;
