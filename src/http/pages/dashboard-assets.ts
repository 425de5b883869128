/**
 * The dashboard's files: the browser modules under web/ (served as they are,
 * no build step) and the three vendor modules from node_modules. Both are
 * found from the repository root, so `npm run dev` (src/) and `npm start`
 * (dist/) serve the same files. A request names an entry of the list made
 * at start-up, never a path on disk.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** src/http/pages and dist/http/pages are both three levels below the repository root. */
export const WEB_DIR = path.join(fileURLToPath(new URL('../../../', import.meta.url)), 'web');

const require = createRequire(import.meta.url);
const VENDOR: Record<string, string> = {
  'vendor/preact.js': require.resolve('preact'),
  'vendor/hooks.js': require.resolve('preact/hooks'),
  // htm exports its ES module only under the "browser" condition; it sits beside the CommonJS build
  'vendor/htm.js': path.join(path.dirname(require.resolve('htm')), 'htm.module.js'),
};

/** Bare specifiers in the dashboard's modules, mapped to the vendor files above. */
const IMPORT_MAP = JSON.stringify({ imports: { preact: '/ui/vendor/preact.js', 'preact/hooks': '/ui/vendor/hooks.js', htm: '/ui/vendor/htm.js' } });
const IMPORT_MAP_HASH = createHash('sha256').update(IMPORT_MAP).digest('base64');

/** Scripts from this server plus the one inline import map (by its hash); no inline styles, nothing from elsewhere. */
export const DASHBOARD_CSP = `default-src 'none'; script-src 'self' 'sha256-${IMPORT_MAP_HASH}'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.html': 'text/html; charset=utf-8',
};

function walk(dir: string, prefix = ''): [string, string][] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e): [string, string][] => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return walk(path.join(dir, e.name), rel);
    // documentation and tests stay in the repository
    return TYPES[path.extname(e.name)] && !e.name.endsWith('.md') ? [[rel, path.join(dir, e.name)]] : [];
  });
}

let files: Map<string, string> | null = null;
const cache = new Map<string, Buffer>();

/** The file's bytes and type for a name such as `app.js`, `pages/rules.js` or `vendor/preact.js`; null when not on the list. */
export function dashboardAsset(name: string): { body: Buffer; type: string } | null {
  files ??= new Map([...walk(WEB_DIR).filter(([rel]) => rel !== 'index.html'), ...Object.entries(VENDOR)]);
  const file = files.get(name);
  if (!file) return null;
  let body = cache.get(name);
  if (!body) {
    body = fs.readFileSync(file);
    // web/ is edited while `npm run dev` runs; vendor files never change
    if (name.startsWith('vendor/')) cache.set(name, body);
  }
  return { body, type: TYPES[path.extname(file)] ?? 'text/javascript; charset=utf-8' };
}

/** index.html with the import map written in (its hash is in the CSP). */
export function dashboardPage(): string {
  const html = fs.readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
  return html.replace('<!-- import map -->', `<script type="importmap">${IMPORT_MAP}</script>`);
}
