/**
 * The webhooks and messages pages in Chromium (the journey's steps 6 and 7), by
 * label and role; the receiver and the API confirm what the clicks did.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { requireChromium, startBrowserHarness, type BrowserHarness } from '../test-support/browser/browser.js';
import { WebhookReceiver } from '../test-support/webhook-receiver.js';

describe('dashboard webhooks and messages pages (Chromium)', function () {
  this.timeout(30_000);
  let h: BrowserHarness;
  let receiver: WebhookReceiver;
  let owner: { token: string };
  let instanceId: string;
  let page: Page;
  let errors: string[];

  before(async function () {
    if (!requireChromium(this)) return;
    h = await startBrowserHarness({ config: { network: { allowLoopbackUrls: true } } });
    receiver = await WebhookReceiver.start();
    owner = await h.server.owner();
    instanceId = (await h.server.sandboxInstance(owner.token, { name: 'Shop' })).id;
    const opened = await h.newPage({ width: 375 });
    ({ page, errors } = opened);
    await opened.context.addCookies([{ name: h.server.config.auth.cookieName, value: owner.token, url: h.server.url }]);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && process.env.TUCAN_SCREENSHOT_FAILURES) await page.screenshot({ path: `/tmp/mw-failed-${this.currentTest.title.slice(0, 2)}.png`, fullPage: true });
  });
  after(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('6. adds a webhook to a local receiver, sees a delivery in the log and redelivers it', async () => {
    await page.goto(`/#/instances/${instanceId}/webhooks`);
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    // the API's complaint appears under the URL field
    await page.getByLabel('URL', { exact: true }).fill('not a url');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText('is not a valid URL').waitFor();
    await page.getByLabel('URL', { exact: true }).fill(receiver.url);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = await page.getByLabel(`Signing secret of ${receiver.url}`).inputValue();
    expect(secret).to.have.length.greaterThan(10);
    const hooks = (await h.server.request('GET', `/v1/instances/${instanceId}/webhooks`, { token: owner.token })).body.webhooks;
    expect(hooks).to.have.length(1);
    expect(hooks[0]).to.include({ url: receiver.url, enabled: true });
    expect(hooks[0].events).to.deep.equal(['message.received']);

    await page.getByRole('button', { name: 'Send test ping' }).click();
    await page.getByText('Test ping sent; answer: 204').waitFor();
    const log = page.getByRole('list', { name: 'Deliveries' });
    await log.getByText('webhook.test').waitFor();
    await log.getByRole('button', { name: 'Details' }).click();
    await page.getByRole('table', { name: 'Attempts' }).getByRole('cell', { name: '204' }).waitFor();
    expect(await page.locator('.delivery-detail pre').innerText()).to.equal(receiver.requests[0].body);

    await log.getByRole('button', { name: 'Redeliver' }).click();
    const got = await receiver.waitFor(2);
    expect(got[1].body).to.equal(got[0].body);
    expect(got[1].headers['webhook-id']).to.equal(got[0].headers['webhook-id']);
    // the one console line is the deliberate 400 above
    expect(errors.filter((e) => !/status of 400/.test(e))).to.deep.equal([]);
  });

  it('7. sends a bulk job to 20 numbers and watches the progress bar reach 20/20', async () => {
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    const numbers = Array.from({ length: 20 }, (_, i) => `5917100${String(i).padStart(4, '0')}`);
    await page.getByLabel('Phone numbers').fill(numbers.join('\n'));
    await page.getByLabel('Message', { exact: true }).fill('{Hi|Hello} [name], new bread today');
    await page.getByRole('button', { name: 'Send to all' }).click();
    await page.getByText('Progress: 20/20').waitFor({ timeout: 20_000 });
    expect(await page.locator('#job-progress').getAttribute('value')).to.equal('20');
    const jobs = (await h.server.request('GET', `/v1/instances/${instanceId}/jobs`, { token: owner.token })).body.jobs;
    expect(jobs).to.have.length(1);
    expect(jobs[0].progress).to.include({ total: 20, sent: 20, failed: 0 });
    // the outbox lists them; filtered by status (sent may turn delivered meanwhile, failed stays empty)
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.getByText('No messages.').waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByText(/^To 59171000019$/).waitFor();
    expect(await page.getByText(/^To 5917100/).count()).to.equal(20);
    expect(errors.filter((e) => !/status of 400/.test(e))).to.deep.equal([]);
  });
});
