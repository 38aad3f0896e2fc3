import { bareJidText, requestSpec, type Handlers, type IpcError, type Result } from '../../contract/index.js';
import { toIpcError } from '../errors.js';
import { bareJidKey } from '../keys/xmpp-addr.js';
import { validationWords } from './validation-words.js';

/** What a window sends beside each request (contract/wire.ts): the account it shows, or none while it shows none. */
export interface AskedIn {
  account: unknown;
}

/**
 * `window`: given by the transports that carry a window's requests (Electron IPC, the browser host),
 * always, so a window that names no account is checked as one that shows none. Left out by the core's
 * own callers (`core.api`), whose changes are not checked: a `keyring` command owns its core for the
 * one account it named when it started (signed in to, or --jid offline), and the vault is held by one
 * process at a time (main/vault/vault-lock.ts), so no window can sign in to another account under it;
 * the integration tests call the core the same way.
 */
export type Dispatch = (channel: unknown, params: unknown, window?: AskedIn) => Promise<Result<unknown>>;

export interface DispatcherOptions {
  /** Where unexpected (non-KeyringError) failures are reported; never sent to the renderer. */
  logError: (channel: string, error: unknown) => void;
  /** The account the app works for now (services/working-account.ts), or none. */
  workingAccount: () => string | undefined;
}

/** The account a window names: an address (main sent it to the window), bounded like any. */
const windowAccount = bareJidText.optional();

/**
 * The single entry point for every request from every transport: checks the channel name, checks that
 * a change of an account's data is asked for the account the app works for, validates the parameters
 * against the contract's schema, runs the handler, and turns every outcome into a `Result` value.
 * Nothing thrown here crosses a process boundary.
 */
export function createDispatcher(handlers: Handlers, options: DispatcherOptions): Dispatch {
  return async (channel, params, window) => {
    const spec = requestSpec(channel);
    if (spec === undefined || typeof channel !== 'string') {
      return failure({ code: 'unknown-channel', message: `Unknown request: ${describe(channel)}` });
    }
    if (window !== undefined) {
      const asked = windowAccount.safeParse(window.account);
      if (!asked.success) return failure({ code: 'invalid-argument', message: 'This request names an account that is not an address; nothing was done.' });
      // Checked here, once, before anything of the request is read: a window that had not yet heard
      // that another window signed in to another account would otherwise have its Publish, Verify or
      // Revoke carried out for that account, with what it typed for its own.
      const refusal = spec.forAccount ? otherAccount(asked.data, options.workingAccount()) : undefined;
      if (refusal) return failure(refusal);
    }
    // A schema's own words win; other checks get words a person can act on (validation-words.ts).
    const parsed = spec.params.safeParse(params, { error: validationWords });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.map(String).join('.') || undefined;
      // The field goes beside the message, for the screen to place it; never into the sentence shown.
      const message = issue?.message ?? 'This request was not accepted; nothing was done.';
      return failure(field === undefined ? { code: 'invalid-argument', message } : { code: 'invalid-argument', message, field });
    }
    try {
      // The handler sits in the table under the same domain and name as the schema the contract gave
      // for this channel, so the parsed value has exactly its parameter type; TypeScript cannot
      // correlate the two through the union of channels.
      const [domain, name] = channel.split(':') as [keyof Handlers, string];
      const handler = (handlers[domain] as Record<string, (p: unknown) => Promise<unknown>>)[name] as (p: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      const ipcError = toIpcError(error);
      if (ipcError.code === 'internal') options.logError(channel, error);
      return failure(ipcError);
    }
  };
}

/** The refusal of a change asked for `asked` (as the window named it) while the app works for `working`; none when they are one account. */
function otherAccount(asked: string | undefined, working: string | undefined): IpcError | undefined {
  if ((asked === undefined ? undefined : bareJidKey(asked)) === (working === undefined ? undefined : bareJidKey(working))) return undefined;
  const askedFor = asked === undefined ? 'This was asked in a window that showed no account' : `This was asked for ${asked}`;
  const worksFor = working === undefined ? 'the app now works for no account' : `the app now works for ${working}`;
  return { code: 'account-changed', message: `${askedFor}, but ${worksFor}; nothing was done.` };
}

function failure(error: IpcError): Result<never> {
  return { ok: false, error };
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
}
