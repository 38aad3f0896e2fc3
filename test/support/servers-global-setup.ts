/**
 * Vitest global setup for the integration project: one real Prosody and one real ejabberd for the whole
 * run, started side by side and stopped at the end.
 */
import type { TestProject } from 'vitest/node';
import { startEjabberd } from './ejabberd.js';
import { startProsody } from './prosody.js';
import type { ServerInfo } from './xmpp-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    prosody: ServerInfo;
    ejabberd: ServerInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [prosody, ejabberd] = await Promise.allSettled([startProsody(), startEjabberd()]);
  if (prosody.status === 'rejected' || ejabberd.status === 'rejected') {
    if (prosody.status === 'fulfilled') await prosody.value.stop();
    if (ejabberd.status === 'fulfilled') await ejabberd.value.stop();
    throw prosody.status === 'rejected' ? prosody.reason : (ejabberd as PromiseRejectedResult).reason;
  }
  project.provide('prosody', prosody.value.info);
  project.provide('ejabberd', ejabberd.value.info);
  return async () => {
    await Promise.all([prosody.value.stop(), ejabberd.value.stop()]);
  };
}
