/**
 * A 500 means a bug. Every route in the OpenAPI document gets malformed and
 * wrongly typed input (derived from its own request schema), bad and foreign
 * ids and odd query strings, with valid credentials; none may answer with a
 * server error. 502 (WhatsApp refused) and 503 (not connected) are real
 * answers, not bugs.
 */
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

type Json = Record<string, unknown>;

const WRONG_VALUES: unknown[] = [null, 12345, 'x'.repeat(5000), ['a'], { $gt: '' }, true, -1.5];

/** Bodies that break each declared property in turn, plus whole-body garbage. */
function badBodies(schema: Json | undefined): unknown[] {
  const bodies: unknown[] = [{}, [], 'text', 0, { unknown_field: 1 }, { __proto__: { polluted: true }, constructor: { prototype: {} } }];
  const props = (schema?.properties as Record<string, Json> | undefined) ?? {};
  for (const name of Object.keys(props)) {
    for (const value of WRONG_VALUES) bodies.push({ [name]: value });
  }
  return bodies;
}

function fillPath(path: string, ids: Record<string, string>): string[] {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  if (names.length === 0) return [path];
  const variants = [ids, Object.fromEntries(names.map((n) => [n, '6650f1c2a1b2c3d4e5f60718'])), Object.fromEntries(names.map((n) => [n, 'not-an-id%20%3Cscript%3E']))];
  return variants.map((v) => path.replace(/\{([^}]+)\}/g, (_, n: string) => (v as Record<string, string>)[n] ?? ids.id ?? 'x'));
}

// destructive for the rest of the run: they revoke the credentials or delete the instance used throughout
const SKIP = [/\/logout/, /^delete \/v1\/instances\/\{id\}$/, /^delete \/whatsapp\/\{id\}$/, /\/token$/, /rotate-secret/];

describe('no route answers a server error to bad input', function () {
  this.timeout(120_000);
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ config: { network: { allowLoopbackUrls: false, fetchTimeoutMs: 1000 } } });
  });
  after(() => t.close({ cleanup: true }));

  it('holds for every documented route and method', async () => {
    const { token } = await t.owner();
    const inst = await t.sandboxInstance(token);
    const doc = t.app.openApi() as Json;
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const failures: string[] = [];
    let requests = 0;

    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (SKIP.some((re) => re.test(`${method} ${path}`) || re.test(path))) continue;
        const content = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
        const jsonSchema = (content?.['application/json']?.schema ?? content?.['multipart/form-data']?.schema) as Json | undefined;
        for (const url of fillPath(path, { id: inst.id })) {
          const attempts: { body?: unknown; query?: string }[] = [{ query: '?page=-1&limit=abc&status[$ne]=x&format=<x>' }];
          if (method !== 'get' && method !== 'delete') for (const body of badBodies(jsonSchema)) attempts.push({ body });
          for (const a of attempts) {
            for (const credential of [{ token }, { apiKey: inst.token }]) {
              const res = await t.request(method.toUpperCase(), url + (a.query ?? ''), {
                ...credential,
                ...(a.body !== undefined ? { body: JSON.stringify(a.body), headers: { 'content-type': 'application/json' } } : {}),
              });
              requests++;
              if (res.status >= 500 && res.status !== 502 && res.status !== 503) {
                failures.push(`${method.toUpperCase()} ${url}${a.query ?? ''} ${JSON.stringify(a.body)?.slice(0, 80)} → ${res.status} ${res.text.slice(0, 160)}`);
              }
            }
          }
        }
      }
    }
    // malformed JSON and a wrong content type on every body route
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!op.requestBody || method === 'get' || SKIP.some((re) => re.test(path))) continue;
        for (const [body, type] of [['{"broken": ', 'application/json'], ['<xml/>', 'application/xml'], ['a=1&a[b]=2&&=', 'application/x-www-form-urlencoded']]) {
          const url = fillPath(path, { id: inst.id })[0];
          const res = await t.request(method.toUpperCase(), url, { token, body, headers: { 'content-type': type } });
          requests++;
          if (res.status >= 500 && res.status !== 502 && res.status !== 503) failures.push(`${method.toUpperCase()} ${url} ${type} → ${res.status} ${res.text.slice(0, 160)}`);
        }
      }
    }
    expect(requests).to.be.greaterThan(1000);
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });
});
