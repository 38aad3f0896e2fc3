import { EventEmitter } from 'node:events';
import type { EventName, EventPayload } from '../contract/index.js';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * The typed bus for events main pushes to whichever renderer transport is attached (Electron window,
 * browser-host WebSocket, CLI). Services emit; transports subscribe to everything and forward.
 */
export class AppEvents {
  readonly #emitter = new EventEmitter();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.#emitter.emit('event', event, payload);
  }

  /** Subscribe to every event; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.#emitter.on('event', listener);
    return () => this.#emitter.off('event', listener);
  }
}
