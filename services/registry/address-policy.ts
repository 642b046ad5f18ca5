import { BlockList, isIP } from 'node:net';

/**
 * Which addresses the health prober may connect to. `public` (the default)
 * allows only global unicast addresses, so a listing cannot point the
 * registry at its own host, a private network or a cloud metadata service.
 * `lab` adds loopback and private networks, for a registry whose sellers run
 * on the same machine or a lab network (the simulator and tests say so
 * explicitly). Link-local, multicast, documentation and reserved ranges,
 * and IPv6 ranges that carry or translate to an IPv4 address (NAT64, 6to4,
 * Teredo, IPv4-compatible), are never allowed.
 */
export type AddressPolicy = 'public' | 'lab';

/** The kind of an IP address, as far as the policy cares. */
export type AddressClass = 'public' | 'loopback' | 'private' | 'forbidden';

function blockList(subnets: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [net, prefix, type] of subnets) list.addSubnet(net, prefix, type);
  return list;
}

const LOOPBACK = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const PRIVATE = blockList([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['fc00::', 7, 'ipv6'], // unique local
  ['fec0::', 10, 'ipv6'], // site-local (deprecated), private as unique local is
]);
const FORBIDDEN = blockList([
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'], // 6to4 relay anycast (deprecated)
  ['224.0.0.0', 3, 'ipv4'], // multicast, reserved, broadcast
  ['::', 96, 'ipv6'], // unspecified, IPv4-compatible (deprecated; ::1 is loopback, checked first)
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'], // NAT64 could reach any IPv4 address
  ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64, the same
  ['100::', 64, 'ipv6'], // discard-only
  ['2001::', 23, 'ipv6'], // IETF protocol assignments: Teredo embeds an IPv4 address, benchmarking, ORCHID
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'], // 6to4 embeds an IPv4 address
  ['3fff::', 20, 'ipv6'], // documentation
  ['5f00::', 16, 'ipv6'], // SRv6 segment identifiers
]);

/** An IPv4 address carried in an IPv4-mapped IPv6 address (`::ffff:a.b.c.d` or `::ffff:7f00:1`), if any. */
function mappedIpv4(ip: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (dotted) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Classifies an IP address; anything that is not an IP address is `forbidden`. */
export function classifyAddress(address: string): AddressClass {
  const ip = address.replace(/^\[(.*)\]$/, '$1');
  const mapped = mappedIpv4(ip);
  if (mapped !== undefined) return classifyAddress(mapped);
  const version = isIP(ip);
  if (version === 0) return 'forbidden';
  const type = version === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(ip, type)) return 'loopback';
  if (FORBIDDEN.check(ip, type)) return 'forbidden';
  if (PRIVATE.check(ip, type)) return 'private';
  return 'public';
}

/** True when the policy lets the prober connect to `address`. */
export function addressAllowed(address: string, policy: AddressPolicy): boolean {
  const c = classifyAddress(address);
  return c === 'public' || (policy === 'lab' && (c === 'loopback' || c === 'private'));
}

/** The first of `addresses` (what a host name resolves to) that the policy does not allow, if any. */
export function firstDisallowed(
  addresses: readonly { address: string }[],
  policy: AddressPolicy,
): string | undefined {
  return addresses.find((a) => !addressAllowed(a.address, policy))?.address;
}

/** Why a host name is not connected to: it resolves to `address`, which `policy` does not allow. */
export function resolvedRefusal(host: string, address: string, policy: AddressPolicy): string {
  return `${host} resolves to ${address}, which the ${policy} address policy does not allow`;
}

/**
 * Checks what can be checked from a listing's URL alone: an http(s) URL
 * without credentials whose host, when it is an IP address or a `localhost`
 * name, the policy allows. Host names are checked again when they resolve:
 * at registration under `public` (`listingHostCheck`) and before the prober
 * connects (`createProbeFetch`, to the address it checked). Returns why not, or undefined.
 */
export function probeUrlRefusal(url: string, policy: AddressPolicy): string | undefined {
  if (!URL.canParse(url)) return 'not a URL';
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `protocol ${u.protocol} is not http(s)`;
  if (u.username || u.password) return 'URL carries credentials';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) || mappedIpv4(host) !== undefined)
    return addressAllowed(host, policy) ? undefined : `address ${host} is not allowed (${policy} policy)`;
  if (isLocalhostName(host))
    return policy === 'lab' ? undefined : `host ${host} is loopback (${policy} policy)`;
  return undefined;
}

/** True for `localhost` and names under it, which are loopback (RFC 6761). */
export function isLocalhostName(host: string): boolean {
  return /(^|\.)localhost\.?$/i.test(host);
}
