import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { WEB_DIR } from '../pages/dashboard-assets.js';

describe('dashboard files (GET / and /ui/…)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  it('serves the page at / without credentials, with an import map the CSP allows by its hash and no Referer', async () => {
    const page = await t.request('GET', '/');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(page.headers.get('referrer-policy')).to.equal('no-referrer');
    const map = /<script type="importmap">(.*?)<\/script>/.exec(page.text)![1];
    expect(JSON.parse(map).imports).to.deep.equal({ preact: '/ui/vendor/preact.js', 'preact/hooks': '/ui/vendor/hooks.js', htm: '/ui/vendor/htm.js' });
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).to.include(`'sha256-${createHash('sha256').update(map).digest('base64')}'`);
    expect(csp).to.include("connect-src 'self'").and.not.include('unsafe-inline').and.not.include('http');
    expect(page.text).to.include('<script type="module" src="/ui/app.js">');
  });

  it('serves every module of web/ and the three vendor modules from node_modules, as JavaScript', async () => {
    for (const file of ['app.js', 'routes.js', 'style.css', 'lib/api.js', 'pages/instances.js', 'i18n/es.js', 'vendor/preact.js', 'vendor/hooks.js', 'vendor/htm.js']) {
      const res = await t.request('GET', `/ui/${file}`);
      expect(res.status, file).to.equal(200);
      expect(res.headers.get('content-type'), file).to.match(file.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    }
    expect((await t.request('GET', '/ui/vendor/preact.js')).text).to.include('export{');
    expect((await t.request('GET', '/ui/vendor/hooks.js')).text).to.include('from"preact"');
  });

  it('serves the files it lists, never a path: no documentation, no index.html twice, nothing outside web/', async () => {
    expect(fs.existsSync(path.join(WEB_DIR, 'README.md'))).to.equal(true);
    for (const p of ['/ui/README.md', '/ui/index.html', '/ui/nothing.js', '/ui/pages/nothing.js', '/ui/vendor/react.js']) expect((await t.request('GET', p)).status, p).to.equal(404);
    for (const p of ['/ui/..%2Fpackage.json', '/ui/pages/..%2F..%2Fpackage.json', '/ui/src/main.ts']) expect((await t.request('GET', p)).status, p).to.be.oneOf([400, 404]);
  });

  it('leaves the API as it was: /v1 still needs credentials', async () => {
    expect((await t.request('GET', '/v1/instances')).status).to.equal(401);
  });
});
