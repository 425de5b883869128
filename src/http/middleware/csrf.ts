/**
 * Cross-site request forgery guard for cookie sessions. A forged request
 * needs a victim's browser, and browsers say where a request comes from
 * (Sec-Fetch-Site; Origin on older ones). So a state-changing request
 * authenticated by the session cookie is refused when its browser says it
 * comes from another site, unless it carries the session's CSRF token
 * (double submit: the `tucan_csrf` cookie set at login, echoed in
 * X-CSRF-Token). Requests with neither signal come from scripts and servers
 * (curl, seed 002 integrations), which no other site can make a browser
 * send; Bearer and X-API-Key calls carry no ambient credential and are
 * never checked.
 */
import { timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import { ForbiddenError } from '../../services/errors.js';

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_COOKIE = 'tucan_csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Throws 403 when a cookie-authenticated request may have been forged by another site. */
export function checkCsrf(ctx: Koa.Context, publicUrl: string | null): void {
  if (SAFE_METHODS.has(ctx.method)) return;
  if (tokenMatches(ctx.get(CSRF_HEADER), ctx.cookies.get(CSRF_COOKIE))) return;
  if (!crossSite(ctx, publicUrl)) return;
  throw new ForbiddenError(
    `this request came from another site with the session cookie; send the ${CSRF_COOKIE} cookie's value in the X-CSRF-Token header, or authenticate with Authorization: Bearer <token>`,
  );
}

function tokenMatches(header: string, cookie: string | undefined): boolean {
  if (!header || !cookie || header.length !== cookie.length) return false;
  return timingSafeEqual(Buffer.from(header), Buffer.from(cookie));
}

function crossSite(ctx: Koa.Context, publicUrl: string | null): boolean {
  const site = ctx.get('sec-fetch-site');
  // 'none': typed in the address bar or a bookmark; same-origin: our own pages
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = ctx.get('origin');
  if (!origin) return false;
  // our own origin as this request reached us (Koa 3's ctx.origin is the Origin header itself)
  const own = new Set([`${ctx.protocol}://${ctx.host}`, ...(publicUrl ? [new URL(publicUrl).origin] : [])]);
  return !own.has(origin);
}
