/**
 * A terminal has one line for a failure: what went wrong, then what to do about it when main said
 * (IpcError.nextStep, e.g. a refused certificate's), never the step dropped.
 */
import { describe, expect, it } from 'vitest';
import { CliError, must } from '../../main/cli/context.js';
import { classifyConnectionError } from '../../main/xmpp/connection-errors.js';

describe('the keyring command prints the next step main gave', () => {
  it('a refused certificate: the reason, then what to do', () => {
    const refused = classifyConnectionError(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }), 'capulet.lit:5222').toIpcError();
    expect(refused.nextStep).toBeDefined();
    let thrown: unknown;
    try {
      must({ ok: false, error: refused });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect((thrown as CliError).message).toBe(
      "The certificate of capulet.lit:5222 has expired, so the app did not connect. Check that this computer's date and time are right; if they are, your server's admin must renew the certificate.",
    );
    expect((thrown as CliError).exitCode).toBe(1);
  });

  it('an error without a step is its message alone', () => {
    expect(new CliError({ code: 'timeout', message: 'capulet.lit:5222 did not answer in time.' }, 1).message).toBe('capulet.lit:5222 did not answer in time.');
  });
});
