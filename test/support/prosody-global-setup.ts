/** Vitest global setup for the integration project: one real Prosody for the whole run. */
import type { TestProject } from 'vitest/node';
import { startProsody } from './prosody.js';

export interface ProsodyInfo {
  host: string;
  port: number;
  caFile: string;
  configFile: string;
  domains: string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    prosody: ProsodyInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startProsody();
  project.provide('prosody', {
    host: server.host,
    port: server.port,
    caFile: server.caFile,
    configFile: server.configFile,
    domains: server.domains,
  });
  return () => server.stop();
}
