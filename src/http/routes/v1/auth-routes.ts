/** Owner accounts: register, login (JWT + HttpOnly cookie), logout (server-side revocation), me. */
import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import { z } from 'zod';
import type { OwnerDoc } from '../../../store/repositories/owners.js';
import type { Api } from '../../api.js';
import { CSRF_COOKIE } from '../../middleware/csrf.js';
import { defineRoute } from '../../route.js';
import { iso } from '../../views/instance-view.js';

export const RegisterSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    phone: z.string().trim().regex(/^\+?[\d\s().-]{6,20}$/, 'must be a phone number such as +1234567890'),
    email: z.email('must be an email address').max(254),
    username: z.string().trim().regex(/^[A-Za-z0-9_.-]{3,32}$/, 'must be 3–32 letters, digits, dots, dashes or underscores'),
    password: z.string().min(8, 'must be at least 8 characters').max(256),
    gst: z.string().trim().max(32).nullish(),
  })
  .strict();

export const LoginSchema = z
  .object({
    username: z.string().trim().min(1).max(254).optional().meta({ description: 'username or email' }),
    email: z.string().trim().min(1).max(254).optional(),
    password: z.string().min(1).max(256),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (!v.username && !v.email) ctx.addIssue({ code: 'custom', path: ['username'], message: 'give username or email' });
  });

export const UserSchema = z
  .object({ id: z.string(), name: z.string(), phone: z.string(), email: z.string(), username: z.string(), gst: z.string().nullable(), created_at: z.string() })
  .meta({ id: 'User' });

export function userView(owner: OwnerDoc) {
  return { id: owner._id, name: owner.name, phone: owner.phone, email: owner.email, username: owner.username, gst: owner.gst, created_at: iso(owner.created_at) };
}

/** The session cookie (HttpOnly), and its CSRF token beside it (readable by our own pages, to echo in X-CSRF-Token). */
export function setSessionCookie(ctx: Koa.Context, s: Pick<Api, 'config'>, token: string | null, expiresAt?: number): void {
  const lifetime = token && expiresAt ? { expires: new Date(expiresAt) } : { expires: new Date(0) };
  const common = { sameSite: 'lax' as const, secure: s.config.auth.cookieSecure, path: '/', overwrite: true, ...lifetime };
  ctx.cookies.set(s.config.auth.cookieName, token ?? '', { ...common, httpOnly: true });
  ctx.cookies.set(CSRF_COOKIE, token ? randomBytes(24).toString('base64url') : '', { ...common, httpOnly: false });
}

export function authRoutes(s: Pick<Api, 'auth' | 'config'>) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/auth/register',
      tags: ['Auth'],
      summary: 'Register an owner account',
      auth: 'public',
      rateLimit: 'auth',
      body: RegisterSchema,
      responses: { 201: { description: 'Registered', schema: z.object({ user: UserSchema }) }, 409: { description: 'Username or email already registered' } },
      handler: async ({ body }) => ({ status: 201, body: { user: userView(await s.auth.register(body)) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/login',
      tags: ['Auth'],
      summary: 'Log in with username or email; returns a JWT and sets it as an HttpOnly cookie',
      auth: 'public',
      rateLimit: 'auth',
      body: LoginSchema,
      responses: {
        200: {
          description: 'Logged in',
          schema: z.object({ token: z.string(), token_type: z.literal('Bearer'), expires_at: z.string(), user: UserSchema }),
        },
      },
      handler: async ({ body, ctx }) => {
        const result = await s.auth.login((body.username ?? body.email)!, body.password);
        setSessionCookie(ctx, s, result.token, result.expires_at);
        return { body: { token: result.token, token_type: 'Bearer', expires_at: iso(result.expires_at), user: userView(result.owner) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/logout',
      tags: ['Auth'],
      summary: 'Log out: the token is revoked server-side and the cookie cleared',
      auth: 'owner',
      responses: { 204: { description: 'Logged out' } },
      handler: async ({ principal, ctx }) => {
        await s.auth.logout(principal!);
        setSessionCookie(ctx, s, null);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/users/me',
      tags: ['Auth'],
      summary: 'The logged-in owner',
      auth: 'owner',
      responses: { 200: { description: 'The owner', schema: UserSchema } },
      handler: async ({ principal }) => {
        const owner = await s.auth.owner(principal!.ownerId);
        return { body: userView(owner!) };
      },
    }),
  ];
}
