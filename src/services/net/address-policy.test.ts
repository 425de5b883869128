import { expect } from 'chai';
import { addressRefusal } from './address-policy.js';

const strict = { allowLoopback: false };
const dev = { allowLoopback: true };

/** [address, what it is] */
const ALLOWED: [string, string][] = [
  ['8.8.8.8', 'public IPv4'],
  ['1.1.1.1', 'public IPv4'],
  ['93.184.215.14', 'public IPv4'],
  ['2606:4700:4700::1111', 'public IPv6'],
  ['2001:4860:4860::8888', 'public IPv6 inside 2001::/23 but outside Teredo'],
  ['::ffff:8.8.8.8', 'IPv4-mapped public'],
  ['::ffff:0:808:808', 'IPv4-translated public'],
  ['::808:808', 'IPv4-compatible public'],
  ['64:ff9b::808:808', 'NAT64 public'],
  ['64:ff9b:1:808:8:808:808:808', 'local-use NAT64, public in every RFC 6052 layout'],
  ['2002:808:808::1', '6to4 of a public address'],
  ['2001:0:808:808::f7f7:f7f7', 'Teredo, public server and client'],
];

/** [address, what it is, what the refusal must say] */
const REFUSED: [string, string, RegExp][] = [
  // IPv4
  ['10.0.0.1', 'private', /private/],
  ['172.16.0.1', 'private', /private/],
  ['172.31.255.255', 'private', /private/],
  ['192.168.1.1', 'private', /private/],
  ['127.0.0.1', 'loopback', /loopback.*TUCAN_ALLOW_LOOPBACK_URLS/],
  ['127.0.0.53', 'loopback', /loopback/],
  ['0.0.0.0', 'this network', /this network/],
  ['0.1.2.3', 'this network', /this network/],
  ['169.254.169.254', 'cloud metadata (AWS, GCP, Azure)', /link-local/],
  ['169.254.0.1', 'link-local', /link-local/],
  ['100.64.0.1', 'carrier-grade NAT', /carrier-grade NAT/],
  ['100.100.100.200', 'Alibaba Cloud metadata (CGNAT)', /carrier-grade NAT/],
  ['192.0.0.192', 'Oracle Cloud metadata (192.0.0.0/24)', /reserved/],
  ['224.0.0.1', 'multicast', /multicast/],
  ['239.255.255.250', 'multicast (SSDP)', /multicast/],
  ['255.255.255.255', 'broadcast', /broadcast/],
  ['240.0.0.1', 'reserved 240/4', /reserved/],
  ['192.0.2.1', 'documentation', /reserved/],
  ['198.51.100.1', 'documentation', /reserved/],
  ['203.0.113.1', 'documentation', /reserved/],
  ['198.18.0.1', 'benchmarking', /reserved/],
  // IPv6
  ['::', 'unspecified', /unspecified/],
  ['::1', 'loopback', /loopback.*TUCAN_ALLOW_LOOPBACK_URLS/],
  ['fe80::1', 'link-local', /link-local/],
  ['fe80::1%eth0', 'link-local with a zone', /link-local/],
  ['fe80::1%en-0', 'a zone Node accepts and ipaddr.js does not', /cannot judge/],
  ['fd00::1', 'unique local', /unique local/],
  ['fd00:ec2::254', 'AWS metadata over IPv6', /unique local/],
  ['fc00::1', 'unique local', /unique local/],
  ['fec0::1', 'site-local', /site-local/],
  ['ff02::1', 'multicast', /multicast/],
  ['2001:db8::1', 'documentation', /special-purpose/],
  ['3fff::1', 'documentation', /special-purpose/],
  ['100::1', 'discard', /special-purpose IPv6 address \(discard\)/],
  ['4000::1', 'outside 2000::/3', /not a global unicast/],
  ['::1:0:0:0', 'IETF-reserved ::/8', /not a global unicast/],
  // IPv4 carried in IPv6: judged by the IPv4 address
  ['::a9fe:a9fe', '::/96 IPv4-compatible metadata', /carrying 169\.254\.169\.254 \(IPv4-compatible, ::\/96\), a link-local/],
  ['::7f00:1', '::/96 IPv4-compatible loopback', /carrying 127\.0\.0\.1 \(IPv4-compatible, ::\/96\), a loopback/],
  ['::a00:1', '::/96 IPv4-compatible private', /carrying 10\.0\.0\.1 .*private/],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata', /carrying 169\.254\.169\.254 \(IPv4-mapped/],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback', /carrying 127\.0\.0\.1 \(IPv4-mapped.*loopback/],
  ['::ffff:192.168.0.1', 'IPv4-mapped private', /carrying 192\.168\.0\.1 .*private/],
  ['::ffff:0:a9fe:a9fe', 'IPv4-translated metadata', /carrying 169\.254\.169\.254 \(IPv4-translated/],
  ['64:ff9b::a9fe:a9fe', 'NAT64 metadata', /carrying 169\.254\.169\.254 \(NAT64, 64:ff9b::\/96\)/],
  ['64:ff9b::7f00:1', 'NAT64 loopback', /carrying 127\.0\.0\.1 \(NAT64/],
  ['64:ff9b:1::a9fe:a9fe', 'local-use NAT64, /96 layout', /carrying 169\.254\.169\.254 \(local-use NAT64.*\/96 prefix/],
  ['64:ff9b:1:a08:8:808:808:808', 'local-use NAT64, public in 3 layouts, private in the /48 one', /carrying 10\.8\.8\.8 \(local-use NAT64.*\/48 prefix/],
  ['64:ff9b:1:808:8:808:a00:1', 'local-use NAT64, public in 3 layouts, private in the /96 one', /carrying 10\.0\.0\.1 .*\/96 prefix/],
  ['2002:a9fe:a9fe::1', '6to4 metadata', /carrying 169\.254\.169\.254 \(6to4, 2002::\/16\)/],
  ['2002:7f00:1::', '6to4 loopback', /carrying 127\.0\.0\.1 \(6to4/],
  ['2002:a00:1:1::1', '6to4 private', /carrying 10\.0\.0\.1 \(6to4/],
  ['2001:0:808:808::5601:5601', 'Teredo client metadata (stored inverted)', /carrying 169\.254\.169\.254 \(Teredo client/],
  ['2001:0:a00:1::f7f7:f7f7', 'Teredo server private', /carrying 10\.0\.0\.1 \(Teredo server/],
  ['2001:0:808:808::80ff:fffe', 'Teredo client loopback', /carrying 127\.0\.0\.1 \(Teredo client/],
];

describe('address policy', () => {
  it('allows public addresses, in IPv4 and in every IPv6 form that carries one', () => {
    for (const [address, what] of ALLOWED) expect(addressRefusal(address, strict), `${address} (${what})`).to.equal(null);
  });

  it('refuses private, loopback, link-local, metadata, CGNAT, multicast and reserved addresses, saying which', () => {
    for (const [address, what, says] of REFUSED) {
      const refusal = addressRefusal(address, strict);
      expect(refusal, `${address} (${what})`).to.be.a('string');
      expect(refusal, `${address} (${what})`).to.match(says);
    }
  });

  it('allows loopback for local development only as 127.0.0.1 and ::1, never embedded', () => {
    expect(addressRefusal('127.0.0.1', dev)).to.equal(null);
    expect(addressRefusal('::1', dev)).to.equal(null);
    for (const address of ['127.0.0.2', '::7f00:1', '::ffff:127.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::']) {
      expect(addressRefusal(address, dev), address).to.match(/loopback/);
    }
    for (const [address, what] of REFUSED.filter(([, , says]) => !/loopback/.test(says.source))) {
      expect(addressRefusal(address, dev), `${address} (${what})`).to.be.a('string');
    }
  });

  it('refuses what is not an IP address', () => {
    for (const input of ['example.com', '127.1', '0x7f.0.0.1', '', '1.2.3.4.5']) expect(addressRefusal(input, dev), input).to.equal('not an IP address');
  });
});
