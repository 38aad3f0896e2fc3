/**
 * A stranger on the same real server sends juliet a message nested 3000 deep (21 KB; Prosody's c2s
 * stanza limit is 256 KiB). What the server does with it is measured here, not assumed: if it relays
 * it, the app drops it with one log line (main/xmpp/stream-reader.ts, point 4), with the stream log on,
 * and stays online reading what follows. The fake-server version, where the stanza certainly arrives:
 * test/unit/xmpp/hostile-stream.test.ts. (A character reference XML forbids never comes through a real
 * server: it closes the sender's stream instead; that case is tested against the fake server only.)
 */
import { expect, inject, it } from 'vitest';
import { AppEvents } from '../../main/events.js';
import { silentLogger, type Logger } from '../../main/logger.js';
import { NS } from '../../main/xmpp/namespaces.js';
import { AccountSession } from '../../main/xmpp/session.js';
import { freshAccount } from '../support/accounts.js';
import { connectActor, until } from '../support/scenario.js';
import { collectUncaught } from '../support/uncaught.js';

const DEPTH = 3000;

const uncaught = collectUncaught();

interface RawWriter {
  write(text: string): Promise<void>;
}

it('prosody: a 3000-deep message from a stranger is dropped with one line, and the next message is read', async () => {
  const server = inject('prosody');
  const params = await freshAccount('juliet', 'capulet.lit', server);
  const warnings: string[] = [];
  const log: Logger = { ...silentLogger, warn: (m) => warnings.push(m) };
  const lines: string[] = [];
  const juliet = new AccountSession({ events: new AppEvents(), log, streamLog: { write: (l) => lines.push(l) } });
  await juliet.connect(params);
  const mallory = await connectActor('mallory', 'capulet.lit', server);
  try {
    const to = juliet.state.boundJid ?? params.jid;
    const deep =
      `<message to='${to}' id='deep'><event xmlns='${NS.pubsubEvent}'><items node='${NS.pubkey}'>` +
      `<item id='x'>${'<a>'.repeat(DEPTH)}${'</a>'.repeat(DEPTH)}</item></items></event></message>`;
    // Written as text: building it as an element would walk it 3000 deep on the sender's side too.
    await (mallory.session.client.entity as unknown as RawWriter).write(deep);
    await (mallory.session.client.entity as unknown as RawWriter).write(`<message to='${to}' id='after-deep'><body>still there?</body></message>`);
    await until(() => lines.some((l) => l.includes(' IN ') && l.includes('after-deep')), 'the message after the deep one');
    expect(uncaught()).toEqual([]);
    expect(juliet.state.status).toBe('online');
    // Measured on Prosody 0.12.3: it relays the deep message whole; the app drops it.
    expect(warnings.filter((w) => w.includes('nested deeper'))).toEqual([`dropped a <message> from ${mallory.session.state.boundJid ?? ''}: nested deeper than 64 levels`]);
    expect(lines.filter((l) => l.includes("id=\"deep\""))).toEqual([]);
  } finally {
    await mallory.session.disconnect().catch(() => undefined);
    await juliet.disconnect().catch(() => undefined);
  }
}, 60_000);
