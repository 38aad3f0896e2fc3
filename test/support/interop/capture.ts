/**
 * The unit tests of the OMEMO and OpenPGP readers run on what real clients published, captured by the
 * interop tests: run them with CAPTURE_INTEROP_FIXTURES=<folder> and each reading is also written there
 * as the XEP-0060 `<items node='…'>` answer it came from, plus `expected.json` with what the clients
 * printed. test/fixtures/interop/ holds one such capture (see its README).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import xml from '@xmpp/xml';
import { NS } from '../../../main/xmpp/namespaces.js';
import type { RawItem } from '../../../main/xmpp/pubsub.js';

const folder = process.env.CAPTURE_INTEROP_FIXTURES;

/** Writes `<items xmlns=pubsub node=…><item id=…>payload</item>…</items>` as `<name>.xml`. */
export async function captureItems(name: string, node: string, items: readonly RawItem[]): Promise<void> {
  if (!folder) return;
  await mkdir(folder, { recursive: true });
  const element = xml(
    'items',
    { xmlns: NS.pubsub, node },
    ...items.map((i) => xml('item', { id: i.id }, i.payload)),
  );
  await writeFile(join(folder, `${name}.xml`), `${element.toString()}\n`);
}

/** Merges `values` into `expected.json`. */
export async function captureExpected(values: Record<string, unknown>): Promise<void> {
  if (!folder) return;
  await mkdir(folder, { recursive: true });
  const file = join(folder, 'expected.json');
  const before = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, unknown>;
  await writeFile(file, `${JSON.stringify({ ...before, ...values }, null, 2)}\n`);
}
