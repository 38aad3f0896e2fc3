/**
 * Type declarations for the parts of xmpp.js this app uses (the packages ship none). Kept narrow: only
 * what our modules call, so a newcomer sees the surface we depend on.
 */
declare module '@xmpp/xml' {
  import type { EventEmitter } from 'node:events';
  export class Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: (Element | string)[];
    parent: Element | null;
    constructor(name: string, attrs?: Record<string, string | undefined>);
    is(name: string, xmlns?: string): boolean;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getText(): string;
    text(): string;
    getChildText(name: string, xmlns?: string): string | null;
    getNS(): string | undefined;
    append(...children: (Element | string)[]): Element;
    toString(): string;
  }
  export type Child = Element | string | null | undefined | false;
  /** The streaming parser xmpp.js reads a stream with: 'start' (the header), 'element', 'end', 'error'. */
  export class Parser extends EventEmitter {
    constructor();
    /** The stream's own element (the header), once it arrived. */
    root: Element | null;
    /** The element being read; the root between stanzas. */
    cursor: Element | null;
    write(data: string): void;
    on(event: 'start' | 'element' | 'end', listener: (element: Element) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    /** ltx's events, each handled by one of these (bound once, in the constructor). */
    onStartElement(name: string, attrs: Record<string, string>): void;
    onEndElement(name: string): void;
    onText(text: string): void;
  }
  /** What the parser reports for XML that is not well-formed (its 'error' event). */
  export class XMLError extends Error {}
  export function escapeXML(text: string): string;
  export function escapeXMLText(text: string): string;
  export default function xml(
    name: string,
    attrs?: Record<string, string | number | undefined> | null,
    ...children: (Child | Child[])[]
  ): Element;
  export { xml };
}

declare module '@xmpp/jid' {
  export class JID {
    local: string;
    domain: string;
    resource: string;
    constructor(local: string | undefined, domain: string, resource?: string);
    bare(): JID;
    toString(): string;
    equals(other: JID): boolean;
    getLocal(unescape?: boolean): string;
    getDomain(): string;
  }
  export default function jid(address: string): JID;
  export function equal(a: JID, b: JID): boolean;
}

declare module '@xmpp/client-core' {
  import type { Element } from '@xmpp/xml';
  import type { JID } from '@xmpp/jid';
  import type { EventEmitter } from 'node:events';

  export interface ClientOptions {
    service: string;
    domain: string;
    timeout?: number;
  }

  export class Client extends EventEmitter {
    constructor(options: ClientOptions);
    jid: JID | null;
    status: string;
    /** ms each negotiation and closing step may take. */
    timeout: number;
    options: ClientOptions;
    socket: unknown;
    transports: unknown[];
    start(): Promise<JID>;
    stop(): Promise<void>;
    send(element: Element): Promise<void>;
    isSecure(): boolean;
    restart(): Promise<void>;
    /** The current stream's parser; null between streams. */
    parser: { write(data: string): void } | null;
    /** Makes `socket` the connection's socket (xmpp.js subscribes to its data, close and error). */
    _attachSocket(socket: unknown): void;
    /** Each chunk the socket reads, on to the parser (main/xmpp/stream-reader.ts says why we override it). */
    _onData(data: Buffer | string): void;
    /** Makes `parser` the stream's (xmpp.js subscribes to its start, element, end and error). */
    _attachParser(parser: unknown): void;
    /** Sends `<stream:error>` with `condition` (RFC 6120 §4.9), then disconnects; xmpp.js's answer to a parser error. */
    _streamError(condition: string, children?: unknown): Promise<void>;
  }
}

declare module '@xmpp/middleware' {
  import type { Element } from '@xmpp/xml';
  import type { Client } from '@xmpp/client-core';
  import type { JID } from '@xmpp/jid';
  export interface MiddlewareContext {
    stanza: Element;
    entity: Client;
    /** The sender and the addressee, parsed (main/xmpp/middleware.ts: on first read). */
    from: JID | null;
    to: JID | null;
    id: string;
    /** For iq handlers: the request's single child element. */
    element?: Element;
  }
  export type Middleware = (context: MiddlewareContext, next: () => Promise<unknown>) => unknown;
  export interface MiddlewareApi {
    use(fn: Middleware): void;
    filter(fn: Middleware): void;
  }
  export default function middleware(deps: { entity: Client }): MiddlewareApi;
}

declare module '@xmpp/iq/caller.js' {
  import type { Element } from '@xmpp/xml';
  export interface IqCaller {
    request(stanza: Element, timeout?: number): Promise<Element>;
    get(element: Element, to?: string, timeout?: number): Promise<Element | undefined>;
    set(element: Element, to?: string, timeout?: number): Promise<Element | undefined>;
  }
  export default function iqCaller(deps: unknown): IqCaller;
}

declare module '@xmpp/iq/callee.js' {
  import type { Element } from '@xmpp/xml';
  import type { MiddlewareContext } from '@xmpp/middleware';
  export type IqHandler = (context: MiddlewareContext) => Element | Record<string, never> | Promise<Element>;
  export interface IqCallee {
    get(ns: string, name: string, handler: IqHandler): void;
    set(ns: string, name: string, handler: IqHandler): void;
  }
  export default function iqCallee(deps: unknown): IqCallee;
}

