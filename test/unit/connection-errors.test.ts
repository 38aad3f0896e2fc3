import { xml } from '@xmpp/client';
import { describe, expect, it } from 'vitest';
import { classifyConnectionError } from '../../main/xmpp/connection-errors.js';
import { KeyringError } from '../../main/errors.js';
import { readStreamError } from '../../main/xmpp/stream-errors.js';

function err(props: Record<string, string>): Error {
  return Object.assign(new Error(props.message ?? 'x'), props);
}

describe('classifying connection failures', () => {
  it.each([
    [err({ name: 'SASLError', condition: 'not-authorized' }), 'auth-failed', /address or password/],
    [err({ code: 'ECONNREFUSED' }), 'server-unreachable', /^Cannot reach example\.org:5222: the connection was refused \(no server listens on that port, or a firewall turns it away\)\.$/],
    [err({ code: 'ENOTFOUND' }), 'server-unreachable', /^Cannot reach example\.org:5222: its name was not found\.$/],
    [err({ code: 'ETIMEDOUT' }), 'server-unreachable', /^Cannot reach example\.org:5222: the connection took too long and was given up\.$/],
    [err({ code: 'ERR_SOCKET_CONNECTION_TIMEOUT' }), 'server-unreachable', /^Cannot reach example\.org:5222: the connection took too long and was given up\.$/],
    [err({ code: 'ENETDOWN', message: 'connect ENETDOWN 10.0.0.5:5222' }), 'server-unreachable', /^Cannot reach example\.org:5222: this computer's network is down\.$/],
    [err({ code: 'ECONNABORTED' }), 'server-unreachable', /^Cannot reach example\.org:5222: the connection was cut off\.$/],
    [err({ code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'tls-untrusted', /not signed by an authority you trust/],
    [err({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'tls-untrusted', /different name/],
    [err({ code: 'CERT_HAS_EXPIRED' }), 'tls-untrusted', /expired/],
    [err({ name: 'TimeoutError' }), 'timeout', /did not answer in time/],
    [err({ name: 'StreamError', condition: 'host-unknown' }), 'stream-closed', /host-unknown/],
    [err({ name: 'XMLError', message: 'a must be closed.' }), 'protocol-error', /^example\.org:5222 sent data that is not well-formed XML, so the app closed the connection\.$/],
  ])('%s → %s', (error, code, message) => {
    const classified = classifyConnectionError(error, 'example.org:5222');
    expect(classified.code).toBe(code);
    expect(classified.message).toMatch(message);
    expect(classified.cause).toBe(error);
  });

  it('a name that does not resolve is said so, naming it and the field it came from', () => {
    const lookup = (hostname: string) => Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
    const fromAddress = classifyConnectionError(lookup('capulett.lit'), 'capulett.lit:5222', { name: 'capulett.lit', from: 'jid' });
    expect(fromAddress.toIpcError()).toEqual({ code: 'server-unreachable', message: 'capulett.lit was not found.', field: 'jid' });
    const fromHost = classifyConnectionError(lookup('XMPP.capulett.lit'), 'xmpp.capulett.lit:5222', { name: 'xmpp.capulett.lit', from: 'host' });
    expect(fromHost.toIpcError()).toEqual({ code: 'server-unreachable', message: 'xmpp.capulett.lit was not found.', field: 'host' });
    // A lookup of another name, or a failure that is only temporary, is not said to be a wrong name.
    expect(classifyConnectionError(lookup('proxy.example'), 'capulet.lit:5222', { name: 'capulet.lit', from: 'jid' }).field).toBeUndefined();
    const again = classifyConnectionError(err({ code: 'EAI_AGAIN' }), 'capulet.lit:5222', { name: 'capulet.lit', from: 'jid' });
    expect(again).toMatchObject({ code: 'server-unreachable', message: 'Cannot reach capulet.lit:5222: its name could not be looked up just now.', field: undefined });
  });

  it('keeps a KeyringError as it is, and survives non-Error throws', () => {
    const own = new KeyringError('tls-required', 'no TLS');
    expect(classifyConnectionError(own, 's')).toBe(own);
    expect(classifyConnectionError('boom', 's').code).toBe('server-unreachable');
    expect(classifyConnectionError(undefined, 's').message).toMatch(/unknown error/);
  });

  it('names only the SASL failure conditions RFC 6120 §6.5 defines', () => {
    expect(classifyConnectionError(err({ name: 'SASLError', condition: 'temporary-auth-failure' }), 's').message).toBe('Login failed (temporary-auth-failure).');
    const madeUp = classifyConnectionError(err({ name: 'SASLError', condition: 'Your-password-expired.Sign-in-at-evil.example' }), 's');
    expect(madeUp).toMatchObject({ code: 'auth-failed', message: 'Login failed (a reason the app does not know).' });
  });

  it.each([
    ['a host name', 'xmpp2.capulet.lit', ' (xmpp2.capulet.lit)'],
    ['a host and port', 'xmpp2.capulet.lit:5223', ' (xmpp2.capulet.lit:5223)'],
    ['an IPv6 address in brackets, with a port', '[2001:db8::1]:5222', ' ([2001:db8::1]:5222)'],
    ['white space around it', '\n  10.0.0.7:5222 \n', ' (10.0.0.7:5222)'],
    ['words, not a host', 'Your password expired, sign in at evil.example', ''],
    ['a bidirectional override', 'capulet.lit\u202e5222', ''],
    ['a host too long to repeat', `${'a'.repeat(120)}.example`, ''],
    ['nothing', '', ''],
  ])('see-other-host naming %s: never followed, and only a well-formed host is repeated', (_what, host, named) => {
    const element = xml('stream:error', {}, xml('see-other-host', { xmlns: 'urn:ietf:params:xml:ns:xmpp-streams' }, host));
    const classified = classifyConnectionError(readStreamError(element), 'example.org:5222');
    expect(classified.code).toBe('redirect-refused');
    expect(classified.message).toBe(
      `The connection to example.org:5222 asked the app to go to another server${named}. ` +
        "The app does not follow redirects, so it connected nowhere else. If this keeps happening, ask your server's administrator whether the server moved.",
    );
  });

  it('names only the stream error conditions RFC 6120 §4.9.3 defines; any other name, and the server\'s text, is never repeated', () => {
    const ns = 'urn:ietf:params:xml:ns:xmpp-streams';
    const said = (...children: ReturnType<typeof xml>[]) => classifyConnectionError(readStreamError(xml('stream:error', {}, ...children)), 's:5222').message;
    expect(said(xml('system-shutdown', { xmlns: ns }), xml('text', { xmlns: ns }, 'Reset your password at evil.example'))).toBe('s:5222 closed the connection: the server is shutting down (system-shutdown).');
    expect(said(xml('Reset-your-password-at-evil.example', { xmlns: ns }))).toBe('s:5222 closed the connection with an unknown stream error.');
    // §4.9.2: the condition is in the stream errors namespace; a defined name in another is no condition.
    expect(said(xml('conflict', { xmlns: 'urn:example' }))).toBe('s:5222 closed the connection (undefined-condition).');
    expect(said(xml('text', { xmlns: ns }, 'only text'))).toBe('s:5222 closed the connection (undefined-condition).');
    expect(said()).toBe('s:5222 closed the connection (undefined-condition).');
  });
});
