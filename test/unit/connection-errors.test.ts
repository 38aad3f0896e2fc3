import { describe, expect, it } from 'vitest';
import { classifyConnectionError } from '../../main/xmpp/connection-errors.js';
import { KeyringError } from '../../main/errors.js';

function err(props: Record<string, string>): Error {
  return Object.assign(new Error(props.message ?? 'x'), props);
}

describe('classifying connection failures', () => {
  it.each([
    [err({ name: 'SASLError', condition: 'not-authorized' }), 'auth-failed', /address or password/],
    [err({ code: 'ECONNREFUSED' }), 'server-unreachable', /Cannot reach example\.org:5222 \(ECONNREFUSED\)/],
    [err({ code: 'ENOTFOUND' }), 'server-unreachable', /ENOTFOUND/],
    [err({ code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'tls-untrusted', /not signed by an authority you trust/],
    [err({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'tls-untrusted', /different name/],
    [err({ code: 'CERT_HAS_EXPIRED' }), 'tls-untrusted', /expired/],
    [err({ name: 'TimeoutError' }), 'timeout', /did not answer in time/],
    [err({ name: 'StreamError', condition: 'host-unknown' }), 'protocol-error', /host-unknown/],
    [err({ name: 'XMLError', message: 'a must be closed.' }), 'protocol-error', /^example\.org:5222 sent data that is not well-formed XML, so the app closed the connection\.$/],
  ])('%s → %s', (error, code, message) => {
    const classified = classifyConnectionError(error, 'example.org:5222');
    expect(classified.code).toBe(code);
    expect(classified.message).toMatch(message);
    expect(classified.cause).toBe(error);
  });

  it('keeps a KeyringError as it is, and survives non-Error throws', () => {
    const own = new KeyringError('tls-required', 'no TLS');
    expect(classifyConnectionError(own, 's')).toBe(own);
    expect(classifyConnectionError('boom', 's').code).toBe('server-unreachable');
    expect(classifyConnectionError(undefined, 's').message).toMatch(/unknown error/);
  });
});
