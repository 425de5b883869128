/**
 * The signature-verification snippet of docs/webhooks.md is extracted
 * verbatim, loaded as a module, and run against requests tucan really sent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import type { IncomingHttpHeaders } from 'node:http';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { WebhookReceiver } from '../../test-support/webhook-receiver.js';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/webhooks.md');
const MARKER = '<!-- webhook-verify-snippet';

type Verify = (secret: string, headers: IncomingHttpHeaders, rawBody: string | Buffer, toleranceSeconds?: number) => boolean;

function extractSnippet(markdown: string): string {
  const at = markdown.indexOf(MARKER);
  if (at < 0) throw new Error('docs/webhooks.md has no webhook-verify-snippet marker');
  const fence = /```js\n([\s\S]*?)```/.exec(markdown.slice(at));
  if (!fence) throw new Error('no ```js block after the webhook-verify-snippet marker');
  return fence[1];
}

describe('docs/webhooks.md: the webhook verification snippet', () => {
  let s: TestServer;
  let receiver: WebhookReceiver;
  let verifyWebhook: Verify;
  let dir: string;

  before(async () => {
    const code = extractSnippet(fs.readFileSync(DOC, 'utf8'));
    expect(code).to.not.match(/from '(?!node:)/, 'the snippet may import only node: built-ins');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-snippet-'));
    const file = path.join(dir, 'verify.mjs');
    fs.writeFileSync(file, code);
    ({ verifyWebhook } = (await import(pathToFileURL(file).href)) as { verifyWebhook: Verify });
    s = await startTestServer({ config: { network: { allowLoopbackUrls: true } } });
    receiver = await WebhookReceiver.start();
  });
  after(async () => {
    await receiver.close();
    await s.close({ cleanup: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("verifies tucan's real deliveries and pings, and rejects tampering, wrong secrets and stale timestamps", async () => {
    const owner = await s.owner();
    const instance = await s.sandboxInstance(owner.token);
    const sub = (await s.request('POST', `/v1/instances/${instance.id}/webhooks`, { token: owner.token, json: { url: receiver.url, events: ['connection.update', 'job.progress'] } })).body;
    await s.app.modules.webhooks.webhooks.publish(instance.id, [
      { type: 'job.progress', data: { job_id: 'j1', status: 'running', total: 10, sent: 3, failed: 0, pending: 7 } },
      { type: 'connection.update', data: { status: 'connected', ready: true, phone: '59171234567', reason: null, qr: null } },
    ]);
    expect((await s.request('POST', `/v1/instances/${instance.id}/webhooks/${sub.id}/test`, { token: owner.token })).status).to.equal(200);
    const requests = await receiver.waitFor(3);
    for (const req of requests) {
      expect(verifyWebhook(sub.secret, req.headers, req.body), req.body).to.equal(true);
      expect(verifyWebhook(sub.secret, req.headers, Buffer.from(req.body)), 'Buffer body').to.equal(true);
    }
    const [first] = requests;
    expect(verifyWebhook(sub.secret, first.headers, first.body.replace('"j1"', '"j2"')), 'tampered body').to.equal(false);
    expect(verifyWebhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, first.headers, first.body), 'wrong secret').to.equal(false);
    expect(verifyWebhook(sub.secret, { ...first.headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600) }, first.body), 'stale').to.equal(false);
    expect(verifyWebhook(sub.secret, { ...first.headers, 'webhook-id': undefined }, first.body), 'missing id').to.equal(false);

    // during a rotation both the new and the old secret verify
    const rotated = (await s.request('POST', `/v1/instances/${instance.id}/webhooks/${sub.id}/rotate-secret`, { token: owner.token })).body;
    await s.request('POST', `/v1/instances/${instance.id}/webhooks/${sub.id}/test`, { token: owner.token });
    const last = (await receiver.waitFor(4))[3];
    expect(String(last.headers['webhook-signature']).split(' ')).to.have.length(2);
    expect(verifyWebhook(rotated.secret, last.headers, last.body)).to.equal(true);
    expect(verifyWebhook(sub.secret, last.headers, last.body)).to.equal(true);
  });
});
