import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type { Logger } from '../../logger.js';

const INCOMING = /^[A-Za-z0-9._-]{1,64}$/;

/** Every response carries X-Request-Id (the caller's, when sane); one access-log line per request, no bodies. */
export function requestId(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const id = INCOMING.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.state.log = logger.child({ request_id: id });
    ctx.set('X-Request-Id', id);
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      ctx.state.log.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms }, 'request');
    }
  };
}
