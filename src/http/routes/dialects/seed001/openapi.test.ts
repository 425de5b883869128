import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';
import { SEED001_TAG } from './envelope.js';

describe('seed 001 dialect: OpenAPI', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  it('lists every seed 001 route under its own tag, with the seed error envelope', async () => {
    const { token } = await t.owner();
    const doc = (await t.request('GET', '/openapi.json', { token })).body;
    expect(doc.tags.map((tag: { name: string }) => tag.name)).to.include(SEED001_TAG);
    const routes = Object.entries(doc.paths as Record<string, Record<string, { tags: string[]; responses: Record<string, { content?: Record<string, unknown> }> }>>).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.tags.includes(SEED001_TAG))
        .map(([method, op]) => ({ route: `${method.toUpperCase()} ${p}`, op })),
    );
    expect(routes.map((r) => r.route).sort()).to.deep.equal(
      [
        'GET /api/contacts/check/{phone}',
        'POST /api/contacts/check-bulk',
        'GET /api/contacts/info/{phone}',
        'POST /api/messages/send-image',
        'POST /api/messages/send-document',
        'POST /api/messages/send-bulk',
        'GET /api/session/status',
        'GET /api/session/qr',
        'GET /api/session/qr/image',
        'GET /api/session/profile',
        'POST /api/session/logout',
        'POST /api/session/restart',
        'POST /api/webhooks/register',
        'GET /api/webhooks',
        'DELETE /api/webhooks/{id}',
        'POST /api/webhooks/{id}/toggle',
      ].sort(),
    );
    for (const { route, op } of routes) {
      for (const status of ['400', '401', '429']) expect(JSON.stringify(op.responses[status].content?.['application/json']), `${route} ${status}`).to.contain('Seed001Error');
    }
    // the text send is the path shared with seed 002
    expect(doc.paths['/api/messages/send'].post).to.exist;
  });
});
