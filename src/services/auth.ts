/**
 * Owner accounts and credentials: registration, login (JWT + server-side
 * session), logout (revocation), and resolving any presented credential to a
 * Principal.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { DuplicateKeyError } from '../store/port.js';
import type { OwnerDoc, OwnersRepo } from '../store/repositories/owners.js';
import type { SessionsRepo } from '../store/repositories/sessions.js';
import type { InstancesRepo } from '../store/repositories/instances.js';
import { keyMatches, keyPrefix, looksLikeKey } from './api-keys.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { ConflictError, TooManyRequestsError, UnauthorizedError } from './errors.js';
import { LOGIN_THROTTLE, LoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import { hashPassword, verifyPassword, type ScryptParams } from './passwords.js';
import type { Principal } from './principal.js';

// jsonwebtoken (about 8 MB with its dependencies) is loaded with the first login or token, not at start-up
type Jwt = typeof import('jsonwebtoken');
let jwtLib: Jwt | null = null;
const jwt = (): Jwt => (jwtLib ??= createRequire(import.meta.url)('jsonwebtoken') as Jwt);

export interface RegisterInput {
  name: string;
  phone: string;
  email: string;
  username: string;
  password: string;
  gst?: string | null;
}

export interface LoginResult {
  token: string;
  expires_at: number;
  owner: OwnerDoc;
}

export interface AuthOptions {
  jwtSecret: string;
  tokenTtlSeconds: number;
  scrypt: ScryptParams;
  /** Failed logins per account before it is locked for a while (LOGIN_THROTTLE unless given). */
  loginThrottle?: LoginThrottleOptions;
  /** Password hashes computed at once; a few more wait, the rest get 429 (default 2 and 16). */
  hashing?: { limit: number; queue: number };
}

interface Claims {
  sub: string;
  jti: string;
}

export class AuthService {
  /** Verified against when the login is unknown, so timing does not reveal which field was wrong. */
  private dummyHash: Promise<string>;
  private readonly throttle: LoginThrottle;
  private readonly hashing: ConcurrencyGate;

  constructor(
    private readonly owners: OwnersRepo,
    private readonly sessions: SessionsRepo,
    private readonly instances: InstancesRepo,
    private readonly options: AuthOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.dummyHash = hashPassword(randomUUID(), options.scrypt);
    this.throttle = new LoginThrottle(options.loginThrottle ?? LOGIN_THROTTLE);
    const { limit, queue } = options.hashing ?? { limit: 2, queue: 16 };
    this.hashing = new ConcurrencyGate({ limit, queue, retryAfterSeconds: 1, what: 'logins and registrations' });
  }

  async register(input: RegisterInput): Promise<OwnerDoc> {
    const taken = await this.owners.existing(input.username, input.email);
    if (taken.username) throw new ConflictError('username is already registered', 'body.username');
    if (taken.email) throw new ConflictError('email is already registered', 'body.email');
    const password_hash = await this.hashing.run(() => hashPassword(input.password, this.options.scrypt));
    try {
      return await this.owners.insert(
        { name: input.name, phone: input.phone, email: input.email, username: input.username, password_hash, gst: input.gst ?? null },
        this.clock(),
      );
    } catch (err) {
      // a concurrent registration won the race
      if (err instanceof DuplicateKeyError) throw new ConflictError('username or email is already registered');
      throw err;
    }
  }

  /**
   * A locked account answers 429 without its password being checked, so a
   * correct password is refused too until the wait is over.
   */
  async login(login: string, password: string): Promise<LoginResult> {
    const owner = await this.owners.byLogin(login);
    // one count per account, whether it is named by username or e-mail
    const account = owner ? `owner:${owner._id}` : `login:${login.trim().toLowerCase()}`;
    const wait = this.throttle.waitFor(account, this.clock());
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new TooManyRequestsError(seconds, `too many failed logins for this account; retry in ${seconds} s`);
    }
    const hash = owner?.password_hash ?? (await this.dummyHash);
    const ok = await this.hashing.run(() => verifyPassword(password, hash));
    if (!owner || !ok) {
      this.throttle.failed(account, this.clock());
      throw new UnauthorizedError('invalid login or password');
    }
    this.throttle.succeeded(account);
    const now = this.clock();
    const jti = randomUUID();
    const expires_at = now + this.options.tokenTtlSeconds * 1000;
    await this.sessions.insert({ _id: jti, owner_id: owner._id, created_at: now, expires_at });
    const token = jwt().sign({ sub: owner._id, jti } satisfies Claims, this.options.jwtSecret, {
      algorithm: 'HS256',
      expiresIn: this.options.tokenTtlSeconds,
    });
    return { token, expires_at, owner };
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.kind === 'owner') await this.sessions.revoke(principal.sessionId);
  }

  owner(id: string): Promise<OwnerDoc | null> {
    return this.owners.byId(id);
  }

  /** A JWT (Bearer or cookie) or an instance access token. Throws 401 for anything invalid. */
  async authenticate(credential: string): Promise<Principal> {
    return looksLikeKey(credential) ? this.authenticateKey(credential) : this.authenticateJwt(credential);
  }

  private async authenticateJwt(token: string): Promise<Principal> {
    let claims: Claims;
    try {
      // algorithms pinned: 'none' and key-confusion tokens are rejected
      claims = jwt().verify(token, this.options.jwtSecret, { algorithms: ['HS256'] }) as Claims;
    } catch (err) {
      const expired = err instanceof jwt().TokenExpiredError;
      throw new UnauthorizedError(expired ? 'token has expired; log in again' : 'invalid token');
    }
    if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string') throw new UnauthorizedError('invalid token');
    const session = await this.sessions.active(claims.jti, this.clock());
    if (!session || session.owner_id !== claims.sub) throw new UnauthorizedError('token has been revoked; log in again');
    return { kind: 'owner', ownerId: claims.sub, sessionId: claims.jti };
  }

  private async authenticateKey(token: string): Promise<Principal> {
    const instance = await this.instances.byTokenPrefix(keyPrefix(token));
    if (!instance || !keyMatches(token, instance.token_hash)) throw new UnauthorizedError('invalid access token');
    return { kind: 'instance', ownerId: instance.owner_id, instanceId: instance._id };
  }
}
