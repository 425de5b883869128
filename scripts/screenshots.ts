/**
 * npm run screenshots: a PNG of each dashboard page at 375 and 1280 px wide,
 * in docs/screenshots/, from a real server with sample data (a sandbox bot
 * with a rule and a conversation, a WhatsApp bot waiting for its scan).
 * Needs /usr/bin/chromium (apt-get install chromium).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumAvailable, startBrowserHarness } from '../src/test-support/browser/browser.js';
import { fakeSocketFactory } from '../src/test-support/baileys/fake-socket.js';
import { WebhookReceiver } from '../src/test-support/webhook-receiver.js';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');
const QR = '2@Y2FsbGVkIGEgcXIgcmVmZXJlbmNl,bm9pc2Uga2V5,aWRlbnRpdHkga2V5,YWR2IHNlY3JldA==';

if (!chromiumAvailable()) {
  console.error('screenshots need /usr/bin/chromium: apt-get install chromium');
  process.exit(1);
}
fs.mkdirSync(OUT, { recursive: true });
const fake = fakeSocketFactory();
const h = await startBrowserHarness({ app: { baileysSocketFactory: fake.factory }, config: { network: { allowLoopbackUrls: true } } });
const receiver = await WebhookReceiver.start();
try {
  const s = h.server;
  const reg = await s.request('POST', '/v1/auth/register', { json: { name: 'Ana Rojas', phone: '+59171234567', email: 'ana@example.com', username: 'ana', password: 'a long password' } });
  if (reg.status !== 201) throw new Error(reg.text);
  const token = (await s.request('POST', '/v1/auth/login', { json: { username: 'ana', password: 'a long password' } })).body.token;
  const shop = await s.sandboxInstance(token, { name: 'Panadería Sucre' });
  await s.request('PATCH', `/v1/instances/${shop.id}/settings`, {
    token,
    json: { bot_name: 'Panadería Sucre', bot_timezone: 'America/La_Paz', bot_lang: 'es-BO', default_msg: '{Hola|Buenas} [name], soy [bot_name]. Escribe *precios* o *horario*.', active_days: { sunday: false } },
  });
  await s.request('POST', `/v1/instances/${shop.id}/rules`, { token, json: { name: 'Precios', keywords: ['precio', 'precios', 'cuanto cuesta'], priority: 20, reply: { text: '{Hola|Buenas} [name], el pan cuesta 0,50 Bs y la torta 45 Bs.' } } });
  await s.request('POST', `/v1/instances/${shop.id}/rules`, { token, json: { name: 'Horario', keywords: ['horario', 'abren'], priority: 10, cooldown_seconds: 600, reply: { text: 'Abrimos de lunes a sábado, de 7:00 a 20:00.' } } });
  await s.request('POST', `/v1/instances/${shop.id}/rules`, { token, json: { name: 'Fotos', keywords: [], message_types: ['image'], enabled: false, reply: { text: '¡Gracias por la foto, [name]!' } } });
  const wa = await s.request('POST', '/v1/instances', { token, json: { name: 'Tienda Centro', engine: 'baileys' } });
  await s.request('POST', `/v1/instances/${wa.body.id}/connect`, { token });
  for (let i = 0; i < 50 && fake.sockets.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  fake.latest().showQr(QR);
  // flows, messages and webhooks pages: the order flow, a webhook with its deliveries, a bulk job and a recurring send
  await s.request('POST', `/v1/instances/${shop.id}/flows`, { token, json: JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'flows', 'order.json'), 'utf8')) });
  const hook = await s.request('POST', `/v1/instances/${shop.id}/webhooks`, { token, json: { url: receiver.url, events: ['message.received', 'job.progress'], description: 'Pedidos' } });
  await s.request('POST', `/v1/instances/${shop.id}/webhooks/${hook.body.id}/test`, { token });
  await s.request('POST', `/v1/instances/${shop.id}/messages/bulk`, { token, json: { recipients: ['59171000001', '59171000002', '59171000003'], content: { text: '{Hola|Buenas} [name], hoy hay pan de maíz.' } } });
  await s.request('POST', `/v1/instances/${shop.id}/recurring`, { token, json: { name: 'Recordatorio semanal', to: '59171000001', cron: '0 9 * * mon', content: { text: 'Buenos días, ¿pan para la semana?' } } });

  for (const width of [1280, 375]) {
    const { page, context } = await h.newPage({ width, locale: 'en-US' });
    const shot = async (name: string) => {
      await page.waitForTimeout(700);
      await page.screenshot({ path: path.join(OUT, `${name}-${width}.png`), fullPage: true });
    };
    await page.goto('/#/signin');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await shot('signin');
    await page.goto('/#/register');
    await shot('register');
    await page.goto('/#/signin');
    await page.getByLabel('Username or email').fill('ana');
    await page.getByLabel('Password').fill('a long password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your bots' }).waitFor();
    await shot('instances');
    await page.goto(`/#/instances/${wa.body.id}/link`);
    await page.getByRole('img', { name: 'WhatsApp QR code to scan' }).waitFor();
    await shot('link');
    await page.goto(`/#/instances/${shop.id}/settings`);
    await page.getByTestId('right-now').waitFor();
    await page.locator('.preview-list li').first().waitFor();
    await shot('settings');
    await page.goto(`/#/instances/${shop.id}/rules`);
    await page.getByLabel('Message', { exact: true }).fill('¿Cuánto cuesta la torta?');
    await page.getByRole('button', { name: 'Try it' }).click();
    await page.locator('.try-result').waitFor();
    await shot('rules');
    await page.goto(`/#/instances/${shop.id}/chat`);
    const bubbles = page.getByRole('list', { name: 'Conversation' }).getByRole('listitem');
    for (const [i, text] of ['Hola', '¿cuánto cuesta el pan?'].entries()) {
      await page.getByLabel('Message', { exact: true }).fill(text);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      // the message and its answer
      await bubbles.nth(2 * i + 1).waitFor({ timeout: 15_000 });
    }
    await page.getByText('Why this answer').last().click();
    await shot('test-chat');
    await page.goto(`/#/instances/${shop.id}/flows`);
    await page.getByRole('heading', { level: 1, name: 'Flows' }).waitFor();
    await shot('flows');
    await page.getByRole('button', { name: 'Edit order' }).click();
    await shot('flow-editor');
    await page.goto(`/#/instances/${shop.id}/messages`);
    await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    await shot('messages');
    await page.goto(`/#/instances/${shop.id}/webhooks`);
    await page.getByRole('button', { name: 'Delivery log' }).click();
    await page.getByRole('button', { name: 'Details' }).first().click();
    await shot('webhooks');
    await page.goto('/#/help');
    await shot('help');
    await context.close();
  }
  console.log(`wrote ${fs.readdirSync(OUT).filter((f) => f.endsWith('.png')).length} screenshots to docs/screenshots/`);
} finally {
  await h.close();
  await receiver.close();
}
