#!/usr/bin/python3
"""python-nbxmpp (Debian's python3-nbxmpp, the XMPP library Gajim is built on) for the interop tests.

It signs in, runs the steps it is given one after another through nbxmpp's own modules (the calls Gajim
makes), prints one JSON document on stdout and exits.

  env:  XMPP_JID, XMPP_PASSWORD, XMPP_HOST, XMPP_PORT, XMPP_CA_FILE (the test CA: the only one trusted)
  argv: one JSON object per step, e.g. '{"op": "read-profile", "jid": "juliet@capulet.lit"}'
  out:  {"ok": true, "steps": [<one result per step>]} or {"ok": false, "error": "..."} (exit 1)

Steps (access: "open" or "presence", nbxmpp's public=True/False):
  publish-vcard        {fn, nickname?, emails?, note?, org?, access}   VCard4.set_vcard (XEP-0292)
  publish-nick         {nick, access}                                  Nickname.set_nickname (XEP-0172)
  publish-avatar       {file, type, width, height, access}             UserAvatar.set_avatar (XEP-0084)
  publish-omemo-devices {deviceIds, access}                            OMEMO.set_devicelist (axolotl node)
  publish-omemo-bundle {deviceId, access}                              OMEMO.set_bundle with fresh keys
  read-profile         {jid}                                           VCard4.request_vcard, the nick node,
                                                                       UserAvatar metadata + data (nbxmpp
                                                                       checks the data's SHA-1 itself)

TLS: GLib's TLS backend gets a file database holding only XMPP_CA_FILE as its default, so GIO verifies
the server's chain and name against the test CA. No TLS error is ignored or accepted.
"""
import base64
import hashlib
import json
import os
import sys

import gi