declare module '@xmpp/error' {
  import type { Element } from '@xmpp/xml';
  export default class XMPPError extends Error {
    constructor(condition: string, text?: string, application?: Element);
    condition: string;
    text: string;
    application: Element | undefined;
    element: Element | undefined;
  }
}

/** The error an IQ error reply becomes (RFC 6120 §8.3): condition, text, and the `type` attribute. */
declare module '@xmpp/middleware/lib/StanzaError.js' {
  import XMPPError from '@xmpp/error';
  import type { Element } from '@xmpp/xml';
  export default class StanzaError extends XMPPError {
    constructor(condition: string, text?: string, application?: Element, type?: string);
    type: string | undefined;
    static fromElement(element: Element): StanzaError;
  }
}

declare module '@xmpp/starttls/starttls.js' {
  import type { Socket } from 'node:net';
  import type { ConnectionOptions } from 'node:tls';
  export function canUpgrade(socket: unknown): socket is Socket;
  export function upgrade(socket: Socket, options: ConnectionOptions): Promise<unknown>;
}

// The remaining plugins are wired once in client.ts and only passed to each other.
declare module '@xmpp/reconnect' {
  export interface Reconnect {
    delay: number;
    stop(): void;
    start(): void;
    on(event: 'reconnecting' | 'reconnected', listener: () => void): void;
    on(event: 'error', listener: (error: unknown) => void): void;
  }
  export default function reconnect(deps: unknown): Reconnect;
}
/** The transports, subclassed to choose their stream parser and their socket's address (main/xmpp/stream-reader.ts). */
declare module '@xmpp/tcp/lib/Connection.js' {
  /** What the socket connects to (`net.connect`'s options): null port for none in the URI. */
  export interface SocketParameters {
    host: string;
    port: number | null;
  }
  export default class ConnectionTCP {
    /** The stream parser class the client reads each stream with. */
    Parser: new () => unknown;
    /** Takes `socket` (the TCP socket before it connects; after STARTTLS, the TLS socket over it) as the stream's. */
    _attachSocket(socket: unknown): void;
    /** Where an `xmpp://` service's socket connects; undefined for any other scheme. */
    socketParameters(service: string): SocketParameters | undefined;
  }
}
declare module '@xmpp/tls/lib/Connection.js' {
  import type { SocketParameters } from '@xmpp/tcp/lib/Connection.js';
  export default class ConnectionTLS {
    Parser: new () => unknown;
    /** Where an `xmpps://` service's socket connects; undefined for any other scheme. */
    socketParameters(service: string): SocketParameters | undefined;
  }
}
declare module '@xmpp/stream-features' {
  import type { Client } from '@xmpp/client-core';
  import type { Element } from '@xmpp/xml';
  export interface StreamFeatures {
    /** `handler` runs for a <stream:features/> (`context.stanza`) that holds `feature` (`name` in `xmlns`). */
    use(
      name: string,
      xmlns: string,
      handler: (context: { entity: Client; stanza: Element }, next: () => Promise<unknown>, feature: Element) => unknown,
    ): void;
  }
  export default function streamFeatures(deps: unknown): StreamFeatures;
}
declare module '@xmpp/sasl/lib/SASLError.js' {
  /** RFC 6120 §6.5: a SASL failure; connection-errors.ts reads `condition`. */
  export default class SASLError extends Error {
    constructor(condition: string, text?: string);
    condition: string;
    text: string;
  }
}
declare module '@xmpp/resource-binding' { export default function resourceBinding(deps: unknown, resource?: string): unknown; }
declare module '@xmpp/stream-management' {
  import type { EventEmitter } from 'node:events';
  import type { Element } from '@xmpp/xml';
  /** XEP-0198 state. */
  export interface StreamManagement extends EventEmitter {
    /** The resumption id the server gave; empty when there is nothing to resume. */
    id: string;
    enabled: boolean;
    /** Stanzas sent since <enable/> and not yet acknowledged: what a resumption sends again. */
    outbound_q: { stanza: Element }[];
    /** Our stanzas the server has acknowledged. */
    outbound: number;
  }
  export default function streamManagement(deps: unknown): StreamManagement;
}
declare module '@xmpp/client-core/src/bind2/bind2.js' { export default function bind2(deps: unknown, resource?: string): unknown; }
declare module '@xmpp/client-core/src/fast/fast.js' { export default function fast(deps: unknown): unknown; }

declare module '@xmpp/xml/lib/parse.js' {
  import type { Element } from '@xmpp/xml';
  /** Parses one XML document into an element tree; throws on malformed XML. */
  export default function parse(text: string): Element;
}

declare module '@xmpp/client' {
  /** The client's own exports the app uses: the element builder and the address parser (client.ts says why the client itself is composed here). */
  export { default as xml } from '@xmpp/xml';
  export { default as jid } from '@xmpp/jid';
}
