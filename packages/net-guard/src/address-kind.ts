// What an IP address reaches: the public internet, this machine or a private network, or nothing
// a request should go to (unspecified, link-local with the cloud metadata service, benchmark,
// documentation, multicast, reserved, broadcast). IPv6 forms that embed an IPv4 address are judged
// as that address.
import { BlockList, isIP } from 'node:net';

function blockList(v4: readonly string[], v6: readonly string[]): BlockList {
  const list = new BlockList();
  for (const [type, subnets] of [['ipv4', v4], ['ipv6', v6]] as const) {
    for (const subnet of subnets) {
      const [network, prefix] = subnet.split('/');
      list.addSubnet(network!, Number(prefix), type);
    }
  }
  return list;
}

const NEVER = blockList(
  ['0.0.0.0/8', '169.254.0.0/16', '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4'],
  ['::/128', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:db8::/32', '3fff::/20', 'fe80::/10', 'fec0::/10', 'ff00::/8'],
);
NEVER.addRange('::2', '::ffff:ffff', 'ipv6'); // IPv4-compatible (deprecated): nothing lives there.
// Cloud metadata services outside link-local: AWS's IPv6 one, Alibaba's, Azure's wire server.
NEVER.addAddress('fd00:ec2::254', 'ipv6');
NEVER.addAddress('100.100.100.200', 'ipv4');
NEVER.addAddress('168.63.129.16', 'ipv4');
// Reachable only from inside: allowed when the caller says so.
const PRIVATE = blockList(['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], ['::1/128', 'fc00::/7']);

function ipv4Words(address: string): number[] {
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
  return [a * 256 + b, c * 256 + d];
}

function ipv6Words(address: string): number[] {
  const words = (text: string) => (text === '' ? [] : text.split(':').flatMap((part) => (part.includes('.') ? ipv4Words(part) : [Number.parseInt(part, 16)])));
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = words(head);
  const right = tail === undefined ? [] : words(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const ipv4Of = (high: number, low: number) => [high >> 8, high & 255, low >> 8, low & 255].join('.');

// The IPv4 address an IPv6 one reaches: mapped (::ffff:0:0/96), translated (::ffff:0:0:0/96),
// NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
function embeddedIpv4(address: string): string | undefined {
  const w = ipv6Words(address);
  const zero = (from: number, to: number) => w.slice(from, to).every((word) => word === 0);
  const mapped = zero(0, 5) && w[5] === 0xffff;
  const translated = zero(0, 4) && w[4] === 0xffff && w[5] === 0;
  const nat64 = w[0] === 0x64 && w[1] === 0xff9b && zero(2, 6);
  if (mapped || translated || nat64) return ipv4Of(w[6]!, w[7]!);
  return w[0] === 0x2002 ? ipv4Of(w[1]!, w[2]!) : undefined;
}

/**
 * The kind of an IP address (v4 or v6, a zone index ignored): `public`, `private` (loopback,
 * RFC 1918, CGNAT, unique local) or `reserved` (never a request's destination).
 *
 * @example
 * ```ts
 * addressKind('169.254.169.254'); // 'reserved' (the cloud metadata service)
 * addressKind('::ffff:127.0.0.1'); // 'private'
 * addressKind('93.184.216.34'); // 'public'
 * ```
 */
export function addressKind(address: string): 'public' | 'private' | 'reserved' {
  const v4 = isIP(address) === 4 ? address : embeddedIpv4(address);
  const [value, type] = v4 === undefined ? [address.split('%')[0]!, 'ipv6' as const] : [v4, 'ipv4' as const];
  if (NEVER.check(value, type)) return 'reserved';
  return PRIVATE.check(value, type) ? 'private' : 'public';
}
