import ipaddr from 'ipaddr.js';

/**
 * Lists of IPv4/IPv6 addresses and CIDRs (client allowlists, trusted proxies). IPv4-mapped IPv6
 * addresses (`::ffff:10.0.0.1`, what a dual-stack socket reports) are compared as IPv4, on both sides.
 */
export type AddressMatcher = (address: string) => boolean;

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function unmapped(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/** Parses an address (zone ids and mapped forms accepted); null when it is not one. */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const withoutZone = text.split('%')[0] ?? text;
  return ipaddr.isValid(withoutZone) ? unmapped(ipaddr.parse(withoutZone)) : null;
}

function parseRange(entry: string): Range | null {
  const trimmed = entry.trim();
  if (trimmed.includes('/')) {
    if (!ipaddr.isValidCIDR(trimmed)) return null;
    const [address, bits] = ipaddr.parseCIDR(trimmed);
    const plain = unmapped(address);
    // A mapped CIDR (::ffff:10.0.0.0/104) covers the IPv4 range of its last 32 bits.
    return plain === address ? [address, bits] : [plain, Math.max(0, bits - 96)];
  }
  const address = parseAddress(trimmed);
  return address === null ? null : [address, address.kind() === 'ipv4' ? 32 : 128];
}

/** Compiles a list once; entries that do not parse match nothing (provisioning validates them). */
export function compileAddressList(entries: readonly string[]): AddressMatcher {
  const ranges = entries.map(parseRange).filter((range): range is Range => range !== null);
  return (text) => {
    const address = parseAddress(text);
    if (address === null) return false;
    return ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  };
}

/**
 * The client's address: the TCP peer, or, when the peer is a trusted proxy, the rightmost address in
 * X-Forwarded-For that is not itself a trusted proxy (the leftmost when all are).
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: AddressMatcher): string {
  const peerAddress = parseAddress(peer)?.toString() ?? peer;
  if (forwardedFor === undefined || !trusted(peerAddress)) return peerAddress;
  const hops = forwardedFor.split(',').map((hop) => hop.trim()).filter((hop) => hop !== '');
  let chosen = peerAddress;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(hops[i]!);
    if (hop === null) return chosen; // garbage in the chain: stop at the last address we could trust
    chosen = hop.toString();
    if (!trusted(chosen)) return chosen;
  }
  return chosen;
}
