/**
 * The flows page in Chromium: a flow made with the form, broken on purpose so the
 * API's complaint lands on the field it names, and the JSON view's round trip.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { requireChromium, startBrowserHarness, type BrowserHarness } from '../test-support/browser/browser.js';

describe('dashboard flows page (Chromium)', function () {
  this.timeout(30_000);
  let h: BrowserHarness;
  let owner: { token: string };
  let instanceId: string;
  let page: Page;
  let errors: string[];
  const flows = async () => (await h.server.request('GET', `/v1/instances/${instanceId}/flows`, { token: owner.token })).body.flows;

  before(async function () {
    if (!requireChromium(this)) return;
    h = await startBrowserHarness();
    owner = await h.server.owner();
    instanceId = (await h.server.sandboxInstance(owner.token, { name: 'Shop' })).id;
    const opened = await h.newPage();
    ({ page, errors } = opened);
    await opened.context.addCookies([{ name: h.server.config.auth.cookieName, value: owner.token, url: h.server.url }]);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && process.env.TUCAN_SCREENSHOT_FAILURES) await page.screenshot({ path: '/tmp/flows-failed.png', fullPage: true });
  });
  after(async () => {
    await h?.close();
  });

  it('creates a flow with the form, shows the API error on the field it names, and round-trips the JSON view', async () => {
    await page.goto(`/#/instances/${instanceId}/flows`);
    await page.getByRole('heading', { level: 1, name: 'Flows' }).waitFor();
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByLabel('Flow name').fill('order');
    await page.getByLabel('Start keywords').fill('pedido\norder');
    await page.getByLabel('Step id').fill('menu');
    await page.getByLabel('Send').fill('1 Pizza\n2 Burger');
    await page.getByRole('button', { name: 'Add a step' }).click();
    await page.getByLabel('Step id').nth(1).fill('done');
    await page.getByLabel('Send').nth(1).fill('Thanks!');
    await page.getByLabel('Then wait for').first().selectOption('choice');
    await page.getByLabel('Option 1: keywords').fill('1, pizza');
    await page.getByLabel('Option 1: go to').selectOption('done');
    // broken on purpose: a choice with no options
    await page.getByRole('button', { name: 'Remove option 1' }).click();
    await page.getByRole('button', { name: 'Save flow' }).click();
    const optionsError = page.locator('.options .field-error');
    await optionsError.waitFor();
    expect(await optionsError.innerText()).to.match(/at least 1|too small|>=1/i);
    expect(await flows()).to.have.length(0);

    await page.getByRole('button', { name: 'Add an option' }).click();
    await page.getByLabel('Option 1: keywords').fill('1, pizza');
    await page.getByLabel('Option 1: go to').selectOption('done');
    await page.getByRole('button', { name: 'Save flow' }).click();
    await page.getByRole('heading', { level: 2, name: 'order' }).waitFor();
    const [saved] = await flows();
    expect(saved).to.deep.include({ name: 'order', start: 'menu', enabled: true });
    expect(saved.trigger.keywords).to.deep.equal(['pedido', 'order']);
    expect(saved.steps[0].expect).to.deep.include({ type: 'choice', options: [{ match: ['1', 'pizza'], next: 'done' }] });
    expect(saved.steps[1]).to.deep.include({ id: 'done', end: true, send: { text: 'Thanks!' } });

    // JSON view: the same document; an edit there shows in the form and is saved
    await page.getByRole('button', { name: 'Edit order' }).click();
    await page.getByRole('button', { name: 'JSON' }).click();
    const doc = JSON.parse(await page.getByLabel('Flow document (JSON)').inputValue());
    expect(doc.steps).to.deep.equal(saved.steps);
    doc.name = 'order v2';
    doc.steps[1].send.text = 'Gracias!';
    await page.getByLabel('Flow document (JSON)').fill(JSON.stringify(doc, null, 2));
    await page.getByRole('button', { name: 'Form' }).click();
    expect(await page.getByLabel('Flow name').inputValue()).to.equal('order v2');
    expect(await page.getByLabel('Send').nth(1).inputValue()).to.equal('Gracias!');
    await page.getByRole('button', { name: 'Save flow' }).click();
    await page.getByRole('heading', { level: 2, name: 'order v2' }).waitFor();
    const [after] = await flows();
    expect(after.steps[1].send).to.deep.equal({ text: 'Gracias!' });
    expect(after.version).to.equal(2);
    expect(errors.filter((e) => !/status of 400/.test(e))).to.deep.equal([]);
  });
});
