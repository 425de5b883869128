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

  it('generates the OpenAPI document from the route schemas, behind credentials', async () => {
    expect((await t.request('GET', '/openapi.json')).status).to.equal(401);
    const { token } = await t.owner();
    const doc = await t.request('GET', '/openapi.json', { token });
    expect(doc.status).to.equal(200);
    expect(doc.body.openapi).to.equal('3.1.0');
    const patch = doc.body.paths['/v1/instances/{id}/settings'].patch;
    expect(patch.parameters[0]).to.include({ name: 'id', in: 'path', required: true });
    const schema = patch.requestBody.content['application/json'].schema;
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.properties).to.have.keys('bot_name', 'bot_timezone', 'bot_lang', 'default_msg', 'actions', 'active_days', 'active_hours');
    expect(doc.body.paths['/v1/auth/register'].post.security).to.deep.equal([]);
    expect(doc.body.paths['/health'].get.security).to.deep.equal([]);
    expect(doc.body.paths['/v1/instances'].post.responses['400'].$ref).to.equal('#/components/responses/Problem400');
  });

  it('renders readable docs, also with ?access_token= for browsers', async () => {
    const { token } = await t.owner();
    const inst = await t.sandboxInstance(token);
    const page = await t.request('GET', `/docs?access_token=${inst.token}`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/text\/html/);
    expect(page.text).to.include('/v1/instances/{id}/settings/active-hours');
    // query tokens are only accepted where a page needs them
    expect((await t.request('GET', `/v1/instances/${inst.id}?access_token=${inst.token}`)).status).to.equal(401);
  });
});
