#!/usr/bin/python3
"""slixmpp (Debian's python3-slixmpp) as a second, independent client for the interop tests.

It signs in, runs the steps it is given, prints one JSON document on stdout and exits.

  env:  XMPP_JID, XMPP_PASSWORD, XMPP_HOST, XMPP_PORT, XMPP_CA_FILE (the test CA: the only one trusted)
  argv: one JSON object per step, e.g. '{"op": "read-avatar", "jid": "juliet@capulet.lit"}'
  out:  {"ok": true, "steps": [<one result per step>]} or {"ok": false, "error": "..."} (exit 1)

Steps:
  items          {jid, node, itemId?}              raw items (XML text), to capture what a server holds
  read-avatar    {jid}                             XEP-0084: metadata, then the data it names, with SHA-1
  read-nick      {jid}                             XEP-0172: the nickname
  read-pubkeys   {jid, node}                       the app's X.509 key items, each certificate parsed by
                                                   python3-cryptography (not by the code under test)
  publish-avatar {file, type, width, height, access?}  XEP-0084 §4.1 data then §4.2 metadata
  approve        {jid}                             RFC 6121 §3.1.4: approve jid's subscription request
  publish-python-omemo {deviceId, label}           one device made by python-omemo (python3-twomemo and
                                                   python3-oldmemo, the library behind slixmpp-omemo),
                                                   announced in both XEP-0384 namespaces with its own
                                                   serialisers; open access, as XEP-0384 requires

Another client of the same account changing the account's own node behind the app's back (drift,
docs/drift.md); the JID is the account's own, XMPP_JID:
  configure      {node, fields}                    XEP-0060 §8.2.4 owner configure with these node_config
                                                   fields, e.g. {"pubsub#access_model": "open"}
  republish-wipe {node, itemId, payload}           publish one item (payload: XML text) the way clients that
                                                   keep one item per node do: publish-options max_items 1
                                                   (§7.1.5); when the server refuses that, owner-configure
                                                   max_items 1 and publish again. Says which way it went.
  add-member     {node, member}                    §8.9.2: make member a member of the node

TLS: STARTTLS is required and slixmpp verifies the chain and the host name (ssl.create_default_context,
check_hostname) against XMPP_CA_FILE only. Nothing here turns verification off.
"""
import asyncio
import base64
import hashlib
import json
import os
import sys
import xml.etree.ElementTree as ET

from slixmpp import ClientXMPP
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream import tostring

NS_AVATAR_METADATA = 'urn:xmpp:avatar:metadata'
NS_AVATAR_DATA = 'urn:xmpp:avatar:data'
NS_NICK = 'http://jabber.org/protocol/nick'
XMPP_ADDR_OID = '1.3.6.1.5.5.7.8.5'  # RFC 6120 §13.7.1.4 id-on-xmppAddr
TIMEOUT_S = 20


class StepError(Exception):
    pass


def iq_error_text(error):
    if isinstance(error, IqTimeout):
        return 'timeout'
    iq = error.iq
    return f"{iq['error']['type']}/{iq['error']['condition']}: {iq['error']['text']}".rstrip(': ')


