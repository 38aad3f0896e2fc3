/**
 * A see-other-host redirect injected before STARTTLS (anyone on the path can): the Account screen says
 * what was asked and that the app went nowhere else, in main's own words (main/xmpp/stream-errors.ts,
 * connection-errors.ts), never "the server answered in a way the app does not understand". Checked at
 * both sizes, light and dark, with axe.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { checkEveryLook, expect, openApp, signIn, test } from './fixtures';

/** Answers the client's stream header with a stream header and a redirect to `target`, and counts connections. */
async function redirector(target: () => string): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () =>
      socket.write(
        `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='capulet.lit' id='r' version='1.0'>` +
          `<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>${target()}</see-other-host></stream:error>`,
      ),
    );
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

test('a redirect before encryption: not followed, and the Account screen says so in a true sentence', async ({ page, browserHost, saveScreenshot }) => {
  test.setTimeout(120_000);
  let elsewhereConnections = 0;
  const elsewhere = createServer((socket) => {
    elsewhereConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  const elsewherePort = (elsewhere.address() as { port: number }).port;
  const { server, port } = await redirector(() => `127.0.0.1:${elsewherePort}`);
  try {
    await openApp(page, browserHost.url);
    await signIn(page, { jid: 'juliet@capulet.lit', password: 'not used', host: '127.0.0.1', port });
    const error = page.getByTestId('account-error');
    await expect(error).toContainText(
      `The connection to 127.0.0.1:${port} asked the app to go to another server (127.0.0.1:${elsewherePort}). The app does not follow redirects, so it connected nowhere else.`,
      { timeout: 10_000 },
    );
    await expect(error).not.toContainText('does not understand');
    // Never the refused address in the header: "Offline", with why, or an account an earlier test signed in on this shared host, offline.
    await expect(page.getByTestId('connection-label')).toHaveText('Offline');
    await expect(page.getByTestId('connection-status')).not.toContainText('juliet@capulet.lit');
    await checkEveryLook(page, 'account-redirect-refused', saveScreenshot);
    expect(elsewhereConnections).toBe(0);
  } finally {
    server.emit('close');
    server.close();
    elsewhere.close();
  }
});
