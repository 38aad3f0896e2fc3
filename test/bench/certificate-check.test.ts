/**
 * Benchmark: what checking one contact's certificate costs (issue #19: no more CPU per contact than
 * slixmpp), reading it with forge's parse and walks as before (test/unit/keys/forge-reference.ts)
 * against the strict DER reader (main/keys/der.ts). Both sides run the same steps as
 * main/keys/validate.ts does for the common certificate: parse, SHA-256, the quick path's key, dates
 * and signature, the names, the weak-signature check. A third row is the app's own
 * checkPublishedCertificate, for reference.
 *
 *   npx vitest run --config test/bench/vitest.bench.config.ts test/bench/certificate-check.test.ts
 *   CERT_BENCH_ROUNDS=15 …   (rounds; sides interleaved, order alternating, medians reported)
 *
 * Per check: CPU µs of the main thread (Linux schedstat) and of the whole process (process.cpuUsage:
 * GC and compiler threads too), over a batch of 400; then, in rounds of their own, bytes allocated
 * on the JS heap (heapUsed growth after a forced GC, over a batch of 50 checks; external memory
 * such as KeyObjects is not counted, and is the same on both sides).
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { cpus } from 'node:os';
import { expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../main/keys/certificate.js';
import { openCommonCertificate, type OpenedCertificate } from '../../main/keys/common-certificate.js';
import { certificateFingerprint } from '../../main/keys/fingerprint.js';
import { generateRsaKeyPair } from '../../main/keys/generate.js';
import { checkPublishedCertificate } from '../../main/keys/validate.js';
import { findWeaknesses } from '../../main/keys/weakness.js';
import { bareJidKey, parseCertificateDer, readCertificateIdentities, type CertificateIdentities } from '../../main/keys/xmpp-addr.js';
import {
  forgeOpenCommonCertificate,
  forgeParseCertificateDer,
  forgeReadCertificateIdentities,
  forgeWeakSignatureHash,
} from '../unit/keys/forge-reference.js';
import { opensslCertificate, Scratch } from '../unit/keys/openssl.js';
import { mainThreadCpuMs } from '../unit/keys/thread-cpu.js';
import { median } from './sections/keygen.js';

const JULIET = 'juliet@capulet.lit';
const ROUNDS = Number(process.env.CERT_BENCH_ROUNDS ?? 9);
const ALLOCATION_BATCH = 50;
const CPU_BATCH = 400;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Verdict {
  fingerprint: string;
  opened: OpenedCertificate | undefined;
  identities: CertificateIdentities;
  bound: boolean;
  weak: boolean;
}

/** validate.ts's steps for a genuine common certificate, with forge's reading as it was. */
function checkWithForge(der: Buffer): Verdict {
  const parsed = forgeParseCertificateDer(der);
  const fingerprint = certificateFingerprint(der);
  const opened = forgeOpenCommonCertificate(der, parsed);
  const bits = opened?.key.asymmetricKeyDetails?.modulusLength;
  const identities = forgeReadCertificateIdentities(parsed);
  const bound = identities.xmppAddrs.some((jid) => bareJidKey(jid) === JULIET);
  const weak = (bits ?? 0) < 2048 || forgeWeakSignatureHash(parsed) !== undefined;
  return { fingerprint, opened, identities, bound, weak };
}

/** The same steps with the strict DER reader. */
function checkWithDer(der: Buffer): Verdict {
  const parsed = parseCertificateDer(der);
  const fingerprint = certificateFingerprint(der);
  const opened = openCommonCertificate(der, parsed);
  const details = opened?.key.asymmetricKeyDetails;
  const identities = readCertificateIdentities(parsed);
  const bound = identities.xmppAddrs.some((jid) => bareJidKey(jid) === JULIET);
  const weak = findWeaknesses({ bits: details?.modulusLength, publicExponent: details?.publicExponent, der, parsed }).length > 0;
  return { fingerprint, opened, identities, bound, weak };
}

interface Sample {
  mainUs: number;
  processUs: number;
  wallUs: number;
}

/**
 * Bytes allocated per check: JS heap growth over a batch, from just after a forced GC. Measured apart
 * from the CPU: a forced full GC makes V8 flush and recompile code (bytecode ageing), which then shows
 * up as CPU on the compiler threads of whatever runs next.
 */
function allocation(check: () => unknown): number {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < ALLOCATION_BATCH; i++) check();
  return (process.memoryUsage().heapUsed - heapBefore) / ALLOCATION_BATCH;
}

