/** Vitest global setup for the integration project: one real Prosody for the whole run. */
import type { TestProject } from 'vitest/node';
import { startProsody } from './prosody.js';
import type { ServerInfo } from './xmpp-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    prosody: ServerInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startProsody();
  project.provide('prosody', server.info);
  return () => server.stop();
}
