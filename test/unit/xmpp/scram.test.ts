/**
 * The SCRAM client (main/xmpp/scram.ts): the RFC examples byte for byte, and everything a server (or
 * someone posing as it) can get wrong, refused with a clear reason before any work is done for it.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { KeyringError } from '../../../main/errors.js';
import { MAX_ITERATIONS, MIN_ITERATIONS, ScramClient, type ScramBinding, type ScramHash } from '../../../main/xmpp/scram.js';

/** RFC 5802 §5: SCRAM-SHA-1, user "user", password "pencil". */
const RFC5802 = {
  hash: 'SHA-1' as ScramHash,
  nonce: 'fyko+d2lbbFgONRv9qkxdawL',
  clientFirst: 'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL',
  serverFirst: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
  clientFinal: 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=',
  serverFinal: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
};

/** RFC 7677 §3: SCRAM-SHA-256, the same user and password. */
const RFC7677 = {
  hash: 'SHA-256' as ScramHash,
  nonce: 'rOprNGfwEbeRWgbNEkqO',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

function client(example: typeof RFC5802, overrides: { password?: string; username?: string; binding?: ScramBinding } = {}): ScramClient {
  return new ScramClient({
    hash: example.hash,
    username: overrides.username ?? 'user',
    password: overrides.password ?? 'pencil',
    binding: overrides.binding ?? { flag: 'n' },
    nonce: example.nonce,
  });
}

async function rejection(work: Promise<unknown> | (() => unknown)): Promise<KeyringError> {
  const error = await (typeof work === 'function' ? Promise.resolve().then(work) : work).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyringError);
  return error as KeyringError;
}

describe.each([
  ['RFC 5802 §5 (SCRAM-SHA-1)', RFC5802],
  ['RFC 7677 §3 (SCRAM-SHA-256)', RFC7677],
])('the worked example of %s', (_name, example) => {
  it('produces the same messages and accepts the server signature', async () => {
    const scram = client(example);
    expect(scram.clientFirst()).toBe(example.clientFirst);
    expect(await scram.clientFinal(example.serverFirst)).toBe(example.clientFinal);
    expect(scram.serverVerified).toBe(false);
    scram.verifyServerFinal(example.serverFinal);
    expect(scram.serverVerified).toBe(true);
  });

  it('refuses a server signature off by one bit: the server did not prove it knows the password', async () => {
    const scram = client(example);
    scram.clientFirst();
    await scram.clientFinal(example.serverFirst);
    const signature = Buffer.from(example.serverFinal.slice(2), 'base64');
    signature[0] = (signature[0] ?? 0) ^ 1;
    const error = await rejection(() => scram.verifyServerFinal(`v=${signature.toString('base64')}`));
    expect(error.code).toBe('auth-failed');
    expect(error.message).toMatch(/could not prove it knows your password/);
    // The server is at fault, not the password: the screens say so (renderer/src/lib/wording.ts).
    expect(error.toIpcError().field).toBe('server');
    expect(scram.serverVerified).toBe(false);
  });

  it('gives the same proof for the password typed in another Unicode form (SASLprep, RFC 4013)', async () => {
    // U+00AD (soft hyphen) is mapped to nothing, U+FF50 (full-width p) becomes p under NFKC.
    const scram = client(example, { password: '\uFF50en\u00ADcil' });
    scram.clientFirst();
    expect(await scram.clientFinal(example.serverFirst)).toBe(example.clientFinal);
  });
});

