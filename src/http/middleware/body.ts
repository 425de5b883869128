/**
 * Request bodies, parsed per route according to what it accepts. Uploaded
 * files are read into memory and their temp files removed at once: media
 * intake works on bytes, and nothing user-supplied lingers on disk.
 */
import fs from 'node:fs/promises';
import type Koa from 'koa';
import { HttpMethodEnum, koaBody } from 'koa-body';
import type { File } from 'formidable';
import { PayloadTooLargeError, ServiceError } from '../../services/errors.js';
import type { BodyKind, UploadedFile } from '../route.js';

export interface BodyLimits {
  jsonLimitBytes: number;
  maxUploadBytes: number;
}

export interface BodyOptions {
  /** A form body whose text is JSON (curl --data without a Content-Type) is read as JSON. */
  jsonInForm?: boolean;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

function toArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function bodyParser(accepts: BodyKind[], limits: BodyLimits, options: BodyOptions = {}): Koa.Middleware {
  const parser = koaBody({
    json: accepts.includes('json'),
    jsonStrict: false,
    jsonLimit: limits.jsonLimitBytes,
    urlencoded: accepts.includes('form') || accepts.includes('multipart'),
    formLimit: limits.jsonLimitBytes,
    text: false,
    multipart: accepts.includes('multipart'),
    // the raw text (ctx.request.rawBody) is kept only to recognise JSON sent with a form content type
    includeUnparsed: options.jsonInForm ?? false,
    parsedMethods: [HttpMethodEnum.POST, HttpMethodEnum.PUT, HttpMethodEnum.PATCH, HttpMethodEnum.DELETE, HttpMethodEnum.GET],
    formidable: {
      maxFileSize: limits.maxUploadBytes,
      maxTotalFileSize: limits.maxUploadBytes,
      maxFiles: 10,
      maxFieldsSize: limits.jsonLimitBytes,
      allowEmptyFiles: false,
      keepExtensions: false,
    },
    onError: (err) => {
      throw err;
    },
  });

  return async (ctx, next) => {
    const length = Number(ctx.get('content-length') || 0);
    const hasBody = length > 0 || ctx.get('transfer-encoding') !== '';
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
      try {
        await parser(ctx, async () => {});
      } catch (err) {
        throw translateParseError(err, limits);
      }
      if (options.jsonInForm && isForm) ctx.request.body = formOrJson(ctx.request.body, (ctx.request as { rawBody?: unknown }).rawBody) as typeof ctx.request.body;
    }
    const files: UploadedFile[] = [];
    const raw = ctx.request.files ?? {};
    try {
      for (const [field, entry] of Object.entries(raw)) {
        for (const f of toArray<File>(entry as File | File[])) {
          files.push({ field, filename: f.originalFilename ?? null, mimetype: f.mimetype ?? null, size: f.size, data: await fs.readFile(f.filepath) });
        }
      }
    } finally {
      for (const entry of Object.values(raw)) for (const f of toArray<File>(entry as File | File[])) await fs.rm(f.filepath, { force: true });
    }
    ctx.state.files = files;
    await next();
  };
}

/**
 * curl's `--data '{...}'` labels JSON as a form; parsed as one it becomes a
 * mangled key (qs reads brackets as nesting), so the raw text is parsed as
 * JSON instead whenever it is an object.
 */
function formOrJson(body: unknown, raw: unknown): unknown {
  if (typeof raw !== 'string' || !raw.trimStart().startsWith('{')) return body;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ServiceError(400, 'Invalid request', 'body: is not valid JSON', [{ field: 'body', message: 'is not valid JSON' }]);
  }
}

function translateParseError(err: unknown, limits: BodyLimits): unknown {
  const e = err as { httpCode?: number; code?: number; status?: number; message?: string; type?: string };
  // formidable: 1009 biggerThanMaxFileSize, 1016 biggerThanTotalMaxFileSize
  if (e.code === 1009 || e.code === 1016 || e.httpCode === 413) {
    return new PayloadTooLargeError('file', `exceeds the upload limit of ${limits.maxUploadBytes} bytes`);
  }
  if (e.status === 413 || e.type === 'entity.too.large') return new PayloadTooLargeError('body', `exceeds the limit of ${limits.jsonLimitBytes} bytes`);
  if (e.status === 400 || e.httpCode === 400) {
    const msg = e.type === 'entity.parse.failed' || /JSON/i.test(e.message ?? '') ? 'is not valid JSON' : `could not be parsed (${e.message})`;
    return new ServiceError(400, 'Invalid request', `body: ${msg}`, [{ field: 'body', message: msg }]);
  }
  return err;
}
