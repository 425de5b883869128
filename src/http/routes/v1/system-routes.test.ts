import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

describe('HTTP system routes and conventions', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  it('serves health and readiness without credentials', async () => {
    const health = await t.request('GET', '/health');
    expect(health.status).to.equal(200);
    expect(health.body).to.deep.equal({ status: 'ok' });
    const ready = await t.request('GET', '/ready');
    expect(ready.body).to.deep.equal({ status: 'ready', store: 'embedded' });
  });

  it('puts a request id on every response, reusing a sane incoming one', async () => {
    const generated = await t.request('GET', '/health');
    expect(generated.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    const echoed = await t.request('GET', '/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(echoed.headers.get('x-request-id')).to.equal('trace-123');
    const unsafe = await t.request('GET', '/health', { headers: { 'x-request-id': 'bad id\twith tabs' } });
    expect(unsafe.headers.get('x-request-id')).to.not.equal('bad id\twith tabs');
    const problem = await t.request('GET', '/v1/nothing-here');
    expect(problem.status).to.equal(404);
    expect(problem.body.request_id).to.equal(problem.headers.get('x-request-id'));
  });

  it('answers unknown routes and methods with problem+json', async () => {
    const missing = await t.request('GET', '/v1/nope');
    expect(missing.status).to.equal(404);
    expect(missing.headers.get('content-type')).to.match(/problem\+json/);
    const method = await t.request('DELETE', '/health');
    expect(method.status).to.equal(405);
    expect(method.body.title).to.equal('Method not allowed');
  });

  it('generates the OpenAPI document from the route schemas, public (it holds nothing secret)', async () => {
    const doc = await t.request('GET', '/openapi.json');
    expect(doc.status).to.equal(200);
    expect(doc.body.openapi).to.equal('3.1.0');
    const patch = doc.body.paths['/v1/instances/{id}/settings'].patch;
    expect(patch.parameters[0]).to.include({ name: 'id', in: 'path', required: true });
    const schema = patch.requestBody.content['application/json'].schema;
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.properties).to.have.keys('bot_name', 'bot_timezone', 'bot_lang', 'default_msg', 'actions', 'active_days', 'active_hours', 'takeover_minutes');
    expect(doc.body.paths['/v1/auth/register'].post.security).to.deep.equal([]);
    expect(doc.body.paths['/health'].get.security).to.deep.equal([]);
    expect(doc.body.paths['/v1/instances'].post.responses['400'].$ref).to.equal('#/components/responses/Problem400');
  });

  it('serves /docs publicly: Swagger UI from local assets only, and a readable rendering without scripts', async () => {
    const page = await t.request('GET', '/docs');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/text\/html/);
    expect(page.headers.get('content-security-policy')).to.include("script-src 'self'").and.not.include('unsafe-eval');
    expect(page.headers.get('referrer-policy')).to.equal('no-referrer');
    // the script-free rendering, for readers without JavaScript
    expect(page.text).to.include('/v1/instances/{id}/settings/active-hours');
    const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.filter((r) => r.startsWith('/docs/assets/'))).to.include.members(['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/docs-init.js']);
    expect(refs.filter((r) => /^(https?:)?\/\//.test(r)), 'nothing from another host').to.deep.equal([]);
    expect(page.text).to.not.match(/<script>(?!<\/script>)/, 'no inline script');
  });

  it('serves the documentation assets with their content types, and nothing else', async () => {
    const js = await t.request('GET', '/docs/assets/swagger-ui-bundle.js');
    expect(js.status).to.equal(200);
    expect(js.headers.get('content-type')).to.match(/text\/javascript/);
    expect(js.text).to.include('SwaggerUIBundle');
    const css = await t.request('GET', '/docs/assets/swagger-ui.css');
    expect(css.headers.get('content-type')).to.match(/text\/css/);
    const init = await t.request('GET', '/docs/assets/docs-init.js');
    expect(init.text).to.include("url: '/openapi.json'");
    for (const p of ['/docs/assets/package.json', '/docs/assets/..%2f..%2fpackage.json', '/docs/assets/%2e%2e%2fREADME.md', '/docs/assets/index.html', '/docs/assets/swagger-ui-bundle.js.map']) {
      expect((await t.request('GET', p)).status, p).to.equal(404);
    }
  });

  it('keeps every other route behind credentials, and says so in the document', async () => {
    const { token } = await t.owner();
    const inst = await t.sandboxInstance(token);
    // query tokens are only accepted where a page needs them
    expect((await t.request('GET', `/v1/instances/${inst.id}?access_token=${inst.token}`)).status).to.equal(401);
    const doc = (await t.request('GET', '/openapi.json')).body;
    expect(doc.components.securitySchemes).to.have.keys('bearerAuth', 'cookieAuth', 'apiKeyAuth', 'queryToken');
    expect(doc.paths['/v1/instances/{id}'].get.security).to.deep.include({ apiKeyAuth: [] });
    expect(doc.paths['/openapi.json'].get.security).to.deep.equal([]);
  });
});