describe('what the server sends, checked before any work is done for it', () => {
  const started = (): ScramClient => {
    const scram = client(RFC7677);
    scram.clientFirst();
    return scram;
  };
  const withAttribute = (name: 's' | 'i' | 'r', value: string): string =>
    RFC7677.serverFirst.replace(new RegExp(`${name}=[^,]*`), `${name}=${value}`);

  it('a nonce that does not continue ours (a replay, or another exchange) is refused', async () => {
    const error = await rejection(started().clientFinal(withAttribute('r', 'XOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj')));
    expect(error).toMatchObject({ code: 'protocol-error', message: expect.stringMatching(/nonce does not continue ours/) as string });
  });

  it('a nonce with nothing of the server added is refused', async () => {
    const error = await rejection(started().clientFinal(withAttribute('r', RFC7677.nonce)));
    expect(error.code).toBe('protocol-error');
  });

  it(`fewer than ${MIN_ITERATIONS} iterations are refused, ${MIN_ITERATIONS} are accepted`, async () => {
    const error = await rejection(started().clientFinal(withAttribute('i', String(MIN_ITERATIONS - 1))));
    expect(error.code).toBe('auth-failed');
    expect(error.message).toMatch(/only 4095 rounds of password hashing \(the app needs at least 4096\)/);
    await expect(started().clientFinal(withAttribute('i', String(MIN_ITERATIONS)))).resolves.toMatch(/^c=biws,r=/);
  });

  it(`more than ${MAX_ITERATIONS} iterations are refused at once, without hashing`, async () => {
    const before = performance.now();
    const error = await rejection(started().clientFinal(withAttribute('i', String(MAX_ITERATIONS + 1))));
    expect(error.code).toBe('auth-failed');
    expect(error.message).toMatch(/asks for 1000001 rounds of password hashing; the app does at most 1000000/);
    expect(performance.now() - before).toBeLessThan(50);
  });

  it.each([['0'], ['-4096'], ['04096'], ['4096.5'], ['abc'], [''], ['99999999999999999999']])(
    'an unreadable iteration count (%j) is refused',
    async (count) => {
      const error = await rejection(started().clientFinal(withAttribute('i', count)));
      expect(error.code).toBe('protocol-error');
    },
  );

  it.each([['not base64!'], [''], ['QSXCR+Q6sek8bf9']])('a salt that is not base64 (%j) is refused', async (salt) => {
    const error = await rejection(started().clientFinal(withAttribute('s', salt)));
    expect(error).toMatchObject({ code: 'protocol-error', message: expect.stringMatching(/salt/) as string });
  });

  it('a mandatory extension (m=, RFC 5802 §5.1) is refused', async () => {
    const error = await rejection(started().clientFinal(`m=future,${RFC7677.serverFirst}`));
    expect(error.code).toBe('protocol-error');
  });

  it('attributes out of order are refused', async () => {
    const [r, s, i] = RFC7677.serverFirst.split(',');
    const error = await rejection(started().clientFinal(`${s},${r},${i}`));
    expect(error.code).toBe('protocol-error');
  });

  it('a server-final-message before the proof, or without v=, is not a proof', async () => {
    const scram = started();
    expect((await rejection(() => scram.verifyServerFinal(RFC7677.serverFinal))).message).toMatch(/could not prove/);
    await scram.clientFinal(RFC7677.serverFirst);
    expect((await rejection(() => scram.verifyServerFinal(''))).message).toMatch(/could not prove/);
    expect((await rejection(() => scram.verifyServerFinal('v=not*base64'))).message).toMatch(/could not prove/);
    expect(scram.serverVerified).toBe(false);
  });

  it("the server's error (e=) is reported, only its safe characters", async () => {
    const scram = started();
    await scram.clientFinal(RFC7677.serverFirst);
    const error = await rejection(() => scram.verifyServerFinal('e=channel-bindings-dont-match<script>'));
    expect(error).toMatchObject({ code: 'auth-failed', message: 'The server refused the login (channel-bindings-dont-matchscript).' });
  });

  it('a second server-first-message (the exchange started over) is refused', async () => {
    const scram = started();
    await scram.clientFinal(RFC7677.serverFirst);
    expect((await rejection(scram.clientFinal(RFC7677.serverFirst))).code).toBe('protocol-error');
  });
});

describe('the messages the client sends', () => {
  it('escapes "," and "=" in the user name (RFC 5802 §5.1)', () => {
    expect(client(RFC7677, { username: 'a,b=c' }).clientFirst()).toBe('n,,n=a=2Cb=3Dc,r=rOprNGfwEbeRWgbNEkqO');
  });

  it('"y" when the server offers no channel binding: c= carries the header the server checks against', async () => {
    const scram = client(RFC7677, { binding: { flag: 'y' } });
    expect(scram.clientFirst()).toBe('y,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    // RFC 5802 §7: c= is base64("y,,") = "eSws"; the proof covers it.
    const final = await scram.clientFinal(RFC7677.serverFirst);
    expect(final).toMatch(/^c=eSws,r=/);
    expect(final).not.toBe(RFC7677.clientFinal);
  });

  it('"p=<type>" when bound: c= is base64 of the header followed by the channel binding data', async () => {
    const data = Buffer.from('0123456789abcdef0123456789abcdef');
    const scram = client(RFC7677, { binding: { flag: 'p', type: 'tls-exporter', data } });
    expect(scram.clientFirst()).toBe('p=tls-exporter,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = await scram.clientFinal(RFC7677.serverFirst);
    const c = /^c=([^,]+),/.exec(final)?.[1] ?? '';
    expect(Buffer.from(c, 'base64')).toEqual(Buffer.concat([Buffer.from('p=tls-exporter,,'), data]));
  });

  it('a password SASLprep refuses (a control character) is not sent', async () => {
    const scram = client(RFC7677, { password: 'pen\u0007cil' });
    scram.clientFirst();
    const error = await rejection(scram.clientFinal(RFC7677.serverFirst));
    expect(error).toMatchObject({ code: 'auth-failed', message: 'The password cannot be used to sign in: it contains a control character.' });
  });

  it.each([['SHA-1'], ['SHA-256'], ['SHA-512']] as [ScramHash][])(
    'SCRAM-%s hashes off the main thread: the maximum iteration count keeps it busy for under 50 ms',
    async (hash) => {
      const scram = new ScramClient({ hash, username: 'user', password: 'pencil', binding: { flag: 'n' }, nonce: RFC7677.nonce });
      scram.clientFirst();
      const before = performance.eventLoopUtilization();
      const started = performance.now();
      await scram.clientFinal(RFC7677.serverFirst.replace('i=4096', `i=${MAX_ITERATIONS}`));
      const wall = performance.now() - started;
      const busy = performance.eventLoopUtilization(before).active;
      // The hashing took long (in Node's thread pool), the thread running the test was free meanwhile.
      expect(wall).toBeGreaterThan(100);
      expect(busy).toBeLessThan(50);
    },
    30_000,
  );
});
