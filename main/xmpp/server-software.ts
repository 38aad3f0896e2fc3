/**
 * XEP-0092 §2: which server software the account's server runs. The answer is the server's own word
 * (hostile at worst): cleaned, bounded, and used only to look up behaviour measured on that software
 * (notification-behaviour.ts), never to decide anything about security.
 */
import { xml } from '@xmpp/client';
import type { Iq } from './iq-requests.js';
import { NS } from './namespaces.js';
import { cleanText } from '../untrusted-text.js';

export interface ServerSoftware {
  name: string;
  version: string;
}

/** The question is a courtesy: a server without mod_version, or a slow one, must not hold up the report. */
const VERSION_TIMEOUT_MS = 5_000;

export async function querySoftwareVersion(iq: Iq, domain: string): Promise<ServerSoftware | undefined> {
  try {
    const query = await iq.get(xml('query', { xmlns: NS.version }), domain, VERSION_TIMEOUT_MS);
    const name = cleanText(query?.getChildText('name'), 64);
    const version = cleanText(query?.getChildText('version'), 64);
    return name && version ? { name, version } : undefined;
  } catch {
    // XEP-0092 is optional (service-unavailable, or no answer): the report says "unknown" instead.
    return undefined;
  }
}