function cpu(check: () => unknown): Sample {
  const mainBefore = mainThreadCpuMs?.() ?? Number.NaN;
  const processBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  for (let i = 0; i < CPU_BATCH; i++) check();
  const wallUs = Number(process.hrtime.bigint() - wallBefore) / 1e3 / CPU_BATCH;
  const { user, system } = process.cpuUsage(processBefore);
  const mainUs = (((mainThreadCpuMs?.() ?? Number.NaN) - mainBefore) * 1e3) / CPU_BATCH;
  return { mainUs, processUs: (user + system) / CPU_BATCH, wallUs };
}

it('benchmarks one certificate check: forge’s reading against the strict DER reader', async () => {
  expect(Number.isInteger(ROUNDS) && ROUNDS > 0, 'CERT_BENCH_ROUNDS must be a positive integer').toBe(true);
  const { privateKey } = await generateRsaKeyPair(2048);
  const scratch = await Scratch.create();
  let certificates: [string, Buffer][];
  try {
    const theirs = await opensslCertificate(scratch, 'theirs', {
      subject: `/CN=${JULIET}`,
      extensions: [`subjectAltName=otherName:1.3.6.1.5.5.7.8.5;UTF8:${JULIET}`],
    });
    certificates = [
      ['the app’s (RSA-2048)', await createSelfSignedCertificate({ bareJid: JULIET, privateKey })],
      ['openssl’s (RSA-2048)', theirs.der],
    ];
  } finally {
    await scratch.remove();
  }

  const lines: string[] = [];
  for (const [name, der] of certificates) {
    // Both sides answer the same, and the app's check calls it valid.
    const before = checkWithForge(der);
    const after = checkWithDer(der);
    expect(after.opened?.selfSigned).toBe(true);
    expect({ ...after, opened: undefined }).toEqual({ ...before, opened: undefined });
    expect([after.opened?.notBeforeMs, after.opened?.notAfterMs]).toEqual([before.opened?.notBeforeMs, before.opened?.notAfterMs]);
    expect(checkPublishedCertificate({ der, publisherJid: JULIET, itemId: after.fingerprint }).status).toBe('valid');

    const sides: [string, () => unknown][] = [
      ['forge (before)', () => checkWithForge(der)],
      ['der.ts (after)', () => checkWithDer(der)],
      ['checkPublishedCertificate', () => checkPublishedCertificate({ der, publisherJid: JULIET, itemId: after.fingerprint })],
    ];
    const cpuSamples = new Map<string, Sample[]>(sides.map(([side]) => [side, []]));
    const bytes = new Map<string, number[]>(sides.map(([side]) => [side, []]));
    for (const [, check] of sides) cpu(check); // warm-up: JIT, caches
    const rounds = (measure: (side: string, check: () => unknown) => void): void => {
      for (let round = 0; round < ROUNDS; round++) {
        for (const [side, check] of round % 2 === 0 ? sides : [...sides].reverse()) measure(side, check);
      }
    };
    rounds((side, check) => cpuSamples.get(side)?.push(cpu(check)));
    rounds((side, check) => bytes.get(side)?.push(allocation(check)));
    const row = (side: string): string[] => {
      const of = (key: keyof Sample): number => median((cpuSamples.get(side) ?? []).map((s) => s[key]));
      return [side, (median(bytes.get(side) ?? []) / 1024).toFixed(1), of('mainUs').toFixed(0), of('processUs').toFixed(0), of('wallUs').toFixed(0)];
    };
    lines.push('', `Certificate: ${name}, ${der.length} bytes`, ...table(['reading', 'KiB allocated', 'main-thread µs', 'process CPU µs', 'wall µs'], sides.map(([side]) => row(side))));
  }
  console.log(
    [
      '',
      'Command: npx vitest run --config test/bench/vitest.bench.config.ts test/bench/certificate-check.test.ts',
      `Rounds: ${ROUNDS} (CERT_BENCH_ROUNDS), sides interleaved, order alternating; cells are medians per check`,
      `CPU: ${CPU_BATCH} checks per sample; then allocation: JS heap growth over ${ALLOCATION_BATCH} checks after a forced GC`,
      `Main-thread CPU: Linux schedstat${mainThreadCpuMs ? '' : ' (not available here: NaN)'}; process CPU: process.cpuUsage(), all threads`,
      `Machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}`,
      ...lines,
      '',
    ].join('\n'),
  );
}, 10 * 60_000);

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}
