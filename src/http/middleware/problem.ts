/**
 * Turns any error into an answer. Known errors keep their status and field
 * list; anything else is a bug: logged with the request id, answered 500.
 */
import type Koa from 'koa';
import { DuplicateKeyError } from '../../store/port.js';
import { ServiceError, type FieldProblem } from '../../services/errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
  request_id: string;
}

/** How a dialect wraps a problem in its own envelope (the native API uses problem+json). */
export type ErrorFormatter = (problem: Problem) => { body: unknown; type: string };

export const problemJson: ErrorFormatter = (problem) => ({ body: problem, type: 'application/problem+json' });

const SLUGS: Record<number, string> = {
  400: 'invalid-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'rate-limited',
  500: 'internal-error',
  503: 'unavailable',
};

interface HttpishError {
  status?: number;
  statusCode?: number;
  httpCode?: number;
  expose?: boolean;
  message?: string;
  type?: string;
  code?: number | string;
}

export function toProblem(err: unknown, requestId: string): { problem: Problem; headers: Record<string, string> } {
  let status = 500;
  let title = 'Internal error';
  let detail = `unexpected error; quote request id ${requestId} when reporting it`;
  let errors: FieldProblem[] | undefined;
  let headers: Record<string, string> = {};
  let slug: string | undefined;

  if (err instanceof ServiceError) {
    ({ status, title } = err);
    slug = err.type;
    detail = err.message;
    errors = err.errors.length > 0 ? err.errors : undefined;
    headers = err.headers;
  } else if (err instanceof DuplicateKeyError) {
    status = 409;
    title = 'Conflict';
    detail = 'a resource with the same unique value already exists';
  } else {
    const e = (err ?? {}) as HttpishError;
    const code = e.status ?? e.statusCode ?? e.httpCode;
    if (typeof code === 'number' && code >= 400 && code < 500) {
      status = code;
      ({ title, detail } = describeClientError(code, e));
      if (status === 400 && e.type === 'entity.parse.failed') errors = [{ field: 'body', message: 'is not valid JSON' }];
    }
  }
  return {
    problem: { type: `https://tucan.dev/problems/${slug ?? SLUGS[status] ?? 'error'}`, title, status, detail, ...(errors ? { errors } : {}), request_id: requestId },
    headers,
  };
}

function describeClientError(status: number, e: HttpishError): { title: string; detail: string } {
  if (e.type === 'entity.parse.failed' || /JSON/i.test(e.message ?? '')) return { title: 'Invalid request', detail: 'body: is not valid JSON' };
  if (status === 413 || e.type === 'entity.too.large') return { title: 'Payload too large', detail: `body: exceeds the size limit${e.message ? ` (${e.message})` : ''}` };
  const titles: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed', 415: 'Unsupported media type' };
  return { title: titles[status] ?? 'Invalid request', detail: e.expose !== false && e.message ? e.message : 'invalid request' };
}

export function sendProblem(ctx: Koa.Context, err: unknown, format: ErrorFormatter = problemJson): void {
  const requestId = (ctx.state.requestId as string | undefined) ?? 'unknown';
  const { problem, headers } = toProblem(err, requestId);
  // 502 (WhatsApp refused) and 503 (not connected) are expected answers, not bugs
  const log = ctx.state.log ?? console;
  if (problem.status === 502 || problem.status === 503) log.warn({ status: problem.status, detail: problem.detail }, 'upstream unavailable');
  else if (problem.status >= 500) log.error({ err }, 'unhandled error');
  const { body, type } = format(problem);
  ctx.status = problem.status;
  for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
  ctx.type = type;
  ctx.body = body;
}

/** Outermost: catches what no route caught (unknown paths, methods). */
export function problemHandler(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        sendProblem(ctx, Object.assign(new Error(`no route for ${ctx.method} ${ctx.path}`), { status: 404, expose: true }));
      } else if (ctx.status === 405 && (ctx.body === undefined || typeof ctx.body === 'string')) {
        sendProblem(ctx, Object.assign(new Error(`${ctx.method} is not allowed on ${ctx.path}`), { status: 405, expose: true }));
      }
    } catch (err) {
      sendProblem(ctx, err);
    }
  };
}