gi.require_version('Gio', '2.0')
gi.require_version('GLib', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

from nbxmpp.client import Client  # noqa: E402
from nbxmpp.const import ConnectionProtocol, ConnectionType, StreamState  # noqa: E402
from nbxmpp.modules.user_avatar import Avatar  # noqa: E402
from nbxmpp.modules.vcard4 import VCard  # noqa: E402
from nbxmpp.namespaces import Namespace  # noqa: E402
from nbxmpp.structs import OMEMOBundle  # noqa: E402

TIMEOUT_S = int(os.environ.get("INTEROP_TIMEOUT_S", "40"))
PRIME = 2 ** 255 - 19  # RFC 7748 §4.1: the field of Curve25519 and Ed25519


def plain(prop):
    """A vCard property as JSON: its fields, without nbxmpp's parameter objects."""
    return {k: v for k, v in vars(prop).items() if k not in ('name', 'parameters')}


def signal_bundle_keys(device_id):
    """A fresh identity key, signed prekey and 30 prekeys in the eu.siacs.conversations.axolotl wire form.

    libsignal serialises a Curve25519 public key as 0x05 + the 32-byte u coordinate, and signs the
    serialised signed prekey with the identity key the XEdDSA way: an Ed25519 signature whose last byte
    carries the sign bit of the Edwards form of the key (libsignal's curve25519_verify reads it there).
    The identity key here is made as an Ed25519 key and shown in its Curve25519 form, u = (1 + y) / (1 - y)
    (RFC 7748 §4.1), so a reader can check the signature the way Conversations and Gajim do.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = lambda key: key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)  # noqa: E731
    identity = Ed25519PrivateKey.generate()
    ed_public = raw(identity)
    y = int.from_bytes(ed_public, 'little') & ((1 << 255) - 1)
    u = (1 + y) * pow(1 - y, PRIME - 2, PRIME) % PRIME
    identity_curve = b'\x05' + u.to_bytes(32, 'little')
    signed_prekey = b'\x05' + raw(X25519PrivateKey.generate())
    signature = bytearray(identity.sign(signed_prekey))
    signature[63] |= ed_public[31] & 0x80
    prekeys = [{'id': i, 'key': b'\x05' + raw(X25519PrivateKey.generate())} for i in range(1, 31)]
    bundle = OMEMOBundle(spk={'id': 1, 'key': signed_prekey}, spk_signature=bytes(signature), ik=identity_curve, otpks=prekeys)
    return bundle, identity_curve[1:].hex()


class Driver:
    def __init__(self, env, steps):
        local, domain = env['XMPP_JID'].split('@', 1)
        self.steps = steps
        self.results = []
        self.error = None
        # nbxmpp holds task callbacks weakly (Task.add_done_callback): keep them alive here.
        self.callbacks = []
        self.loop = GLib.MainLoop()
        self.client = Client(log_context='interop')
        self.client.set_domain(domain)
        self.client.set_username(local)
        self.client.set_password(env['XMPP_PASSWORD'])
        self.client.set_resource('nbxmpp-interop')
        # RFC 6120 §5: STARTTLS on the given host and port, never a plain connection.
        self.client.set_custom_host(f"{env['XMPP_HOST']}:{env['XMPP_PORT']}", ConnectionProtocol.TCP, ConnectionType.START_TLS)
        self.client.subscribe('connected', self.on_connected)
        self.client.subscribe('connection-failed', self.on_failed)
        self.client.subscribe('disconnected', self.on_disconnected)

    def run(self):
        GLib.timeout_add_seconds(TIMEOUT_S, self.on_timeout)
        self.client.connect()
        self.loop.run()
        return self.error is None

    def on_timeout(self):
        self.finish(f'timed out after step {len(self.results)}')
        return False

    def on_failed(self, client, _signal):
        self.finish(f'connection failed: {client.get_error()}')

    def on_disconnected(self, client, _signal):
        if len(self.results) < len(self.steps) and self.error is None:
            self.error = f'disconnected: {client.get_error()}'
        self.loop.quit()

    def finish(self, error=None):
        if error is not None and self.error is None:
            self.error = error
        if self.client.state == StreamState.DISCONNECTED:
            self.loop.quit()
        else:
            self.client.disconnect()

    def on_connected(self, client, _signal):
        _certificate, errors = client.peer_certificate
        if errors:
            self.finish(f'TLS certificate errors: {errors}')
            return
        self.next_step()

    def next_step(self):
        if len(self.results) == len(self.steps):
            self.finish()
            return
        step = self.steps[len(self.results)]
        try:
            getattr(self, 'step_' + step['op'].replace('-', '_'))(step)
        except Exception as error:  # a step that cannot even start ends the run with its reason
            self.finish(f"{step['op']}: {error!r}")

    def then(self, shape=lambda result: {}):
        """The callback for an nbxmpp task: record the shaped result and go on, or stop with the error."""
        def callback(task):
            try:
                result = task.finish()
            except Exception as error:
                self.finish(f"{self.steps[len(self.results)]['op']}: {error}")
                return
            self.results.append(shape(result))
            self.next_step()
        return self.keep(callback)

    def keep(self, callback):
        self.callbacks.append(callback)
        return callback

    # Publishing, as Gajim does it.

    def step_publish_vcard(self, step):
        vcard = VCard()
        vcard.add_property('fn', value=step['fn'])
        if step.get('nickname'):
            vcard.add_property('nickname', values=[step['nickname']])
        for email in step.get('emails', []):
            vcard.add_property('email', value=email)
        if step.get('org'):
            vcard.add_property('org', values=[step['org']])
        if step.get('note'):
            vcard.add_property('note', value=step['note'])
        self.client.get_module('VCard4').set_vcard(vcard, public=step['access'] == 'open', callback=self.then())

    def step_publish_nick(self, step):
        self.client.get_module('Nickname').set_nickname(step['nick'], public=step['access'] == 'open', callback=self.then())

    def step_publish_avatar(self, step):
        with open(step['file'], 'rb') as f:
            data = f.read()
        avatar = Avatar()
        avatar.add_image_source(data, step['type'], step['height'], step['width'])
        sha = hashlib.sha1(data).hexdigest()
        self.client.get_module('UserAvatar').set_avatar(
            avatar, public=step['access'] == 'open', callback=self.then(lambda _r: {'id': sha, 'bytes': len(data)})
        )

    def step_publish_omemo_devices(self, step):
        self.client.get_module('OMEMO').set_devicelist(step['deviceIds'], public=step['access'] == 'open', callback=self.then())

    def step_publish_omemo_bundle(self, step):
        bundle, fingerprint = signal_bundle_keys(step['deviceId'])
        self.client.get_module('OMEMO').set_bundle(
            bundle,
            step['deviceId'],
            public=step['access'] == 'open',
            callback=self.then(lambda _r: {'fingerprint': fingerprint, 'identityKey': base64.b64encode(bundle.ik).decode()}),
        )

    # Reading someone's profile, as Gajim does it.

    def step_read_profile(self, step):
        jid = step['jid']
        profile = {}

        def got_vcard(task):
            try:
                vcard = task.finish()
            except Exception as error:
                self.finish(f'read-profile vcard: {error}')
                return
            profile['vcard'] = None if vcard is None else [dict(name=p.name, **plain(p)) for p in vcard.get_properties()]
            self.client.get_module('PubSub').request_items(Namespace.NICK, max_items=1, jid=jid, callback=got_nick)

        def got_nick(task):
            try:
                items = task.finish()
            except Exception as error:
                self.finish(f'read-profile nick: {error}')
                return
            nick = items[0].getTag('nick', namespace=Namespace.NICK) if items else None
            profile['nick'] = None if nick is None else nick.getData()
            self.client.get_module('UserAvatar').request_avatar_metadata(jid=jid, callback=got_metadata)

        def got_metadata(task):
            try:
                metadata = task.finish()
            except Exception as error:
                self.finish(f'read-profile avatar metadata: {error}')
                return
            if metadata is None or not metadata.infos:
                profile['avatar'] = None
                self.results.append(profile)
                self.next_step()
                return
            info = metadata.infos[0]
            profile['avatar'] = {'id': info.id, 'type': info.type, 'bytes': info.bytes, 'width': info.width, 'height': info.height}
            self.client.get_module('UserAvatar').request_avatar_data(info.id, jid=jid, callback=got_data)

        def got_data(task):
            try:
                data = task.finish()  # nbxmpp raises when the data's SHA-1 is not the id asked for
            except Exception as error:
                self.finish(f'read-profile avatar data: {error}')
                return
            profile['avatar'].update({'sha1': data.sha, 'size': len(data.data), 'dataBase64': base64.b64encode(data.data).decode()})
            self.results.append(profile)
            self.next_step()

        for callback in (got_vcard, got_nick, got_metadata, got_data):
            self.keep(callback)
        self.client.get_module('VCard4').request_vcard(jid=jid, callback=got_vcard)


def main():
    env = os.environ
    if env.get('INTEROP_DEBUG'):
        import logging
        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    # Trust exactly the test CA: GIO checks chain, validity and the server's name against it.
    Gio.TlsBackend.get_default().set_default_database(Gio.TlsFileDatabase.new(env['XMPP_CA_FILE']))
    steps = [json.loads(arg) for arg in sys.argv[1:]]
    driver = Driver(env, steps)
    ok = driver.run()
    if ok:
        print(json.dumps({'ok': True, 'steps': driver.results}))
    else:
        print(json.dumps({'ok': False, 'error': driver.error}))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
