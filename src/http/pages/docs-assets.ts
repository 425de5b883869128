/**
 * The files /docs needs, served from the installed swagger-ui-dist package
 * (no CDN) and our own small init script. Only the files listed here are
 * served, by name: a request names an entry of this list, never a path.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const SWAGGER_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/**
 * Starts Swagger UI on /openapi.json. A token given as ?access_token= (a
 * link handed to a colleague) authorizes the page, then leaves the address
 * bar. A file of its own, not inline, so the page's CSP allows scripts from
 * 'self' only.
 */
const INIT = `(function () {
  var params = new URLSearchParams(window.location.search);
  var token = params.get('access_token');
  if (token) window.history.replaceState(null, '', window.location.pathname + window.location.hash);
  var ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: true,
    validatorUrl: null,
    onComplete: function () {
      if (token) ui.preauthorizeApiKey('apiKeyAuth', token);
    },
  });
})();
`;

const FILES: Record<string, { file?: string; text?: string; type: string }> = {
  'swagger-ui.css': { file: path.join(SWAGGER_DIR, 'swagger-ui.css'), type: 'text/css; charset=utf-8' },
  'swagger-ui-bundle.js': { file: path.join(SWAGGER_DIR, 'swagger-ui-bundle.js'), type: 'text/javascript; charset=utf-8' },
  'favicon-32x32.png': { file: path.join(SWAGGER_DIR, 'favicon-32x32.png'), type: 'image/png' },
  'docs-init.js': { text: INIT, type: 'text/javascript; charset=utf-8' },
};

export const DOCS_ASSETS = Object.keys(FILES);

const cache = new Map<string, Buffer>();

/** The asset's bytes and content type; null for a name not on the list. */
export function docsAsset(name: string): { body: Buffer; type: string } | null {
  const entry = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (!entry) return null;
  let body = cache.get(name);
  if (!body) {
    body = entry.text !== undefined ? Buffer.from(entry.text) : fs.readFileSync(entry.file!);
    cache.set(name, body);
  }
  return { body, type: entry.type };
}
