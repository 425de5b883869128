import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

/** Every endpoint of the seed document (shared/seeds/003_191e6abfde8b0db6.txt). */
const SEED_ENDPOINTS = [
  'put /whatsapp/updateGeneral',
  'put /whatsapp/updateActions',
  'put /whatsapp/updateActiveDays',
  'put /whatsapp/updateActiveHours',
  'put /whatsapp/setWebhook',
  'post /whatsapp/createNewWhatsapp',
  'post /whatsapp/init',
  'get /whatsapp/scan',
  'get /whatsapp/instance',
  'delete /whatsapp/{id}',
  'get /whatsapp/instance/logout/{id}',
  'get /whatsapp',
  'post /whatsapp/message',
  'post /whatsapp/message/image',
  'post /whatsapp/message/video',
  'post /whatsapp/message/audio',
  'post /whatsapp/message/doc',
  'post /whatsapp/message/fileurl',
  'post /whatsapp/message/button',
  'post /whatsapp/message/contact',
  'post /whatsapp/message/list',
  'post /whatsapp/message/MediaButton',
  'post /whatsapp/message/sendText',
  'post /whatsapp/sendText',
];

describe('seed 003 dialect: the OpenAPI document', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  it('lists every seed 003 endpoint under its own tag, each requiring credentials', async () => {
    const doc = (await t.request('GET', '/openapi.json', { token: (await t.owner()).token })).body;
    expect(doc.tags.map((tag: { name: string }) => tag.name)).to.include('Seed 003: Whatsapp/Bots');
    const tagged: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { tags: string[]; security: unknown[] }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!op.tags.includes('Seed 003: Whatsapp/Bots')) continue;
        tagged.push(`${method} ${path}`);
        expect(op.security, `${method} ${path}`).to.not.deep.equal([]);
      }
    }
    expect(tagged.sort()).to.deep.equal([...SEED_ENDPOINTS].sort());
    expect(doc.paths['/whatsapp/sendText'].post.deprecated).to.equal(true);
  });
});
