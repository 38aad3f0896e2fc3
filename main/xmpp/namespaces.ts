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
  /** XEP-0189 / XEP-0222 seed: the public key node and payload namespace. */
  pubkey: 'urn:xmpp:tmp:pubkey',
  /** RFC 6121: roster. */
  roster: 'jabber:iq:roster',
} as const;

/** XEP-0060 §7.1.5: the publish-options feature a server must advertise (seed §5). */
export const FEATURE_PUBLISH_OPTIONS = `${NS.pubsub}#publish-options`;
