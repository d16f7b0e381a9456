import type { IncomingMessage } from 'node:http';

/** Addresses trusted to say who their client is (`X-Forwarded-For`), e.g. the web app on this host. */
export const DEFAULT_TRUSTED_PROXIES = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

/**
 * The client's address: the connection's peer, or, when that peer is a trusted proxy, the last address
 * it appended to `X-Forwarded-For` (the one it saw; earlier entries are the client's own claims).
 */
export function clientAddress(
  request: Request,
  serverContext: unknown,
  trustedProxies: readonly string[],
): string {
  const peer = (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket?.remoteAddress;
  if (!peer) return 'unknown';
  if (!trustedProxies.includes(peer)) return peer;
  const forwarded = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  return forwarded || peer;
}
