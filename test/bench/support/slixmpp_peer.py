#!/usr/bin/python3
"""slixmpp (Debian's python3-slixmpp) as the benchmark's peer client: the same server, the same contacts,
in the same run as the app (test/bench/support/slixmpp-peer.ts drives it).

It signs in every account it is given, says so, then runs one command per line read on stdin and answers
each with one JSON line on stdout, until stdin closes or says quit.

  env:   XMPP_HOST, XMPP_PORT, XMPP_CA_FILE (the bench's test CA), BENCH_ACCOUNTS (JSON list of
         {"jid", "password", "notify": [node…]}; "notify" adds XEP-0163 +notify interests, sent in
         XEP-0115 caps with the initial presence)
  out:   {"event": "ready", "tls": [...], "signInCpuMs"} once every account is online (signInCpuMs: this
         process's CPU from connecting to that moment), then one line per command:
  fetch  {client, node, jids, concurrency}  XEP-0060 §6.5.2 items of `node` at every JID; concurrency 0
         = every request in flight at once. Answers wall time, this process's CPU time
         (getrusage: user + system) and the stanzas sent and received in that window.
  roster {client}  RFC 6121 §2.2 the whole roster, as slixmpp gets it (get_roster, into its roster store):
         wall time, this process's CPU time, the number of items.
  notify {receiver, node, rounds: [{publisher, id, xml, previous}], warmup}  per round, the publisher
         publishes the item on its own node, timed to the receiver's 'pubsub_publish' event; then it
         retracts `previous` (untimed), as in a key rotation.

The connection is the interop tests' (test/support/interop/slixmpp_driver.py): its Driver class registers
the plugins and turns every TLS, authentication or connection failure into a reason. TLS: STARTTLS is
required, and slixmpp verifies the chain and the host name (ssl.create_default_context, check_hostname,
CERT_REQUIRED) with XMPP_CA_FILE loaded; the ready line reports what the TLS layer checked.
"""
import asyncio
import json
import os
import resource
import ssl
import sys
import time
from xml.etree import ElementTree

# Imported, not run: keep Python from writing a __pycache__ into the tests' folder.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'support', 'interop'))
from slixmpp_driver import Driver  # noqa: E402  (after the path is set)

TIMEOUT_S = 60
NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event'


def cpu_ms():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime) * 1000


