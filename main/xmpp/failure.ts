/**
 * Words and a code for any failure that reaches a person through a protocol step, never an empty
 * reason: xmpp.js throws some errors without a message (its TimeoutError), and a KeyringError from a
 * lower layer (a 'timeout' that names who did not answer what, a 'not-connected', a 'signed-out-meanwhile')
 * keeps its own code instead of being folded into 'protocol-error'.
 */
import type { ErrorCode } from '../../contract/index.js';
import { KeyringError } from '../errors.js';
import { readStanzaError } from './pubsub.js';

/** The failure in words, as its own message says it (a sentence, with its period, when it is one). */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    if (error.message.trim() !== '') return error.message;
    if (error.name === 'TimeoutError') return 'the server did not answer in time';
    return `${error.name || 'error'} without details`;
  }
  const text = String(error);
  return text.trim() === '' ? 'unknown error' : text;
}

/**
 * The failure's own code when a lower layer already classified it; otherwise `fallback`. A request
 * refused because its account was signed out meanwhile (services/session-mark.ts) stays that too.
 */
export function failureCode(error: unknown, fallback: ErrorCode): ErrorCode {
  if (error instanceof KeyringError && (error.code === 'timeout' || error.code === 'not-connected' || error.code === 'signed-out-meanwhile')) return error.code;
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  return fallback;
}

/**
 * A failure's words put inside a longer sentence ("…: <clause>. Nothing was published."): without the
 * period that ends a message that is a sentence itself, which would read "answered..". A message
 * ending the sentence keeps it (describeFailure).
 */
export function asClause(words: string): string {
  return words.trim().replace(/(?<!\.)\.$/, '');
}

/**
 * A pubsub service's refusal as its stanza error says it ("cancel/feature-not-implemented + unsupported
 * \"…\""), for sentences that quote the server; any other failure as describeFailure says it.
 */
export function describeNodeFailure(error: unknown): string {
  const info = readStanzaError(error);
  if (info) return `${info.type ? `${info.type}/` : ''}${info.condition}${info.pubsubCondition ? ` + ${info.pubsubCondition}` : ''}${info.text ? ` "${info.text}"` : ''}`;
  return describeFailure(error);
}
