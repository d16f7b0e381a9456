import { describe, expect, it } from 'vitest';
import { clientAddress, trustedPeers } from '../../src/http/client-address.ts';

/** What Yoga's node adapter hands a plugin: the incoming message, with its socket. */
const from = (remoteAddress: string) => ({ req: { socket: { remoteAddress } } });
const withForwarded = (value: string) =>
  new Request('http://x/graphql', { headers: { 'x-forwarded-for': value } });

describe('the client address used by the per-address rate limit', () => {
  const trusted = trustedPeers(['127.0.0.1', '::1', '172.16.0.0/12']);

  it('is the peer when the peer is not a trusted proxy, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(withForwarded('1.2.3.4'), from('203.0.113.9'), trusted)).toBe('203.0.113.9');
  });

  it("is the address a trusted proxy appended last (earlier entries are the client's own claims)", () => {
    expect(clientAddress(withForwarded('6.6.6.6, 198.51.100.7'), from('127.0.0.1'), trusted)).toBe(
      '198.51.100.7',
    );
    expect(clientAddress(withForwarded('198.51.100.8'), from('::ffff:172.18.0.5'), trusted)).toBe(
      '198.51.100.8',
    );
    expect(clientAddress(new Request('http://x/graphql'), from('::1'), trusted)).toBe('::1');
  });

  it('is one key for an IPv4 client seen through a dual-stack socket', () => {
    expect(clientAddress(new Request('http://x/graphql'), from('::ffff:203.0.113.9'), trusted)).toBe(
      '203.0.113.9',
    );
  });

  it('is "unknown" without a socket (in-process requests)', () => {
    expect(clientAddress(new Request('http://x/graphql'), undefined, trusted)).toBe('unknown');
  });
});
