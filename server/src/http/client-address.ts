import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Peers trusted to say who their client is (`X-Forwarded-For`) by default: the web app on this host. */
export const DEFAULT_TRUSTED_PROXIES = ['127.0.0.1', '::1'];

/** An IPv4 client seen through a dual-stack socket (`::ffff:1.2.3.4`) as the IPv4 address it is. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** Whether an entry of `TRUSTED_PROXIES` is an IP address or a subnet (`address/prefix`). */
export function isAddressOrSubnet(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/** The trusted peers as a BlockList (addresses and subnets, IPv4 and IPv6). */
export function trustedPeers(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/**
 * The client's address: the connection's peer, or, when that peer is a trusted proxy, the last address
 * it appended to `X-Forwarded-For` (the one it saw; earlier entries are the client's own claims).
 */
export function clientAddress(request: Request, serverContext: unknown, trusted: BlockList): string {
  const socketAddress = (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket?.remoteAddress;
  if (!socketAddress) return 'unknown';
  const peer = plain(socketAddress);
  const family = isIP(peer);
  if (family === 0 || !trusted.check(peer, family === 4 ? 'ipv4' : 'ipv6')) return peer;
  const forwarded = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  return forwarded ? plain(forwarded) : peer;
}