class Peer(Driver):
    """One signed-in account. It counts the stanzas it sends and receives (top-level elements)."""

    def __init__(self, jid, password, notify):
        super().__init__(jid, password, [])
        self.ready = asyncio.get_event_loop().create_future()
        self.sent = {}
        self.received = {}
        self.add_filter('out', self.count_out)
        self.add_filter('in', self.count_in)
        self.notify = notify
        if notify:
            self.register_plugin('xep_0115')
        self.published = {}
        self.retracted = {}
        self.add_event_handler('pubsub_publish', self.on_publish)
        self.add_event_handler('pubsub_retract', self.on_retract)

    def count_out(self, stanza):
        self.sent[stanza.name] = self.sent.get(stanza.name, 0) + 1
        return stanza

    def count_in(self, stanza):
        self.received[stanza.name] = self.received.get(stanza.name, 0) + 1
        return stanza

    async def on_session_start(self, _event):
        if self.notify:
            # XEP-0163 §4: +notify features, advertised in XEP-0115 caps with the initial presence. Added
            # once bound: slixmpp keeps disco features per JID, and the full JID is known only now.
            for node in self.notify:
                self['xep_0030'].add_feature(f'{node}+notify')
            await self['xep_0115'].update_caps(broadcast=False)
        # RFC 6121 §4.2 initial presence, as the app sends at sign-in.
        self.send_presence()
        if not self.ready.done():
            self.ready.set_result(True)

    def fail(self, message):
        super().fail(message)
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(f'{self.boundjid.bare}: {message}'))

    def tls(self):
        ssl_object = self.transport.get_extra_info('ssl_object') if self.transport else None
        if ssl_object is None:
            return {'jid': self.boundjid.bare, 'encrypted': False}
        context = ssl_object.context
        subject = dict(part[0] for part in ssl_object.getpeercert().get('subject', ()))
        return {
            'jid': self.boundjid.bare,
            'encrypted': True,
            'version': ssl_object.version(),
            'verified': context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname,
            'peer': subject.get('commonName'),
        }

    # The item ids are read from the XML: slixmpp's own handler is iterating the same stanza object when
    # it raises these events, and a second iteration of it would reset its position (a loop forever).
    def on_publish(self, message):
        self.settle(self.published, message.xml.iter(f'{{{NS_PUBSUB_EVENT}}}item'))

    def on_retract(self, message):
        self.settle(self.retracted, message.xml.iter(f'{{{NS_PUBSUB_EVENT}}}retract'))

    @staticmethod
    def settle(waiting, elements):
        at = time.perf_counter()
        for element in elements:
            waiter = waiting.pop(element.get('id'), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(at)


async def fetch(peer, node, jids, concurrency):
    pubsub = peer['xep_0060']
    sent, received = dict(peer.sent), dict(peer.received)
    ok, failed = 0, []

    async def one(jid):
        nonlocal ok
        try:
            iq = await pubsub.get_items(jid, node, timeout=TIMEOUT_S)
            if len(iq['pubsub']['items']) == 1:
                ok += 1
            else:
                failed.append(f'{jid}: {len(iq["pubsub"]["items"])} items')
        except Exception as error:  # an IqError or IqTimeout is a failed fetch, counted and named
            failed.append(f'{jid}: {error!r}')

    cpu_before = cpu_ms()
    started = time.perf_counter()
    if concurrency <= 0:
        await asyncio.gather(*(one(jid) for jid in jids))
    else:
        queue = list(reversed(jids))

        async def lane():
            while queue:
                await one(queue.pop())

        await asyncio.gather(*(lane() for _ in range(min(concurrency, len(jids)))))
    wall_ms = (time.perf_counter() - started) * 1000
    cpu = cpu_ms() - cpu_before
    delta = lambda after, before: {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
    return {
        'wallMs': wall_ms,
        'cpuMs': cpu,
        'ok': ok,
        'failed': failed[:5],
        'failedCount': len(failed),
        'sent': delta(peer.sent, sent),
        'received': delta(peer.received, received),
    }


async def roster(peer):
    # The whole roster each time, as the app asks it: no cached version to compare (RFC 6121 §2.6.3).
    peer.client_roster.version = ''
    cpu_before = cpu_ms()
    started = time.perf_counter()
    iq = await peer.get_roster(timeout=TIMEOUT_S)
    wall_ms = (time.perf_counter() - started) * 1000
    return {'wallMs': wall_ms, 'cpuMs': cpu_ms() - cpu_before, 'items': len(iq['roster']['items'])}


async def notify(receiver, node, rounds, warmup):
    loop = asyncio.get_event_loop()
    result = {'pepMs': [], 'answeredMs': []}
    for index, round_ in enumerate(rounds):
        publisher = round_['publisher']
        pubsub = publisher['xep_0060']
        owner = publisher.boundjid.bare
        payload = ElementTree.fromstring(round_['xml'])
        arrived = loop.create_future()
        receiver.published[round_['id']] = arrived
        sent_at = time.perf_counter()
        await pubsub.publish(owner, node, id=round_['id'], payload=payload, timeout=TIMEOUT_S)
        answered_at = time.perf_counter()
        try:
            notified_at = await asyncio.wait_for(arrived, 10)
        except asyncio.TimeoutError:
            raise RuntimeError(f'round {index}: no notification from {owner} reached {receiver.boundjid.bare} within 10 s')
        if index >= warmup:
            result['pepMs'].append((notified_at - sent_at) * 1000)
            result['answeredMs'].append((answered_at - sent_at) * 1000)
        # Key rotation, untimed: the publisher's first key is retracted, as on the app's side.
        gone = loop.create_future()
        receiver.retracted[round_['previous']] = gone
        await pubsub.retract(owner, node, round_['previous'], notify=True, timeout=TIMEOUT_S)
        await asyncio.wait_for(gone, 10)
        await asyncio.sleep(0.025)
    return result


async def read_lines():
    loop = asyncio.get_event_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            return
        yield line


def say(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


async def main():
    env = os.environ
    peers = [Peer(a['jid'], a['password'], a.get('notify', [])) for a in json.loads(env['BENCH_ACCOUNTS'])]
    # From here to 'ready': the sign-in's own CPU (TLS, SASL, bind, initial presence), imports excluded.
    cpu_before = cpu_ms()
    for peer in peers:
        peer.ca_certs = env['XMPP_CA_FILE']
        # RFC 6120 §5.3.1: STARTTLS, required (slixmpp's default force_starttls=True).
        peer.connect((env['XMPP_HOST'], int(env['XMPP_PORT'])), use_ssl=False, force_starttls=True, disable_starttls=False)
    try:
        await asyncio.wait_for(asyncio.gather(*(p.ready for p in peers)), TIMEOUT_S)
    except Exception as error:
        say({'event': 'failed', 'error': str(error) or repr(error)})
        return 1
    say({'event': 'ready', 'tls': [p.tls() for p in peers], 'signInCpuMs': cpu_ms() - cpu_before})
    async for line in read_lines():
        command = json.loads(line)
        op = command.get('op')
        try:
            if op == 'quit':
                break
            if op == 'fetch':
                answer = await fetch(peers[command['client']], command['node'], command['jids'], command['concurrency'])
            elif op == 'roster':
                answer = await roster(peers[command['client']])
            elif op == 'notify':
                rounds = [{**r, 'publisher': peers[r['publisher']]} for r in command['rounds']]
                answer = await notify(peers[command['receiver']], command['node'], rounds, command['warmup'])
            else:
                raise RuntimeError(f'unknown command {op!r}')
            say({'event': 'done', 'result': answer})
        except Exception as error:  # the bench gets the reason and stops
            say({'event': 'error', 'error': str(error) or repr(error)})
    for peer in peers:
        await peer.disconnect()
    return 0


if __name__ == '__main__':
    sys.exit(asyncio.get_event_loop().run_until_complete(main()))