class Driver(ClientXMPP):
    def __init__(self, jid, password, steps):
        super().__init__(jid, password)
        self.steps = steps
        self.results = []
        self.error = None
        self.done = asyncio.get_event_loop().create_future()
        for plugin in ('xep_0004', 'xep_0030', 'xep_0060', 'xep_0163', 'xep_0084', 'xep_0172'):
            self.register_plugin(plugin)
        self.add_event_handler('session_start', self.on_session_start)
        self.add_event_handler('failed_auth', lambda *_: self.fail('authentication failed'))
        self.add_event_handler('ssl_invalid_chain', lambda e: self.fail(f'TLS certificate not trusted: {e}'))
        self.add_event_handler('connection_failed', lambda e: self.fail(f'connection failed: {e}'))
        self.add_event_handler('disconnected', lambda *_: self.fail('disconnected before the steps finished'))

    def fail(self, message):
        if not self.done.done():
            self.error = message
            self.done.set_result(False)

    async def on_session_start(self, _event):
        try:
            for step in self.steps:
                self.results.append(await self.run_step(step))
        except StepError as error:
            self.fail(f'{self.steps[len(self.results)].get("op")}: {error}')
        except (IqError, IqTimeout) as error:
            self.fail(f'{self.steps[len(self.results)].get("op")}: {iq_error_text(error)}')
        except Exception as error:  # anything else a step raises ends the run with its reason
            self.fail(f'{self.steps[len(self.results)].get("op")}: {error!r}')
        if not self.done.done():
            self.done.set_result(True)

    async def run_step(self, step):
        op = step.get('op')
        if op == 'items':
            return await self.items(step['jid'], step['node'], step.get('itemId'))
        if op == 'read-avatar':
            return await self.read_avatar(step['jid'])
        if op == 'read-nick':
            return await self.read_nick(step['jid'])
        if op == 'read-pubkeys':
            return await self.read_pubkeys(step['jid'], step['node'])
        if op == 'publish-avatar':
            return await self.publish_avatar(step)
        if op == 'publish-python-omemo':
            return await self.publish_python_omemo(step['deviceId'], step.get('label'))
        if op == 'configure':
            await self.configure(step['node'], step['fields'])
            return {}
        if op == 'publish-item':
            # XEP-0060 §7.1.2: a publish under an existing ItemID replaces that item; the node's
            # configuration is left as it is.
            await self['xep_0060'].publish(self.boundjid.bare, step['node'], id=step['itemId'], payload=ET.fromstring(step['payload']), timeout=TIMEOUT_S)
            return {}
        if op == 'republish-wipe':
            return await self.republish_wipe(step['node'], step['itemId'], step['payload'])
        if op == 'add-member':
            await self['xep_0060'].modify_affiliations(self.boundjid.bare, step['node'], [(step['member'], 'member')], timeout=TIMEOUT_S)
            return {}
        if op == 'approve':
            self.send_presence(pto=step['jid'], ptype='subscribed')
            # A ping round trip: the server has handled the presence before the driver signs off.
            await self['xep_0030'].get_info(jid=self.boundjid.domain, timeout=TIMEOUT_S)
            return {}
        raise StepError(f'unknown step {op!r}')

    async def items(self, jid, node, item_id=None):
        pubsub = self['xep_0060']
        if item_id is None:
            iq = await pubsub.get_items(jid, node, timeout=TIMEOUT_S)
        else:
            iq = await pubsub.get_item(jid, node, item_id, timeout=TIMEOUT_S)
        return {'items': [{'id': item['id'], 'xml': tostring(item.xml)} for item in iq['pubsub']['items']]}

    async def read_avatar(self, jid):
        # XEP-0084 §4.3: read the metadata, then fetch the data item it names by id.
        iq = await self['xep_0060'].get_items(jid, NS_AVATAR_METADATA, max_items=1, timeout=TIMEOUT_S)
        items = list(iq['pubsub']['items'])
        if not items:
            raise StepError('no avatar metadata item')
        infos = items[0].xml.findall(f'{{{NS_AVATAR_METADATA}}}metadata/{{{NS_AVATAR_METADATA}}}info')
        if not infos:
            raise StepError('avatar metadata without <info/>')
        info = infos[0].attrib
        data_iq = await self['xep_0084'].retrieve_avatar(jid, info['id'], timeout=TIMEOUT_S)
        data_items = list(data_iq['pubsub']['items'])
        if not data_items:
            raise StepError(f'no avatar data item {info["id"]}')
        data_el = data_items[0].xml.find(f'{{{NS_AVATAR_DATA}}}data')
        data = base64.b64decode((data_el.text or '').strip(), validate=True)
        return {
            'id': info.get('id'),
            'type': info.get('type'),
            'bytes': int(info.get('bytes', '-1')),
            'width': int(info['width']) if 'width' in info else None,
            'height': int(info['height']) if 'height' in info else None,
            'dataItemId': data_items[0]['id'],
            'sha1': hashlib.sha1(data).hexdigest(),
            'size': len(data),
            'dataBase64': base64.b64encode(data).decode('ascii'),
        }

    async def read_nick(self, jid):
        iq = await self['xep_0060'].get_items(jid, NS_NICK, max_items=1, timeout=TIMEOUT_S)
        items = list(iq['pubsub']['items'])
        if not items:
            raise StepError('no nickname item')
        nick = items[0].xml.find(f'{{{NS_NICK}}}nick')
        return {'id': items[0]['id'], 'nick': None if nick is None else nick.text}

    async def read_pubkeys(self, jid, node):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        iq = await self['xep_0060'].get_items(jid, node, timeout=TIMEOUT_S)
        keys = []
        for item in iq['pubsub']['items']:
            cert_el = item.xml.find(f'{{{node}}}key/{{{node}}}x509cert')
            if cert_el is None:
                keys.append({'id': item['id'], 'problem': 'no <key><x509cert/></key>'})
                continue
            der = base64.b64decode(''.join((cert_el.text or '').split()), validate=True)
            cert = x509.load_der_x509_certificate(der)
            xmpp_addrs = []
            try:
                san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
                for other in san.get_values_for_type(x509.OtherName):
                    if other.type_id.dotted_string == XMPP_ADDR_OID:
                        xmpp_addrs.append(decode_der_utf8(other.value))
            except x509.ExtensionNotFound:
                pass
            keys.append({
                'id': item['id'],
                'sha256': cert.fingerprint(hashes.SHA256()).hex(),
                'subject': cert.subject.rfc4514_string(),
                'notBefore': cert.not_valid_before.isoformat() + 'Z',
                'notAfter': cert.not_valid_after.isoformat() + 'Z',
                'publicKeyBits': cert.public_key().key_size,
                'xmppAddrs': xmpp_addrs,
            })
        return {'keys': keys}

    async def publish_avatar(self, step):
        with open(step['file'], 'rb') as f:
            data = f.read()
        options = self.access_options(step.get('access'))
        avatar = self['xep_0084']
        avatar_id = avatar.generate_id(data)
        # XEP-0084 §4.1 data first, §4.2 then the metadata that points at it.
        await avatar.publish_avatar(data, options=options, timeout=TIMEOUT_S)
        await avatar.publish_avatar_metadata(
            # slixmpp writes these as XML attributes as given: they must be strings already.
            {'id': avatar_id, 'type': step['type'], 'bytes': str(len(data)), 'width': str(step.get('width', '')), 'height': str(step.get('height', ''))},
            options=options,
            timeout=TIMEOUT_S,
        )
        return {'id': avatar_id, 'bytes': len(data)}

    async def publish_python_omemo(self, device_id, label):
        import secrets

        import oldmemo.etree
        import oldmemo.oldmemo
        import twomemo.etree
        import twomemo.twomemo
        import x3dh
        import xeddsa
        from x3dh.identity_key_pair import IdentityKeyPairSeed

        # One identity for both versions, as python-omemo keeps it (omemo.IdentityKeyPair): its
        # X3DH states are made the way twomemo and oldmemo make them, with 30 prekeys each.
        identity = IdentityKeyPairSeed(secrets.token_bytes(32))
        jid = self.boundjid.bare
        published = {}
        for version, module, etree in (('omemo2', twomemo.twomemo, twomemo.etree), ('axolotl', oldmemo.oldmemo, oldmemo.etree)):
            state = module.StateImpl.create(x3dh.IdentityKeyFormat.ED_25519, x3dh.HashFunction.SHA_256, module.StateImpl.INFO, identity)
            state.generate_pre_keys(30)
            bundle = state.bundle
            pre_key_ids = {key: number for number, key in enumerate(sorted(bundle.pre_keys), start=1)}
            serialized = etree.serialize_bundle(module.BundleImpl(jid, device_id, bundle, 1, pre_key_ids))
            published[version] = bundle.identity_key
            if version == 'omemo2':
                devices = etree.serialize_device_list({device_id: label})
                devices_node, bundle_node, bundle_item = 'urn:xmpp:omemo:2:devices', 'urn:xmpp:omemo:2:bundles', str(device_id)
            else:
                devices = etree.serialize_device_list({device_id: None})
                devices_node = 'eu.siacs.conversations.axolotl.devicelist'
                bundle_node, bundle_item = f'eu.siacs.conversations.axolotl.bundles:{device_id}', 'current'
            options = self.access_options('open')
            # XEP-0384 §5.3.2: the bundle first, then the device list that points at it.
            await self['xep_0060'].publish(jid, bundle_node, id=bundle_item, payload=serialized, options=options, timeout=TIMEOUT_S)
            await self['xep_0060'].publish(jid, devices_node, id='current', payload=devices, options=options, timeout=TIMEOUT_S)
        ed25519 = published['omemo2']
        return {
            'ed25519': ed25519.hex(),
            # python-xeddsa's own conversion: the fingerprint every client should show for this device.
            'curve25519': xeddsa.ed25519_pub_to_curve25519_pub(ed25519).hex(),
        }

    async def configure(self, node, fields):
        # XEP-0060 §8.2.4: the owner submits the node_config form; fields left out keep their value.
        form = self.form('http://jabber.org/protocol/pubsub#node_config', fields)
        await self['xep_0060'].set_node_config(self.boundjid.bare, node, form, timeout=TIMEOUT_S)

    async def republish_wipe(self, node, item_id, payload):
        pubsub = self['xep_0060']
        own = self.boundjid.bare
        options = self.form('http://jabber.org/protocol/pubsub#publish-options', {'pubsub#max_items': '1'})
        try:
            await pubsub.publish(own, node, id=item_id, payload=ET.fromstring(payload), options=options, timeout=TIMEOUT_S)
            return {'path': 'publish-options'}
        except IqError as error:
            # Prosody 0.12: precondition-not-met; ejabberd 23.01: resource-constraint (unknown field).
            refused = iq_error_text(error)
        await self.configure(node, {'pubsub#max_items': '1'})
        await pubsub.publish(own, node, id=item_id, payload=ET.fromstring(payload), timeout=TIMEOUT_S)
        return {'path': 'configure-then-publish', 'refused': refused}

    def form(self, form_type, fields):
        form = self['xep_0004'].make_form(ftype='submit')
        form.add_field(var='FORM_TYPE', ftype='hidden', value=form_type)
        for var, value in fields.items():
            if isinstance(value, bool):
                form.add_field(var=var, ftype='boolean', value=value)
            elif isinstance(value, list):
                form.add_field(var=var, ftype='list-multi', value=value)
            else:
                form.add_field(var=var, value=str(value))
        return form

    def access_options(self, access):
        if access is None:
            return None
        # XEP-0060 §7.1.5 publish-options (XEP-0223 style): the node's access model as a precondition.
        form = self['xep_0004'].make_form(ftype='submit')
        form.add_field(var='FORM_TYPE', ftype='hidden', value='http://jabber.org/protocol/pubsub#publish-options')
        form.add_field(var='pubsub#access_model', value=access)
        return form


def decode_der_utf8(value):
    """An otherName value is a DER UTF8String (tag 12) with a short or long length."""
    if len(value) < 2 or value[0] != 0x0C:
        return None
    length, at = value[1], 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(value[2:2 + count], 'big')
        at = 2 + count
    return value[at:at + length].decode('utf-8', 'replace')


async def main():
    env = os.environ
    steps = [json.loads(arg) for arg in sys.argv[1:]]
    driver = Driver(env['XMPP_JID'], env['XMPP_PASSWORD'], steps)
    driver.ca_certs = env['XMPP_CA_FILE']
    # RFC 6120 §5.3.1: STARTTLS, required (slixmpp's default force_starttls=True).
    driver.connect((env['XMPP_HOST'], int(env['XMPP_PORT'])), use_ssl=False, force_starttls=True, disable_starttls=False)
    try:
        ok = await asyncio.wait_for(driver.done, timeout=TIMEOUT_S * 2)
    except asyncio.TimeoutError:
        ok, driver.error = False, 'timed out'
    await driver.disconnect()
    if ok:
        print(json.dumps({'ok': True, 'steps': driver.results}))
    else:
        print(json.dumps({'ok': False, 'error': driver.error}))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(asyncio.get_event_loop().run_until_complete(main()))
