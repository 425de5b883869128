/** Requests as the seed's curl examples make them, and media fixtures. Not a test file itself. */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MEDIA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/media');

export const media = (name: string): Buffer => fs.readFileSync(path.join(MEDIA, name));

/** `curl --data '<json>'` without a Content-Type: the JSON text, labelled as a urlencoded form. */
export function curlData(json: unknown): { body: string; headers: Record<string, string> } {
  return { body: JSON.stringify(json), headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-refresh': '' } };
}

/** `curl --form ...`: multipart fields and an optional file. */
export function form(fields: Record<string, string>, file?: { data: Buffer; name: string; type: string; field?: string }): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (file) f.append(file.field ?? 'file', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  return f;
}

/** The seed's error envelope: the named fields. */
export function fieldsOf(body: { data?: { errors?: { field: string }[] } }): string[] {
  return (body.data?.errors ?? []).map((e) => e.field);
}

/** `curl --request GET --data '<json>'`: fetch cannot send a body with GET, node:http can. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function getWithBody(url: string, json: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const text = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(text)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: raw ? JSON.parse(raw) : undefined });
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}
