/**
 * The IQ requests a core sends, read back from its stream log (main/xmpp/stream-log.ts): what the
 * request counts of a sign-in are taken from (issue #19: no round trip a plain client would not make).
 */
import { Parser, type Element } from '@xmpp/xml';
import type { StreamLogSink } from '../../main/xmpp/stream-log.js';
import { NS } from '../../main/xmpp/namespaces.js';

export class SentRequests {
  /** Hand this to the core (CoreOptions.streamLog). */
  readonly sink: StreamLogSink = { write: (line) => this.#take(line) };
  readonly #sent: Element[] = [];
  #recording = false;
  #lastAt = 0;

  /** Forgets what was sent so far and records from now on. */
  start(): void {
    this.#sent.length = 0;
    this.#recording = true;
    this.#lastAt = Date.now();
  }

  stop(): void {
    this.#recording = false;
  }

  /** The requests sent since start() that `matches`. */
  count(matches: (iq: Element) => boolean): number {
    return this.#sent.filter(matches).length;
  }

  /** Resolves once nothing was sent for `quietMs` (the sign-in's background reads have gone out). */
  async quiet(quietMs: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() - this.#lastAt < quietMs) {
      if (Date.now() > deadline) throw new Error(`requests still going out after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  #take(line: string): void {
    if (!this.#recording) return;
    const at = line.indexOf(' OUT <iq ');
    if (at < 0) return;
    const iq = parseElement(line.slice(at + ' OUT '.length).trim());
    if (!iq || (iq.attrs.type !== 'get' && iq.attrs.type !== 'set')) return;
    this.#sent.push(iq);
    this.#lastAt = Date.now();
  }
}

/** A request for the items of `owner`'s `node`: whole (XEP-0060 §6.5.2) or their ids alone (§5.5 disco#items). */
export function readsItemsOf(owner: string, node: string): (iq: Element) => boolean {
  return (iq) => iq.attrs.type === 'get' && iq.attrs.to === owner && (itemsOf(iq) === node || iq.getChild('query', NS.discoItems)?.attrs.node === node);
}

/** A §6.5.2 items request for `owner`'s `node`. */
export function readsWholeItemsOf(owner: string, node: string): (iq: Element) => boolean {
  return (iq) => iq.attrs.type === 'get' && iq.attrs.to === owner && itemsOf(iq) === node;
}

/** A roster get (RFC 6121 §2.1.3, with or without a version). */
export function isRosterGet(iq: Element): boolean {
  return iq.attrs.type === 'get' && iq.getChild('query', NS.roster) !== undefined;
}

function itemsOf(iq: Element): string | undefined {
  return iq.getChild('pubsub', NS.pubsub)?.getChild('items')?.attrs.node;
}

function parseElement(text: string): Element | undefined {
  const parser = new Parser();
  let element: Element | undefined;
  parser.on('element', (e: Element) => (element ??= e));
  parser.write(`<line>${text}</line>`);
  return element;
}
