import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
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
    expect(err.reason).to.match(/private, loopback/);
    const ok = await dev.fetchBytes(`${base}/file`, { maxBytes: 1024 });
    expect(ok.contentType).to.equal('image/png');
    expect(ok.data.toString('hex')).to.equal('89504e470d0a1a0a');
  });

  it('refuses a hostname that resolves to loopback, checked at connect time', async () => {
    const port = new URL(base).port;
    const err = await rejection(strict.fetchBytes(`http://localhost:${port}/file`, { maxBytes: 1024 }));
    expect(err.reason).to.match(/not allowed/);
  });

  it('never opens private, link-local (metadata) or meta addresses, even with loopback allowed', async () => {
    for (const url of ['http://10.0.0.1/x', 'http://192.168.1.1/x', 'http://172.16.0.5/', 'http://169.254.169.254/latest/meta-data/', 'http://100.64.0.1/', 'http://0.0.0.0/', 'http://[fd00::1]/', 'http://[fe80::1]/']) {
      const err = await rejection(dev.fetchBytes(url, { maxBytes: 1024, timeoutMs: 1000 }));
      expect(err.reason, url).to.match(/not allowed|never allowed/);
    }
  });

  it('re-checks every redirect hop', async () => {
    const toPrivate = await rejection(dev.fetchBytes(`${base}/redirect?to=${encodeURIComponent('http://10.1.2.3/secret')}`, { maxBytes: 1024 }));
    expect(toPrivate.reason).to.match(/not allowed/);
    const toMetadata = await rejection(dev.fetchBytes(`${base}/redirect?to=${encodeURIComponent('http://169.254.169.254/')}`, { maxBytes: 1024 }));
    expect(toMetadata.reason).to.match(/not allowed/);
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

  it('checks registration URLs by resolving them', async () => {
    await dev.assertPublic(`${base}/hook`);
    expect((await rejection(strict.assertPublic(`${base}/hook`))).reason).to.match(/loopback/);
    expect((await rejection(strict.assertPublic('http://localhost/hook'))).reason).to.match(/loopback/);
    expect((await rejection(dev.assertPublic('http://169.254.169.254/'))).reason).to.match(/never allowed/);
    expect((await rejection(dev.assertPublic('http://[::ffff:10.0.0.1]/'))).reason).to.match(/private/);
    expect((await rejection(dev.assertPublic('http://no-such-host.invalid/'))).reason).to.match(/does not resolve/);
  });

  it('posts without following redirects and reports any status', async () => {
    const ok = await dev.post(`${base}/hook`, '{}', { 'content-type': 'application/json' }, 1000);
    expect(ok.status).to.equal(204);
    const redirect = await dev.post(`${base}/redirect?to=/hook`, '{}', {}, 1000);
    expect(redirect.status).to.equal(302);
    const blocked = await rejection(strict.post(`${base}/hook`, '{}', {}, 1000));
    expect(blocked.reason).to.match(/not allowed/);
  });
});
