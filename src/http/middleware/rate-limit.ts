/**
 * Per-IP rate limits with the standard headers and Retry-After on 429.
 * Counted where `counters` keep them: in memory (each process limits on its
 * own), or, with several nodes on a PostgreSQL store, in the database, so the
 * limit holds across the nodes (services/rate-counters.ts).
 */
import type Koa from 'koa';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../../services/errors.js';
import { memoryCounters, type RateCounters } from '../../services/rate-counters.js';

export interface WindowLimit {
  windowSeconds: number;
  max: number;
}

export class RateLimit {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    readonly name: string,
    readonly limit: WindowLimit,
    counters: RateCounters = memoryCounters,
  ) {
    this.limiter = counters.limiter(name, limit.max, limit.windowSeconds);
  }

  middleware(): Koa.Middleware {
    return async (ctx, next) => {
      let res: RateLimiterRes;
      try {
        res = await this.limiter.consume(ctx.ip || 'unknown');
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        this.setHeaders(ctx, rejection);
        throw new TooManyRequestsError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      }
      this.setHeaders(ctx, res);
      await next();
    };
  }

  private setHeaders(ctx: Koa.Context, res: RateLimiterRes): void {
    const reset = Math.max(0, Math.ceil(res.msBeforeNext / 1000));
    const remaining = Math.max(0, res.remainingPoints);
    ctx.set('RateLimit-Policy', `"${this.name}";q=${this.limit.max};w=${this.limit.windowSeconds}`);
    ctx.set('RateLimit', `"${this.name}";r=${remaining};t=${reset}`);
    ctx.set('RateLimit-Limit', String(this.limit.max));
    ctx.set('RateLimit-Remaining', String(remaining));
    ctx.set('RateLimit-Reset', String(reset));
  }
}
