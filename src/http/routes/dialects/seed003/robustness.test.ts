import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../../../test-support/test-server.js';

describe('seed 003 dialect: malformed requests', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close({ cleanup: true }));

  it('answers odd bodies on every route with a 4xx in the seed envelope, never a 5xx', async () => {
    const token = (await t.owner()).token;
    const inst = await t.sandboxInstance(token);
    const routes: [string, string][] = [
      ['PUT', '/whatsapp/updateGeneral'],
      ['PUT', '/whatsapp/updateActions'],
      ['PUT', '/whatsapp/updateActiveDays'],
      ['PUT', '/whatsapp/updateActiveHours'],
      ['PUT', '/whatsapp/setWebhook'],
      ['POST', '/whatsapp/createNewWhatsapp'],
      ['POST', '/whatsapp/init'],
      ['POST', '/whatsapp/message'],
      ['POST', '/whatsapp/message/image'],
      ['POST', '/whatsapp/message/fileurl'],
      ['POST', '/whatsapp/message/button'],
      ['POST', '/whatsapp/message/contact'],
      ['POST', '/whatsapp/message/list'],
      ['POST', '/whatsapp/message/MediaButton'],
      ['POST', '/whatsapp/sendText'],
    ];
    const bodies: [string, string][] = [
      ['application/json', '[]'],
      ['application/json', 'null'],
      ['application/json', '"text"'],
      ['application/json', '{"session_id": 5, "access_token": 7}'],
      ['application/json', '{"session_id": null, "chatId": null, "message": null}'],
      ['application/json', '{"__proto__": {"polluted": 1}, "constructor": {}}'],
      ['application/json', '{"access_token": ["tuc_a"], "session_id": ["x"]}'],
      ['application/json', '{"access_token": "not-a-token"}'],
      ['application/x-www-form-urlencoded', '[1,2]'],
      ['application/x-www-form-urlencoded', '{broken'],
      ['application/x-www-form-urlencoded', 'a[b][c]=1&chatId[]=x'],
      ['text/plain', 'hello'],
    ];
    const problems: string[] = [];
    for (const [method, path] of routes) {
      for (const [type, body] of bodies) {
        for (const login of [true, false]) {
          const headers: Record<string, string> = { 'content-type': type, ...(login ? { authorization: `Bearer ${token}` } : {}) };
          const res = await fetch(`${t.url}${path}?session_id=${inst.id}`, { method, headers, body });
          const text = await res.text();
          const where = `${method} ${path} (${type}) ${body}${login ? ' +login' : ''}`;
          // a JSON null is read as no body, which createNewWhatsapp accepts ({} is the seed's example)
          if (path === '/whatsapp/createNewWhatsapp' && body === 'null' && res.status === 200) continue;
          if (res.status < 400 || res.status >= 500) problems.push(`${where} → ${res.status} ${text}`);
          else if (JSON.parse(text).status !== false) problems.push(`${where} → not the seed envelope: ${text}`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });
});
