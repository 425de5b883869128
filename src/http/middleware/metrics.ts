/**
 * Counts and times every request by its route template (`/v1/instances/:id`,
 * never the path itself, which holds ids); requests no route matched share
 * one label.
 */
import type Koa from 'koa';

export type RequestObserver = (method: string, route: string, status: number, seconds: number) => void;

export function requestMetrics(observe: RequestObserver): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      observe(ctx.method, typeof route === 'string' ? route : 'unmatched', ctx.status, (performance.now() - started) / 1000);
    }
  };
}
