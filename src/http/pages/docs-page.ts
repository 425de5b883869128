/**
 * /docs: Swagger UI (served locally, see docs-assets.ts) with try-it-out,
 * and under <noscript> a readable, script-free rendering of the same
 * OpenAPI document.
 */
import { esc, page } from './html.js';

type Json = Record<string, unknown>;

function schemaBlock(schema: unknown): string {
  return schema ? `<pre>${esc(JSON.stringify(schema, null, 2))}</pre>` : '';
}

function operationHtml(method: string, path: string, op: Json): string {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const body = op.requestBody as Json | undefined;
  const responses = (op.responses as Record<string, Json>) ?? {};
  const paramRows = params
    .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'required' : ''}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td></tr>`)
    .join('');
  const bodyHtml = body
    ? Object.entries((body.content as Record<string, Json>) ?? {})
        .map(([type, c]) => `<p>Body (<code>${esc(type)}</code>)</p>${schemaBlock(c.schema)}`)
        .join('')
    : '';
  const responseRows = Object.entries(responses)
    .map(([status, r]) => `<tr><td>${esc(status)}</td><td>${esc(r.description ?? String(r.$ref ?? '').split('/').pop())}</td></tr>`)
    .join('');
  return `<details class="op"><summary><span class="m ${esc(method)}">${esc(method)}</span> <code>${esc(path)}</code> — ${esc(op.summary)}${op.deprecated ? ' <em>(deprecated)</em>' : ''}</summary>
${op.description ? `<p>${esc(op.description)}</p>` : ''}
${paramRows ? `<table><tr><th>parameter</th><th>in</th><th></th><th>schema</th></tr>${paramRows}</table>` : ''}
${bodyHtml}
<table><tr><th>status</th><th>meaning</th></tr>${responseRows}</table></details>`;
}

/** The page's Content-Security-Policy: scripts and everything else from this server only (Swagger UI sets inline styles). */
export const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function docsPage(doc: Json): string {
  const assets = '/docs/assets';
  const head = `<link rel="stylesheet" href="${assets}/swagger-ui.css"><link rel="icon" href="${assets}/favicon-32x32.png">`;
  const app = `<div id="swagger-ui"></div><script src="${assets}/swagger-ui-bundle.js"></script><script src="${assets}/docs-init.js"></script>`;
  return page('tucan API', `${app}<noscript>${readable(doc)}</noscript>`, head);
}

function readable(doc: Json): string {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = ((op.tags as string[] | undefined) ?? ['Other'])[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push(operationHtml(method, path, op));
    }
  }
  const tagInfo = new Map(((doc.tags as { name: string; description: string }[]) ?? []).map((t) => [t.name, t.description]));
  const sections = [...byTag.entries()]
    .map(([tag, ops]) => `<h2 id="${esc(tag)}">${esc(tag)}</h2>${tagInfo.get(tag) ? `<p class="muted">${esc(tagInfo.get(tag))}</p>` : ''}${ops.join('\n')}`)
    .join('\n');
  const toc = [...byTag.keys()].map((t) => `<a href="#${esc(t)}">${esc(t)}</a>`).join(' · ');
  const info = doc.info as Json;
  return `<h1>${esc(info.title)} API <small class="muted">${esc(info.version)}</small></h1><p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p><p>${toc}</p>${sections}`;
}
