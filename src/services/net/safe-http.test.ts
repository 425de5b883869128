import dc from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { testResolver } from '../../test-support/resolver.js';
import { SafeHttp, UrlRejectedError } from './safe-http.js';

async function rejection(p: Promise<unknown>): Promise<UrlRejectedError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(UrlRejectedError);
    return err as UrlRejectedError;
  }
  throw new Error('expected the URL to be rejected');
}

describe('SafeHttp (SSRF-safe client)', () => {
  let server: http.Server;
  let base: string;
  /** TCP connections this test's server accepted. */
  let connections = 0;
  const strict = new SafeHttp({ allowLoopback: false, timeoutMs: 2000 });
  const dev = new SafeHttp({ allowLoopback: true, timeoutMs: 2000 });

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/file') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from('89504e470d0a1a0a', 'hex'));
      } else if (url.pathname === '/redirect') {
        res.writeHead(302, { location: url.searchParams.get('to')! });
        res.end();
      } else if (url.pathname === '/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(2 * 1024 * 1024));
      } else if (url.pathname === '/slow') {
        setTimeout(() => res.end('late'), 5000).unref();
      } else if (url.pathname === '/hook') {
        res.writeHead(req.method === 'POST' ? 204 : 405);
        res.end();
      } else {
        res.writeHead(404);
        res.end('nope');
      }
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    strict.close();
    dev.close();
  });

  it('refuses loopback unless explicitly allowed for development', async () => {
    const err = await rejection(strict.fetchBytes(`${base}/file`, { maxBytes: 1024 }));
    expect(err.reason).to.match(/127\.0\.0\.1 is a loopback address, allowed only with TUCAN_ALLOW_LOOPBACK_URLS/);
    const ok = await dev.fetchBytes(`${base}/file`, { maxBytes: 1024 });
    expect(ok.contentType).to.equal('image/png');
    expect(ok.data.toString('hex')).to.equal('89504e470d0a1a0a');
  });

  it('refuses a hostname that resolves to loopback, checked at connect time', async () => {
    const port = new URL(base).port;
    const err = await rejection(strict.fetchBytes(`http://localhost:${port}/file`, { maxBytes: 1024 }));
    expect(err.reason).to.match(/localhost resolves to .*loopback/);
  });

  it('never opens private, link-local (metadata) or meta addresses, even with loopback allowed', async () => {
    for (const url of ['http://10.0.0.1/x', 'http://192.168.1.1/x', 'http://172.16.0.5/', 'http://169.254.169.254/latest/meta-data/', 'http://100.64.0.1/', 'http://0.0.0.0/', 'http://[fd00::1]/', 'http://[fe80::1]/']) {
      const err = await rejection(dev.fetchBytes(url, { maxBytes: 1024, timeoutMs: 1000 }));
      expect(err.reason, url).to.match(/not allowed|never allowed/);
    }
  });

  it('re-checks every redirect hop', async () => {
    const toPrivate = await rejection(dev.fetchBytes(`${base}/redirect?to=${encodeURIComponent('http://10.1.2.3/secret')}`, { maxBytes: 1024 }));
    expect(toPrivate.reason).to.match(/10\.1\.2\.3 is a private address, which is never allowed/);
    const toMetadata = await rejection(dev.fetchBytes(`${base}/redirect?to=${encodeURIComponent('http://169.254.169.254/')}`, { maxBytes: 1024 }));
    expect(toMetadata.reason).to.match(/169\.254\.169\.254 is a link-local address .*never allowed/);
    const toFile = await rejection(dev.fetchBytes(`${base}/redirect?to=${encodeURIComponent('file:///etc/passwd')}`, { maxBytes: 1024 }));
    expect(toFile.reason).to.match(/only http and https/);
    const followed = await dev.fetchBytes(`${base}/redirect?to=/file`, { maxBytes: 1024 });
    expect(followed.finalUrl).to.equal(`${base}/file`);
    const loop = await rejection(dev.fetchBytes(`${base}/redirect?to=${encodeURIComponent('/redirect?to=/redirect?to=/file')}`, { maxBytes: 1024, maxRedirects: 1 }));
    expect(loop.reason).to.match(/too many redirects/);
  });

  it('enforces size and time limits and refuses non-2xx answers', async () => {
    expect((await rejection(dev.fetchBytes(`${base}/big`, { maxBytes: 1024 * 1024 }))).reason).to.match(/larger than/);
    expect((await rejection(dev.fetchBytes(`${base}/slow`, { maxBytes: 1024, timeoutMs: 300 }))).reason).to.match(/timed out/);
    expect((await rejection(dev.fetchBytes(`${base}/missing`, { maxBytes: 1024 }))).reason).to.match(/HTTP 404/);
  });

  it('accepts only http and https', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'gopher://x', 'data:text/plain,hi', 'not a url', 'http://user:pw@example.com/']) {
      await rejection(dev.fetchBytes(url, { maxBytes: 10 }));
    }
  });

  it('screens URLs saved for later by their literal or DNS answers, and accepts a host that does not resolve yet', async () => {
    expect(await dev.screen(`${base}/hook`)).to.deep.include({ unresolved: null });
    expect((await rejection(strict.screen(`${base}/hook`))).reason).to.match(/loopback/);
    expect((await rejection(strict.screen('http://localhost/hook'))).reason).to.match(/host localhost resolves to .*loopback/);
    expect((await rejection(dev.screen('http://169.254.169.254/'))).reason).to.match(/never allowed/);
    expect((await rejection(dev.screen('http://[::ffff:10.0.0.1]/'))).reason).to.match(/carrying 10\.0\.0\.1 .*private/);
    expect((await rejection(dev.screen('http://[::a9fe:a9fe]/'))).reason).to.match(/carrying 169\.254\.169\.254 \(IPv4-compatible/);
    expect((await rejection(dev.screen('ftp://example.invalid/'))).reason).to.match(/only http and https/);
    // RFC 6761: .invalid never resolves
    const offline = await dev.screen('http://no-such-host.invalid/hook');
    expect(offline.url.hostname).to.equal('no-such-host.invalid');
    expect(offline.unresolved).to.match(/host no-such-host\.invalid does not resolve/);
  });

  it('posts without following redirects and reports any status', async () => {
    const ok = await dev.post(`${base}/hook`, '{}', { 'content-type': 'application/json' }, 1000);
    expect(ok.status).to.equal(204);
    const redirect = await dev.post(`${base}/redirect?to=/hook`, '{}', {}, 1000);
    expect(redirect.status).to.equal(302);
    const blocked = await rejection(strict.post(`${base}/hook`, '{}', {}, 1000));
    expect(blocked.reason).to.match(/loopback/);
  });

  describe('IPv6 literals that carry an IPv4 address', () => {
    /** Every client socket Node opens while `run` runs (net.connect publishes each one). */
    async function socketsOpenedBy(run: () => Promise<unknown>): Promise<number> {
      let opened = 0;
      const count = () => opened++;
      dc.subscribe('net.client.socket', count);
      try {
        await run();
      } finally {
        dc.unsubscribe('net.client.socket', count);
      }
      return opened;
    }

    it('refuses them by the IPv4 address they carry, before opening any socket', async () => {
      const port = new URL(base).port;
      const literals = [
        '[::a9fe:a9fe]', // ::/96 IPv4-compatible, 169.254.169.254
        '[::7f00:1]', // ::/96, 127.0.0.1
        '[::ffff:169.254.169.254]',
        '[::ffff:0:a00:1]', // IPv4-translated 10.0.0.1
        '[64:ff9b::a9fe:a9fe]', // NAT64
        '[64:ff9b:1::7f00:1]', // local-use NAT64
        '[2002:a9fe:a9fe::1]', // 6to4
        '[2001:0:808:808::5601:5601]', // Teredo client 169.254.169.254 (stored inverted)
        '[2001:0:a00:1::f7f7:f7f7]', // Teredo server 10.0.0.1
      ];
      for (const literal of literals) {
        let fetchErr: UrlRejectedError | undefined;
        let postErr: UrlRejectedError | undefined;
        // loopback allowed, as in development: the embedded forms still never pass
        const opened = await socketsOpenedBy(async () => {
          fetchErr = await rejection(dev.fetchBytes(`http://${literal}:${port}/file`, { maxBytes: 1024, timeoutMs: 1000 }));
          postErr = await rejection(dev.post(`http://${literal}:${port}/hook`, '{}', {}, 1000));
        });
        expect(opened, literal).to.equal(0);
        expect(fetchErr!.reason, literal).to.match(/is an IPv6 address carrying [\d.]+ \(.+\), .*never allowed/);
        expect(postErr!.reason, literal).to.equal(fetchErr!.reason);
      }
    });

    it('lets a public address through in its embedded forms', async () => {
      expect(await strict.screen('http://[::ffff:8.8.8.8]/')).to.deep.include({ unresolved: null });
      expect(await strict.screen('http://[2002:808:808::1]/')).to.deep.include({ unresolved: null });
    });
  });

  describe('host names, checked on every DNS answer at connect time', () => {
    // answers the test sets, as a hostile DNS server would
    const dns = testResolver();
    const client = new SafeHttp({ allowLoopback: true, timeoutMs: 2000, resolve: dns.resolve });
    after(() => client.close());

    it('connects to a name whose answers are allowed', async () => {
      dns.answer('files.test', ['127.0.0.1']);
      const ok = await client.fetchBytes(`http://files.test:${new URL(base).port}/file`, { maxBytes: 1024 });
      expect(ok.data.toString('hex')).to.equal('89504e470d0a1a0a');
    });

    it('refuses a name that resolves to a private or metadata address, in any form, without a connection', async () => {
      const port = new URL(base).port;
      // the last two would reach this test's server on 127.0.0.1 if they were let through
      for (const address of ['10.0.0.7', '169.254.169.254', 'fd00:ec2::254', '::7f00:1', '::ffff:7f00:1']) {
        dns.answer('rebound.test', [address]);
        const before = connections;
        const err = await rejection(client.fetchBytes(`http://rebound.test:${port}/file`, { maxBytes: 1024, timeoutMs: 1000 }));
        expect(err.reason, address).to.match(new RegExp(`rebound\\.test resolves to ${address.replace(/\./g, '\\.')}, .*never allowed`));
        expect(connections, address).to.equal(before);
      }
    });

    it('refuses a name if any of its answers is refused', async () => {
      dns.answer('mixed.test', ['127.0.0.1', '10.0.0.1']);
      const err = await rejection(client.post(`http://mixed.test:${new URL(base).port}/hook`, '{}', {}, 1000));
      expect(err.reason).to.match(/resolves to 10\.0\.0\.1, a private address/);
    });

    it('checks the answer at connect time, not only when the URL was saved (DNS rebinding)', async () => {
      dns.answer('rebinding.test', ['8.8.8.8']);
      expect(await client.screen('http://rebinding.test/hook')).to.deep.include({ unresolved: null });
      dns.answer('rebinding.test', ['169.254.169.254']);
      const err = await rejection(client.post('http://rebinding.test/hook', '{}', {}, 1000));
      expect(err.reason).to.match(/resolves to 169\.254\.169\.254, a link-local address/);
    });
  });
});
