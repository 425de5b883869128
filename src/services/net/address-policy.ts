/**
 * Which IP addresses tucan may connect to on behalf of a user-supplied URL:
 * media fetches, webhook deliveries and rule replies' media all go through
 * SafeHttp, which asks this policy about the address it is about to connect
 * to (the literal, or every DNS answer) and, at save time, about the URL's
 * literal or DNS answers.
 *
 * - IPv4: ordinary unicast only. ipaddr.js's table of special-purpose ranges
 *   (the IANA registry) decides: private, loopback, link-local (cloud
 *   metadata at 169.254.169.254), carrier-grade NAT (Alibaba's metadata at
 *   100.100.100.200), 0.0.0.0/8, 192.0.0.0/24 (Oracle's metadata at
 *   192.0.0.192), documentation, benchmarking, multicast, 240/4 and broadcast
 *   are refused.
 * - IPv6 that carries an IPv4 address is judged by the IPv4 address it
 *   carries, because that is where the packets end up: the host's dual stack
 *   (::ffff:0:0/96, ::ffff:0:0:0/96, ::/96), a NAT64 gateway (64:ff9b::/96,
 *   64:ff9b:1::/48), a 6to4 relay (2002::/16) or a Teredo relay (2001::/32,
 *   whose server and client addresses must both be allowed). ipaddr.js would
 *   call ::a9fe:a9fe plain unicast, which is how 169.254.169.254 got through.
 * - Any other IPv6: global unicast (2000::/3) outside the special-purpose
 *   ranges.
 * - Loopback, exactly 127.0.0.1 or ::1, only when allowed for local
 *   development (TUCAN_ALLOW_LOOPBACK_URLS); never in an embedded form, which
 *   no development setup needs.
 */
import net from 'node:net';
import ipaddr from 'ipaddr.js';

export interface AddressPolicyOptions {
  allowLoopback: boolean;
}

const NEVER = 'which is never allowed';

const V4_WORDS: Record<string, string> = {
  unspecified: 'a "this network" address (0.0.0.0/8)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (169.254.0.0/16, where cloud metadata services answer)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private address',
  reserved: 'a reserved special-purpose address',
  as112: 'an AS112 (special-purpose) address',
  amt: 'an AMT relay (special-purpose) address',
};

const V6_WORDS: Record<string, string> = {
  unspecified: 'the unspecified address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address (fe80::/10)',
  uniqueLocal: 'a unique local (private) address (fc00::/7)',
  deprecatedSiteLocal: 'a site-local (private) address (fec0::/10)',
  multicast: 'a multicast address',
};

/**
 * Why tucan may not connect to `address`, as a phrase that follows the
 * address ("is …" / "resolves to x, …"), or null when it may.
 */
export function addressRefusal(address: string, options: AddressPolicyOptions): string | null {
  if (net.isIP(address) === 0) return 'not an IP address';
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address);
  } catch {
    // Node and ipaddr.js disagree on it (an unusual IPv6 zone): not judged, so not allowed
    return 'an address tucan cannot judge, which is never allowed';
  }
  if (ip.kind() === 'ipv4') {
    const v4 = ip as ipaddr.IPv4;
    const kind = ipv4Kind(v4);
    if (kind === null) return null;
    if (v4.range() === 'loopback') return options.allowLoopback && v4.toString() === '127.0.0.1' ? null : loopbackRefusal();
    return `${kind}, ${NEVER}`;
  }

  const v6 = ip as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'loopback') return options.allowLoopback ? null : loopbackRefusal();
  if (range === 'unspecified') return `${V6_WORDS.unspecified}, ${NEVER}`;
  const carried = embeddedIPv4(v6);
  if (carried) {
    for (const { v4, form } of carried) {
      const kind = ipv4Kind(v4);
      // an embedded loopback is not the development exception
      if (kind !== null) return `an IPv6 address carrying ${v4.toString()} (${form}), ${kind}, ${NEVER}`;
    }
    return null;
  }
  if (range !== 'unicast') return `${V6_WORDS[range] ?? `a special-purpose IPv6 address (${range})`}, ${NEVER}`;
  if (!v6.match(GLOBAL_UNICAST)) return `not a global unicast IPv6 address (outside 2000::/3), ${NEVER}`;
  return null;
}

const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/** What kind of special-purpose address this is, or null for ordinary unicast. */
function ipv4Kind(ip: ipaddr.IPv4): string | null {
  const range = ip.range();
  if (range === 'unicast') return null;
  return V4_WORDS[range] ?? `a special-purpose address (${range})`;
}

function loopbackRefusal(): string {
  return 'a loopback address, allowed only with TUCAN_ALLOW_LOOPBACK_URLS=true (local development, 127.0.0.1 and ::1)';
}

interface Carried {
  v4: ipaddr.IPv4;
  /** How it is carried, for the refusal. */
  form: string;
}

/** The IPv4 address(es) an IPv6 address stands for, or null when it carries none. */
function embeddedIPv4(ip: ipaddr.IPv6): Carried[] | null {
  const p = ip.parts;
  const zero = (from: number, to: number) => p.slice(from, to).every((x) => x === 0);
  const last32 = (form: string) => [{ v4: fromWords(p[6], p[7]), form }];
  if (zero(0, 5) && p[5] === 0xffff) return last32('IPv4-mapped, ::ffff:0:0/96');
  if (zero(0, 4) && p[4] === 0xffff && p[5] === 0) return last32('IPv4-translated, ::ffff:0:0:0/96');
  if (zero(0, 6)) return last32('IPv4-compatible, ::/96');
  if (p[0] === 0x64 && p[1] === 0xff9b && zero(2, 6)) return last32('NAT64, 64:ff9b::/96');
  if (p[0] === 0x64 && p[1] === 0xff9b && p[2] === 1) return localNat64(ip);
  if (p[0] === 0x2002) return [{ v4: fromWords(p[1], p[2]), form: '6to4, 2002::/16' }];
  if (p[0] === 0x2001 && p[1] === 0) {
    return [
      { v4: fromWords(p[2], p[3]), form: 'Teredo server, 2001::/32' },
      // the client address is stored inverted
      { v4: fromWords(~p[6] & 0xffff, ~p[7] & 0xffff), form: 'Teredo client, 2001::/32' },
    ];
  }
  return null;
}

/**
 * The local-use NAT64 prefix is an operator's choice of length inside
 * 64:ff9b:1::/48 (RFC 8215), and where RFC 6052 puts the IPv4 address depends
 * on that length, which tucan cannot know. Every layout that fits is
 * decoded; the address passes only if all of them are allowed. The usual
 * /96 comes first, so a refusal names the address most likely meant.
 */
function localNat64(ip: ipaddr.IPv6): Carried[] {
  const bits = ip.parts.reduce((acc, word) => (acc << 16n) | BigInt(word), 0n);
  const field = (start: number, length: number) => Number((bits >> BigInt(128 - start - length)) & ((1n << BigInt(length)) - 1n));
  // bits 64–71 are the reserved "u" octet, skipped by every layout
  const layouts: [number, number][] = [
    [96, field(96, 32)],
    [64, field(72, 32)],
    [56, (field(56, 8) << 24) | field(72, 24)],
    [48, (field(48, 16) << 16) | field(72, 16)],
  ];
  return layouts.map(([prefix, value]) => ({ v4: fromNumber(value), form: `local-use NAT64 64:ff9b:1::/48, read as a /${prefix} prefix` }));
}

function fromWords(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

function fromNumber(n: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}
