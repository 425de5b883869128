/**
 * Seed 002's accounts: register (which also logs in, as the seed's
 * Set-Cookie shows), login, logout and the profile. The session is the
 * native one: the same JWT and server-side session as /v1/auth/login, set
 * as the HttpOnly cookie, so a seed 002 user can also call /v1 with it.
 */
import { z } from 'zod';
import type { OwnerDoc } from '../../../../store/repositories/owners.js';
import type { Api } from '../../../api.js';
import { defineRoute } from '../../../route.js';
import { RegisterSchema, setSessionCookie } from '../../v1/auth-routes.js';
import { SEED002_TAG } from './envelope.js';

/** The native fields, without the native strictness: seed clients may send fields tucan does not know. */
const RegisterBody = z.object(RegisterSchema.shape).meta({ id: 'Seed002Register' });

const LoginBody = z
  .object({
    username: z.string().trim().min(1).max(254).meta({ description: 'username (an email works too)', example: 'johndoe' }),
    password: z.string().min(1).max(256),
  })
  .meta({ id: 'Seed002Login' });

const Message = (text: string) => z.object({ message: z.literal(text) });

const Profile = z
  .object({ id: z.string(), name: z.string(), email: z.string(), username: z.string(), phone: z.string(), gst: z.string().nullable() })
  .meta({ id: 'Seed002User' });

function profile(owner: OwnerDoc) {
  return { id: owner._id, name: owner.name, email: owner.email, username: owner.username, phone: owner.phone, gst: owner.gst };
}

export function seed002AuthRoutes(s: Pick<Api, 'auth' | 'config'>) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/register',
      tags: [SEED002_TAG],
      summary: 'Register a new user (and log in: the session cookie is set)',
      auth: 'public',
      rateLimit: 'auth',
      body: RegisterBody,
      responses: { 200: { description: 'Registered and logged in', schema: Message('User registered successfully') }, 409: { description: 'Username or email already registered' } },
      handler: async ({ body, ctx }) => {
        await s.auth.register(body);
        const session = await s.auth.login(body.username, body.password);
        setSessionCookie(ctx, s, session.token, session.expires_at);
        return { body: { message: 'User registered successfully' } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      tags: [SEED002_TAG],
      summary: 'Log in: sets the session cookie (HttpOnly)',
      auth: 'public',
      rateLimit: 'auth',
      body: LoginBody,
      responses: {
        200: { description: 'Logged in', schema: z.object({ message: z.literal('Login successful'), user: z.object({ name: z.string(), username: z.string(), email: z.string() }) }) },
        401: { description: 'Wrong username or password' },
      },
      handler: async ({ body, ctx }) => {
        const { token, expires_at, owner } = await s.auth.login(body.username, body.password);
        setSessionCookie(ctx, s, token, expires_at);
        return { body: { message: 'Login successful', user: { name: owner.name, username: owner.username, email: owner.email } } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      tags: [SEED002_TAG],
      summary: 'Log out: the session is revoked server-side and the cookie cleared',
      auth: 'owner',
      responses: { 200: { description: 'Logged out', schema: Message('Logged out successfully') } },
      handler: async ({ principal, ctx }) => {
        await s.auth.logout(principal!);
        setSessionCookie(ctx, s, null);
        return { body: { message: 'Logged out successfully' } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/users/me',
      tags: [SEED002_TAG],
      summary: 'The logged-in user',
      auth: 'owner',
      responses: { 200: { description: 'The user', schema: Profile } },
      handler: async ({ principal }) => {
        const owner = await s.auth.owner(principal!.ownerId);
        return { body: profile(owner!) };
      },
    }),
  ];
}
