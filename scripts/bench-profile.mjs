#!/usr/bin/env node
// Reads apart a V8 CPU profile written by `BENCH_CPU_PROF_DIR=DIR npm run bench`: the samples inside one
// measured window (the bench prints each as "[profile window LABEL] FROM-TO", in µs), with the self
// time per function and per file or package, largest first.
//
//   node scripts/bench-profile.mjs DIR/CPU.*.cpuprofile FROM TO [--top 25]
import { readFileSync } from 'node:fs';

const [file, fromText, toText, ...rest] = process.argv.slice(2);
if (!file || !fromText || !toText) {
  console.error('usage: node scripts/bench-profile.mjs PROFILE.cpuprofile FROM_US TO_US [--top N]');
  process.exit(2);
}
const top = Number(rest[rest.indexOf('--top') + 1]) || 25;
const [from, to] = [Number(fromText), Number(toText)];
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

/** Where a function lives, shortened: a package, a file of this repo, or V8's own categories. */
function place(frame) {
  const url = frame.url ?? '';
  if (!url) return frame.functionName || '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const repo = /\/(main|preload|test)\/(.+)$/.exec(url);
  if (repo) return `${repo[1]}/${repo[2]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

const byFunction = new Map();
const byPlace = new Map();
let at = profile.startTime;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (at < from || at > to) continue;
  const node = nodes.get(profile.samples[i]);
  if (!node) continue;
  // Each sample stands for the time until the next one.
  const weight = (profile.timeDeltas[i + 1] ?? delta) / 1000;
  total += weight;
  const frame = node.callFrame;
  const name = `${frame.functionName || '(anonymous)'} ${place(frame)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + weight);
  const where = place(frame);
  byPlace.set(where, (byPlace.get(where) ?? 0) + weight);
}

const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [name, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
};
console.log(`window ${from}-${to} µs: ${((to - from) / 1000).toFixed(0)} ms wall, ${total.toFixed(0)} ms sampled on the main thread`);
print('self time by file or package', byPlace);
print('self time by function', byFunction);
