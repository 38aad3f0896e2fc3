/**
 * Servers named by an IP address. The app writes an IPv6 address in brackets wherever it names a server
 * (RFC 7622 §3.2 domainparts, Server host, --server, `xmpp://[2001:db8::1]:5222`, RFC 3986 §3.2.2); a
 * socket and TLS take the address without them.
 */
import { isIPv4, isIPv6 } from 'node:net';

/**
 * The IP address `host` is, as sockets write it: `[2001:db8::1]` → `2001:db8::1`, `127.0.0.1` as it is.
 * Undefined for a DNS name, and for brackets around something that is no IPv6 address.
 */
export function ipAddressOf(host: string): string | undefined {
  if (host.startsWith('[') && host.endsWith(']')) {
    const inside = host.slice(1, -1);
    return isIPv6(inside) ? inside : undefined;
  }
  return isIPv4(host) ? host : undefined;
}

/**
 * What `tls.connect` is told the server must be, for an account at `domain` (RFC 6120 §13.7.2.1: the
 * certificate must name the domain, whatever address was connected to). Node checks the certificate
 * against `servername` when it is given, else against `host`: an IP address against the certificate's
 * iPAddress entries, exactly (RFC 2818 §3.1; RFC 6125 §1.7.2 leaves IP addresses out of its scope), and
 * anything else against its DNS names (RFC 6125 §6.4). So an IP literal goes in `host` without
 * brackets, or "[::1]" would be matched as a DNS name (and a certificate whose DNS name merely spells
 * "[::1]" would pass); and no server name is sent for it, since RFC 6066 §3 does not allow an IP address
 * as the TLS server name (Node warns, DEP0123).
 */
export function tlsIdentity(domain: string): { host: string; servername?: string } {
  const address = ipAddressOf(domain);
  return address !== undefined ? { host: address } : { host: domain, servername: domain };
}
