/**
 * Request bodies, parsed per route according to what it accepts. Uploaded
 * files are read into memory and their temp files removed at once (the
 * whole per-request upload directory, on every exit path): media
 * intake works on bytes, and nothing user-supplied lingers on disk. A form
 * body keeps its raw text (ctx.state.rawForm), small by its limit, for the
 * dialects that read JSON sent with a form content type (kit/quirks.ts).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Koa from 'koa';
import type { File } from 'formidable';
import { PayloadTooLargeError, ServiceError } from '../../services/errors.js';
import type { UploadedFile } from '../../services/ports.js';

export type BodyKind = 'json' | 'multipart' | 'form';

export interface BodyLimits {
  jsonLimitBytes: number;
  maxUploadBytes: number;
  /** Where uploads are written while parsed, each request in a directory of its own (the OS temp directory unless given). */
  uploadDir?: string;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

function toArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The three parsers of a route; koa-body (and formidable) are loaded with the first body any route reads. */
function parsersFor(koaBodyModule: typeof import('koa-body'), limits: BodyLimits) {
  const { koaBody, HttpMethodEnum } = koaBodyModule;
  const parsedMethods = [HttpMethodEnum.POST, HttpMethodEnum.PUT, HttpMethodEnum.PATCH, HttpMethodEnum.DELETE, HttpMethodEnum.GET];
  return {
    // forms keep their raw text (ctx.request.rawBody); JSON does not, since it may carry large base64 files
    form: koaBody({ json: false, urlencoded: true, formLimit: limits.jsonLimitBytes, text: false, multipart: false, includeUnparsed: true, parsedMethods, onError: rethrow }),
    json: koaBody({ json: true, jsonStrict: false, jsonLimit: limits.jsonLimitBytes, urlencoded: false, text: false, multipart: false, parsedMethods, onError: rethrow }),
    // one per request: its files go to a directory of its own, removed whatever happens
    multipart: (uploadDir: string) =>
      koaBody({
        json: false,
        urlencoded: false,
        text: false,
        multipart: true,
        parsedMethods,
        formidable: {
          uploadDir,
          maxFileSize: limits.maxUploadBytes,
          maxTotalFileSize: limits.maxUploadBytes,
          maxFiles: 10,
          maxFieldsSize: limits.jsonLimitBytes,
          allowEmptyFiles: false,
          keepExtensions: false,
        },
        onError: rethrow,
      }),
  };
}

let koaBodyModule: Promise<typeof import('koa-body')> | null = null;

export function bodyParser(accepts: BodyKind[], limits: BodyLimits): Koa.Middleware {
  let parsers: ReturnType<typeof parsersFor> | null = null;
  const ready = async () => (parsers ??= parsersFor(await (koaBodyModule ??= import('koa-body')), limits));

  return async (ctx, next) => {
    // read already (a quirk needed the credential inside it)
    if (ctx.state.files !== undefined) return next();
    const length = Number(ctx.get('content-length') || 0);
    const hasBody = length > 0 || ctx.get('transfer-encoding') !== '';
    let files: UploadedFile[] = [];
    if (hasBody) {
      const type = ctx.request.type;
      const isJson = ctx.is(JSON_TYPES) !== false;
      const isMultipart = type === 'multipart/form-data';
      const isForm = type === 'application/x-www-form-urlencoded';
      const ok = (isJson && accepts.includes('json')) || (isMultipart && accepts.includes('multipart')) || (isForm && (accepts.includes('form') || accepts.includes('multipart')));
      if (!ok) {
        const wanted = accepts.map((a) => ({ json: 'application/json', multipart: 'multipart/form-data', form: 'application/x-www-form-urlencoded' })[a]);
        throw new ServiceError(415, 'Unsupported media type', `body: send ${wanted.join(' or ')} (got ${type || 'no content type'})`, [
          { field: 'body', message: `content type must be ${wanted.join(' or ')}` },
        ]);
      }
      const { form, json, multipart } = parsers ?? (await ready());
      if (isMultipart) files = await parseMultipart(ctx, multipart, limits);
      else {
        try {
          await (isForm ? form : json)(ctx, async () => {});
        } catch (err) {
          throw translateParseError(err, limits);
        }
        if (isForm) ctx.state.rawForm = (ctx.request as { rawBody?: unknown }).rawBody;
      }
    }
    ctx.state.files = files;
    await next();
  };
}

/**
 * Parses a multipart body into memory. The parser writes files to disk as
 * they arrive, and when it fails (too many files or fields, a file too large
 * after others, an aborted upload) it reports none of them; so each request
 * gets a directory of its own, removed on every way out.
 */
async function parseMultipart(ctx: Koa.Context, parser: (uploadDir: string) => Koa.Middleware, limits: BodyLimits): Promise<UploadedFile[]> {
  const dir = await fs.mkdtemp(path.join(limits.uploadDir ?? os.tmpdir(), 'tucan-upload-'));
  try {
    try {
      await parser(dir)(ctx, async () => {});
    } catch (err) {
      throw translateParseError(err, limits);
    }
    const files: UploadedFile[] = [];
    for (const [field, entry] of Object.entries(ctx.request.files ?? {})) {
      for (const f of toArray<File>(entry as File | File[])) {
        files.push({ field, filename: f.originalFilename ?? null, mimetype: f.mimetype ?? null, size: f.size, data: await fs.readFile(f.filepath) });
      }
    }
    return files;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function rethrow(err: Error): never {
  throw err;
}

function translateParseError(err: unknown, limits: BodyLimits): unknown {
  const e = err as { httpCode?: number; code?: number; status?: number; message?: string; type?: string };
  // formidable: 1009 biggerThanMaxFileSize, 1016 biggerThanTotalMaxFileSize
  if (e.code === 1009 || e.code === 1016 || e.httpCode === 413) {
    return new PayloadTooLargeError('file', `exceeds the upload limit of ${limits.maxUploadBytes} bytes`);
  }
  // formidable 1002: the client went away mid-upload (no one reads this answer; it is not our error)
  if (e.code === 1002) return new ServiceError(400, 'Invalid request', 'body: the upload was aborted before it was complete', [{ field: 'body', message: 'the upload was aborted' }]);
  if (e.status === 413 || e.type === 'entity.too.large') return new PayloadTooLargeError('body', `exceeds the limit of ${limits.jsonLimitBytes} bytes`);
  if (e.status === 400 || e.httpCode === 400) {
    const msg = e.type === 'entity.parse.failed' || /JSON/i.test(e.message ?? '') ? 'is not valid JSON' : `could not be parsed (${e.message})`;
    return new ServiceError(400, 'Invalid request', `body: ${msg}`, [{ field: 'body', message: msg }]);
  }
  return err;
}
