import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('dashboard help page', () => {
  it('shows the webhook verification snippet exactly as docs/webhooks.md has it (the one a test runs against real deliveries)', async () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'webhooks.md'), 'utf8');
    const documented = /webhook-verify-snippet[^\n]*\n```js\n([\s\S]*?)```/.exec(doc)![1];
    const { VERIFY_SNIPPET } = (await import(path.join(ROOT, 'web', 'lib', 'verify-snippet.js'))) as { VERIFY_SNIPPET: string };
    expect(VERIFY_SNIPPET).to.equal(documented);
    expect(VERIFY_SNIPPET).to.include('export function verifyWebhook(');
  });
});
