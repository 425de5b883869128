/**
 * Browser tests' support: Debian's Chromium driven by playwright-core
 * against the real server on an ephemeral port. Not a test file itself.
 *
 * Without /usr/bin/chromium the suite is skipped with a line saying how to
 * install it, unless TUCAN_REQUIRE_CHROMIUM=1 (CI), where it fails. No
 * browser is ever downloaded, and the page may talk to 127.0.0.1 only.
 */
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../test-server.js';
import type { Config, DeepPartial } from '../../config.js';
import type { AppOptions } from '../../app.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

/**
 * Call at the top of a browser suite's describe(): skips it (one line on
 * stderr) when Chromium is missing, or fails it in CI.
 */
export function requireChromium(ctx: Mocha.Context | Mocha.Suite): boolean {
  if (chromiumAvailable()) return true;
  if (process.env.TUCAN_REQUIRE_CHROMIUM === '1') throw new Error(`browser tests need ${CHROMIUM_PATH} (TUCAN_REQUIRE_CHROMIUM=1): apt-get install chromium`);
  if (!skipNoted) {
    skipNoted = true;
    process.stderr.write(`dashboard browser tests skipped: no ${CHROMIUM_PATH}; install it with: apt-get install chromium\n`);
  }
  if ('skip' in ctx && typeof ctx.skip === 'function') ctx.skip();
  return false;
}
let skipNoted = false;

export interface BrowserHarness {
  server: TestServer;
  browser: Browser;
  /** A fresh browser context (its own cookies) with a page on the server, viewport `width` × 900. */
  newPage(options?: { width?: number; locale?: string }): Promise<{ context: BrowserContext; page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Starts the server and Chromium (fresh user-data dir); every request to anything but the server fails. */
export async function startBrowserHarness(options: { config?: DeepPartial<Config>; app?: AppOptions } = {}): Promise<BrowserHarness> {
  const server = await startTestServer(options);
  // launch() gives the browser a fresh temporary profile (user-data dir) and removes it on close; each context has its own cookies
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
  const origin = new URL(server.url).origin;
  const contexts: BrowserContext[] = [];
  return {
    server,
    browser,
    async newPage(o = {}) {
      const context = await browser.newContext({ viewport: { width: o.width ?? 1280, height: 900 }, locale: o.locale ?? 'en-US', baseURL: server.url });
      contexts.push(context);
      await context.route('**/*', (route) => (new URL(route.request().url()).origin === origin ? route.continue() : route.abort()));
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.setDefaultTimeout(5000);
      return { context, page, errors };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await server.close({ cleanup: true });
    },
  };
}
