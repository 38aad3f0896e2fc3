#!/usr/bin/env node
// The package's `keyring` command (`npx keyring …` from the repo): runs the built CLI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(built)) {
  process.stderr.write('keyring: not built yet; run `npm run build` first.\n');
  process.exit(1);
}
await import(built);
