#!/usr/bin/env node
// The package's `keyring` command (`npx keyring …` from the repo): runs the built CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { JIT_FLAGS } from './host-v8-flags.mjs';

const built = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(built)) {
  process.stderr.write('keyring: not built yet; run `npm run build` first.\n');
  process.exit(1);
}
// Before the CLI's code is loaded, so every function it compiles tiers up on these settings (host-v8-flags.mjs).
for (const flag of JIT_FLAGS) setFlagsFromString(flag);
await import(built);
