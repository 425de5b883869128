import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';
import { SEED000_TAG } from './envelope.js';

describe('seed 000 dialect: OpenAPI', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  it('lists every seed 000 route under its own tag, with its own error envelope, and hides the /api aliases', async () => {
    const { token } = await t.owner();
    const doc = (await t.request('GET', '/openapi.json', { token })).body;
    expect(doc.tags.map((tag: { name: string }) => tag.name)).to.include(SEED000_TAG);
    const tagged = Object.entries(doc.paths as Record<string, Record<string, { tags: string[]; responses: Record<string, { content?: Record<string, unknown> }> }>>).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.tags.includes(SEED000_TAG))
        .map(([method, op]) => ({ route: `${method.toUpperCase()} ${p}`, op })),
    );
    expect(tagged.map((r) => r.route).sort()).to.deep.equal(
      [
        'GET /whatsapp/connect',
        'GET /whatsapp/connect/view',
        'GET /whatsapp/list-groups',
        'GET /whatsapp/view',
        'POST /whatsapp/send',
        'POST /whatsapp/send-document',
        'POST /whatsapp/send-image',
        'POST /whatsapp/send-to-group',
        'POST /whatsapp/view',
      ].sort(),
    );
    for (const { route, op } of tagged) for (const status of ['400', '401']) expect(JSON.stringify(op.responses[status].content?.['application/json']), `${route} ${status}`).to.contain('Seed000Error');
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/whatsapp/connect') || p.startsWith('/api/whatsapp/send'))).to.deep.equal([]);
    expect(doc.paths['/whatsapp/send-image'].post.requestBody.content['multipart/form-data'].schema.required).to.include.members(['code', 'phone', 'file']);
  });
});
