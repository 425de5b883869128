/** Instance pages in Chromium: the live QR of a Baileys bot, and a colleague's instance-token session. */
import { expect } from 'chai';
import { requireChromium, startBrowserHarness, type BrowserHarness } from '../test-support/browser/browser.js';
import { fakeSocketFactory } from '../test-support/baileys/fake-socket.js';
import { until } from '../test-support/baileys/engine-harness.js';

const QR = '2@Y2FsbGVkIGEgcXIgcmVmZXJlbmNl,bm9pc2Uga2V5,aWRlbnRpdHkga2V5,YWR2IHNlY3JldA==';

describe('dashboard instance pages (Chromium)', function () {
  let h: BrowserHarness;
  const fake = fakeSocketFactory();

  before(async function () {
    if (!requireChromium(this)) return;
    h = await startBrowserHarness({ app: { baileysSocketFactory: fake.factory } });
  });
  after(async () => {
    await h?.close();
  });

  it('shows a Baileys bot’s QR code and follows each new one the engine emits', async () => {
    const owner = await h.server.owner();
    const created = await h.server.request('POST', '/v1/instances', { token: owner.token, json: { name: 'Tienda', engine: 'baileys' } });
    const { page, context } = await h.newPage();
    await context.addCookies([{ name: h.server.config.auth.cookieName, value: owner.token, url: h.server.url }]);
    await page.goto(`/#/instances/${created.body.id}/link`);
    await page.getByRole('heading', { level: 1, name: 'Link “Tienda”' }).waitFor();
    await page.getByRole('button', { name: 'Connect' }).click();
    await until(() => fake.sockets.length > 0, 'a socket');
    fake.latest().showQr(QR);
    const image = page.getByRole('img', { name: 'WhatsApp QR code to scan' });
    await image.waitFor();
    expect(await image.getAttribute('data-qr')).to.equal(QR);
    const first = await image.getAttribute('src');
    expect(first).to.match(/^data:image\/png;base64,/);
    await page.getByText('Waiting for a scan').first().waitFor();
    // a fresh code arrives through the event stream, with no reload
    fake.latest().showQr(`${QR}X`);
    await page.locator(`img[data-qr="${QR}X"]`).waitFor();
    expect(await image.getAttribute('src')).to.not.equal(first);
    // the pairing-code alternative is offered beside it
    await page.getByLabel('Phone number to link').waitFor();
    await context.close();
  });

  it('opens one bot’s pages with its token from a link, drops the token from the address bar, and shows no other bot', async () => {
    const owner = await h.server.owner();
    const mine = await h.server.sandboxInstance(owner.token, { name: 'Mine' });
    const other = await h.server.sandboxInstance(owner.token, { name: 'Other' });
    const { page } = await h.newPage();
    await page.goto(`/?access_token=${encodeURIComponent(mine.token)}#/instances/${mine.id}/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(page.url()).to.not.include('access_token').and.not.include(mine.token);
    await page.getByText('Mine').first().waitFor();
    // a colleague has no list of bots, and another bot of the same owner is not found
    expect(await page.getByRole('link', { name: 'Bots', exact: true }).count()).to.equal(0);
    await page.goto(`/#/instances/${other.id}/settings`);
    await page.getByRole('heading', { level: 1, name: 'This bot is not available' }).waitFor();
    // a change made with the token is real
    await page.goto(`/#/instances/${mine.id}/settings`);
    await page.getByLabel('Bot name').fill('Colleague bot');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved.').waitFor();
    expect((await h.server.request('GET', `/v1/instances/${mine.id}/settings`, { apiKey: mine.token })).body.bot_name).to.equal('Colleague bot');
    expect((await h.server.request('GET', `/v1/instances/${other.id}/settings`, { token: owner.token })).body.bot_name).to.not.equal('Colleague bot');
  });


  it('asks before rotating a token or deleting a bot, by keyboard too, and shows the new token once', async () => {
    const owner = await h.server.owner();
    const bot = await h.server.sandboxInstance(owner.token, { name: 'Kiosk' });
    const { page, context } = await h.newPage({ width: 375 });
    await context.addCookies([{ name: h.server.config.auth.cookieName, value: owner.token, url: h.server.url }]);
    await page.goto('/#/instances');
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Kiosk' }) });
    await card.getByRole('button', { name: 'Rotate token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the token of “Kiosk”?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // still the old token: nothing happened without a yes
    expect((await h.server.request('GET', `/v1/instances/${bot.id}`, { apiKey: bot.token })).status).to.equal(200);
    await card.getByRole('button', { name: 'Rotate token' }).click();
    await dialog.getByRole('button', { name: 'Rotate token' }).click();
    const fresh = await card.getByLabel('Access token of “Kiosk” (X-API-Key)').inputValue();
    expect((await h.server.request('GET', `/v1/instances/${bot.id}`, { apiKey: bot.token })).status).to.equal(401);
    expect((await h.server.request('GET', `/v1/instances/${bot.id}`, { apiKey: fresh })).status).to.equal(200);
    await card.getByRole('button', { name: 'I have stored it' }).click();
    await card.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete “Kiosk”?' }).getByRole('button', { name: 'Cancel' }).click();
    expect((await h.server.request('GET', `/v1/instances/${bot.id}`, { token: owner.token })).status).to.equal(200);
    await card.getByRole('button', { name: 'Delete' }).click();
    // Enter on the focused confirm button, as a keyboard user would
    await page.getByRole('dialog', { name: 'Delete “Kiosk”?' }).getByRole('button', { name: 'Delete' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Kiosk' }).waitFor({ state: 'detached' });
    expect((await h.server.request('GET', `/v1/instances/${bot.id}`, { token: owner.token })).status).to.equal(404);
    await context.close();
  });

  it('speaks Spanish when the browser does, and switches back to English', async () => {
    const { page } = await h.newPage({ locale: 'es-BO' });
    await page.goto('/');
    await page.getByRole('heading', { level: 1, name: 'Iniciar sesión' }).waitFor();
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  });
});
