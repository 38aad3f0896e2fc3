/**
 * Servers named by an IP address. The app writes an IPv6 address in brackets wherever it names a server
 * (RFC 7622 §3.2 domainparts, Server host, --server, `xmpp://[2001:db8::1]:5222`, RFC 3986 §3.2.2); a
 * socket takes the address without them.
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

