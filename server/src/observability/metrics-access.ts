import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** Whether a listen address (`HOST`) is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const address = host.replace(/^\[(.*)\]$/, '$1');
  if (address.toLowerCase() === 'localhost') return true;
  const family = isIP(address);
  if (family === 0) return false; // a host name: it may resolve to a public address
  return loopback.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Who may read `/metrics`: with `METRICS_TOKEN`, its bearer; without, anyone, but only while the API
 * listens on loopback. On any other address without a token it is not served at all.
 */
export function metricsAccess(host: string, token: string | null): 'token' | 'open' | 'closed' {
  if (token !== null) return 'token';
  return isLoopbackHost(host) ? 'open' : 'closed';
}
