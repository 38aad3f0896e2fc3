import { xml } from '@xmpp/client';
import { describe, expect, it } from 'vitest';
import { classifyConnectionError } from '../../main/xmpp/connection-errors.js';
import { KeyringError } from '../../main/errors.js';
import { readStreamError } from '../../main/xmpp/stream-errors.js';
import { STANZA_LIMITS, StanzaTooLarge } from '../../main/xmpp/stream-reader.js';

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
    [err({ name: 'TimeoutError' }), 'timeout', /did not answer in time/],
    [err({ name: 'StreamError', condition: 'host-unknown' }), 'stream-closed', /host-unknown/],
    [err({ name: 'XMLError', message: 'a must be closed.' }), 'protocol-error', /^example\.org:5222 sent data that is not well-formed XML, so the app closed the connection\.$/],
  ])('%s → %s', (error, code, message) => {
    const classified = classifyConnectionError(error, 'example.org:5222');
    expect(classified.code).toBe(code);
    expect(classified.message).toMatch(message);
    expect(classified.cause).toBe(error);
  });

  it('a stanza too large (stream-reader.ts): before the stream is trusted the network is suspected, after the server is named', () => {
    const before = new StanzaTooLarge(STANZA_LIMITS.untrusted, 'elements');
    expect(classifyConnectionError(before, 'example.org:5222')).toMatchObject({
      code: 'protocol-error',
      message:
        'Before the connection to example.org:5222 was encrypted and signed in, more data came in one piece than the app accepts at that point, so the app closed the connection.',
      nextStep: 'Something on the network may be interfering with the connection: try again, or from another network. If it keeps happening, tell your server’s administrator.',
      cause: before,
    });
    const after = new StanzaTooLarge(STANZA_LIMITS.trusted, 'characters');
    expect(classifyConnectionError(after, 'example.org:5222')).toMatchObject({
      code: 'protocol-error',
      message: 'example.org:5222 sent more data in one piece than the app accepts, so the app closed the connection.',
      nextStep: 'If it keeps happening, tell your server’s administrator.',
      cause: after,
    });
  });

  // Node's words, as its sockets, getaddrinfo and TLS give them on connect and read: none reaches a person.
  it.each([
    ['EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:5222', 'there is no route to it from here'],
    ['ENETUNREACH', 'connect ENETUNREACH 2001:db8::1:5222 - Local (:::0)', 'this computer has no network route to it'],
    ['EPIPE', 'write EPIPE', 'the connection was cut off'],
    ['ECONNRESET', 'Client network socket disconnected before secure TLS connection was established', 'the connection was cut off'],
    ['EHOSTDOWN', 'connect EHOSTDOWN 10.0.0.1:5222', 'the computer it runs on does not answer'],
    ['ENOTCONN', 'write ENOTCONN', 'the connection was cut off'],
    ['ERR_SOCKET_CLOSED', 'Socket is closed', 'the connection was cut off'],
    ['ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'Socket closed before the connection was established', 'the connection was cut off'],
    ['ERR_STREAM_DESTROYED', 'Cannot call write after a stream was destroyed', 'the connection was cut off'],
    ['ERR_STREAM_WRITE_AFTER_END', 'write after end', 'the connection was cut off'],
    ['EACCES', 'connect EACCES 10.0.0.1:5222', "this computer's firewall or security settings do not allow the connection"],
    ['EPERM', 'connect EPERM 10.0.0.1:5222', "this computer's firewall or security settings do not allow the connection"],
    ['EAFNOSUPPORT', 'connect EAFNOSUPPORT 2001:db8::1:5222', 'this computer cannot use that kind of address (IPv6 may be turned off)'],
    ['EMFILE', 'connect EMFILE 10.0.0.1:5222 - Local (undefined:undefined)', 'this computer has too many connections or files open just now'],
    ['ENOBUFS', 'connect ENOBUFS 10.0.0.1:5222', 'this computer is short of memory for network connections just now'],
    ['EAI_FAIL', 'getaddrinfo EAI_FAIL capulet.lit', 'its name could not be looked up (the name server failed)'],
    ['EAI_ADDRFAMILY', 'getaddrinfo EAI_ADDRFAMILY capulet.lit', 'its name has no address of a kind this computer can use'],
    ['EPROTO', 'write EPROTO 140:error:1408F10B:SSL routines:ssl3_get_record:wrong version number', 'an encrypted connection could not be set up with it (what answers on that port may not be an XMPP server)'],
    ['ERR_TLS_HANDSHAKE_TIMEOUT', 'TLS handshake timeout', 'setting up the encrypted connection took too long and was given up'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', '808C8EE2687F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:', 'what answers on that port does not speak TLS (check the port)'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', '808C8EE2687F0000:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version', 'its encryption is of an old kind the app no longer uses (its admin can turn on TLS 1.2 or 1.3)'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', '40E7:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure', 'it and the app have no kind of encryption in common (ask its admin)'],
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', '40E7:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required', 'it asks for a certificate of the app, which the app does not have'],
    // Any other OpenSSL failure during the handshake.
    ['ERR_SSL_BAD_RECORD_TYPE', '40E7:error:0A0001BB:SSL routines:ssl3_get_record:bad record type', 'an encrypted connection could not be set up with it'],
  ])('%s is said in words, without Node\'s text', (code, nodeText, words) => {
    const classified = classifyConnectionError(err({ code, message: nodeText }), 'example.org:5222');
    expect(classified).toMatchObject({ code: 'server-unreachable', message: `Cannot reach example.org:5222: ${words}.` });
    expect(classified.cause).toMatchObject({ code });
  });

  it('a failure the app does not know is still said as what to check, never in the words it came with', () => {
    const expected = 'Connecting to example.org:5222 failed for a reason the app does not know. Check the server name and port, and that you are online, then try again.';
    for (const error of [err({ code: 'EWEIRD', message: 'connect EWEIRD 10.0.0.1:5222' }), err({ message: 'socket hang up' }), 'boom', undefined]) {
      const classified = classifyConnectionError(error, 'example.org:5222');
      expect(classified).toMatchObject({ code: 'server-unreachable', message: expected });
      expect(classified.cause).toBe(error);
    }
  });

  const untrustedAuthority =
    'The certificate of example.org:5222 is not signed by an authority the app trusts, so the app did not connect. ' +
    'If this is your own server, get its CA certificate from its admin and choose it as the extra CA certificate for this account, once its fingerprint matches the one the admin gives you.';
  const admin = "Tell your server's admin.";
  // Every way Node says a server certificate failed its check (doc/api/tls.md, X509 certificate error
  // codes, and its own ERR_TLS_CERT_ALTNAME_*), with OpenSSL's text as Node gives it: refused, said as
  // what is wrong and what the person can do, never with the code or OpenSSL's words.
  it.each<[code: string, openSslText: string, words: string]>([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', untrustedAuthority],
    ['UNABLE_TO_GET_ISSUER_CERT', 'unable to get issuer certificate', untrustedAuthority],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate', untrustedAuthority],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', untrustedAuthority],
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'self-signed certificate',
      'The certificate of example.org:5222 is self-signed (no authority vouches for it), so the app did not connect. ' +
        'If this is your own server, get that certificate from its admin and choose it as the extra CA certificate for this account, once its fingerprint matches the one the admin gives you.',
    ],
    [
      'CERT_SIGNATURE_FAILURE',
      'certificate signature failure',
      'The certificate of example.org:5222 does not carry a valid signature of the authority named in it, so the app did not connect. ' +
        "If you chose an extra CA certificate, check that it is your server's current one; otherwise someone may be posing as the server: tell its admin.",
    ],
    [
      'CERT_HAS_EXPIRED',
      'certificate has expired',
      "The certificate of example.org:5222 has expired, so the app did not connect. Check that this computer's date and time are right; if they are, your server's admin must renew the certificate.",
    ],
    [
      'CERT_NOT_YET_VALID',
      'certificate is not yet valid',
      "The certificate of example.org:5222 is not valid yet, so the app did not connect. Check that this computer's date and time are right; if they are, tell your server's admin.",
    ],
    ['CERT_REVOKED', 'certificate revoked', `The certificate of example.org:5222 was revoked by the authority that issued it, so the app did not connect. ${admin}`],
    ...['CERT_UNTRUSTED', 'CERT_REJECTED', 'INVALID_CA', 'INVALID_PURPOSE', 'PATH_LENGTH_EXCEEDED', 'CERT_CHAIN_TOO_LONG'].map((code): [string, string, string] => [
      code,
      'unsuitable certificate purpose',
      `The certificate of example.org:5222 is not allowed for a server, or was issued by an authority not allowed to issue it, so the app did not connect. ${admin}`,
    ]),
    ...['UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD', 'ERR_TLS_CERT_ALTNAME_FORMAT'].map(
      (code): [string, string, string] => [code, "format error in certificate's notAfter field", `The certificate of example.org:5222 is damaged and cannot be checked, so the app did not connect. ${admin}`],
    ),
    [
      'UNSPECIFIED',
      'EE certificate key too weak',
      `The certificate of example.org:5222 failed the app's checks (its key or signature may be too weak), so the app did not connect. ${admin}`,
    ],
    [
      'HOSTNAME_MISMATCH',
      'hostname mismatch',
      "The certificate of example.org:5222 is issued for a different name, so the app did not connect. If you set a server host for this account, check it; otherwise someone may be posing as the server, or its certificate is wrong: tell your server's admin.",
    ],
  ])('a certificate refused for %s is said in words', (code, openSslText, words) => {
    const classified = classifyConnectionError(err({ code, message: openSslText }), 'example.org:5222');
    const { message, nextStep, ...rest } = classified.toIpcError();
    expect(rest).toEqual({ code: 'tls-untrusted' });
    // What went wrong in the message, what to do apart from it (a front end shows them apart).
    expect(message).toMatch(/, so the app did not connect\.$/);
    expect(`${message} ${nextStep ?? ''}`).toBe(words);
    expect(classified.cause).toMatchObject({ code });
  });

  it('a certificate for another name names the name it should have had (the account\'s domain), never the names the server put in it', () => {
    const altnames = (host: string) =>
      Object.assign(new Error(`Hostname/IP does not match certificate's altnames: Host: ${host}. is not in the cert's altnames: DNS:evil.example`), {
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
        host,
        reason: `Host: ${host}. is not in the cert's altnames: DNS:evil.example`,
      });
    const tail = ", so the app did not connect. If you set a server host for this account, check it; otherwise someone may be posing as the server, or its certificate is wrong: tell your server's admin.";
    const said = (error: Error, server: string) => {
      const { message, nextStep } = classifyConnectionError(error, server).toIpcError();
      return `${message.replace(/\.$/, '')}. ${nextStep ?? ''}`;
    };
    expect(said(altnames('capulet.lit'), 'xmpp.capulet.lit:5222')).toBe(
      `The certificate of xmpp.capulet.lit:5222 is issued for a different name, not for capulet.lit${tail}`,
    );
    // An IPv6 address is written in brackets, as the app writes it everywhere.
    expect(said(altnames('::1'), '127.0.0.1:5222')).toBe(`The certificate of 127.0.0.1:5222 is issued for a different name, not for [::1]${tail}`);
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
    expect(classifyConnectionError(undefined, 's').message).toMatch(/for a reason the app does not know/);
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
