/**
 * Which instance a seed 003 request acts on.
 *
 * The seed names it with `session_id` (tucan: the instance id) and
 * `access_token` (the instance token), in the query or the body, next to
 * the owner's Bearer login. The token alone is a credential too (the routes
 * set queryToken/bodyToken). When an access_token is given it must belong
 * to the instance, whoever is logged in. The settings routes name no session
 * at all: then the owner's only instance is meant, and an owner with several
 * must say which.
 */
import { z } from 'zod';
import { NotFoundError, UnauthorizedError, ValidationError } from '../../../../services/errors.js';
import type { Principal } from '../../../../services/principal.js';
import type { InstanceDoc } from '../../../../store/repositories/instances.js';
import type { InstanceLookup, InstanceResolver } from '../../../route.js';
import { ObjectIdSchema } from '../../../schemas.js';

/** The seed's examples send `session_id=&access_token=`: an empty value means "not given". */
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const sessionFields = {
  session_id: z
    .preprocess(blank, ObjectIdSchema.optional())
    .meta({ description: "the instance id (seed 003's session_id); may be left out when the login has a single instance" }),
  access_token: z
    .preprocess(blank, z.string().trim().max(200).optional())
    .meta({ description: 'the instance access token: alone it is enough as the credential; next to a login it must belong to session_id' }),
};

/** Query or body fields that name the session. */
export const SessionQuery = z.object(sessionFields).strict();

interface SessionRef {
  session_id?: string;
  access_token?: string;
}

export interface SessionOptions {
  /** The path names the instance too (logout/:id); session_id, if also given, must agree. */
  pathParam?: boolean;
  /** Where a missing session_id is reported ('body.session_id' on routes that take a body). */
  field?: string;
}

/** The route's instance resolver: seed 003's session_id and access_token, wherever the request puts them. */
export function bySession(options: SessionOptions = {}): InstanceResolver {
  return async (req, lookup) => {
    const { principal } = req;
    const query = (req.query ?? {}) as SessionRef;
    const body = (req.body ?? {}) as SessionRef;
    // mount strips ?access_token from the validated query (it is a credential there), so it is read raw
    const rawToken = req.ctx.query.access_token;
    const token = body.access_token ?? (typeof rawToken === 'string' && rawToken.trim() ? rawToken.trim() : undefined);
    const id = agreeing([
      ['params.id', options.pathParam ? (req.params as { id: string }).id : undefined],
      ['body.session_id', body.session_id],
      ['query.session_id', query.session_id],
    ]);
    const instance = id ? await lookup.instances.get(principal, id) : await onlyInstance(lookup, principal, options.field ?? 'query.session_id');
    if (token) await requireTokenOf(lookup, token, instance);
    return instance;
  };
}

/** The one id the request names; two places naming different instances is a mistake worth a 400. */
function agreeing(candidates: [string, string | undefined][]): string | undefined {
  const given = candidates.filter((c): c is [string, string] => c[1] !== undefined);
  const conflict = given.find(([, id]) => id !== given[0][1]);
  if (conflict) throw new ValidationError(conflict[0], `names another instance than ${given[0][0]}`);
  return given[0]?.[1];
}

async function onlyInstance({ instances }: InstanceLookup, principal: Principal, field: string): Promise<InstanceDoc> {
  if (principal.kind === 'instance') return instances.get(principal, principal.instanceId);
  const owned = await instances.list(principal.ownerId);
  if (owned.length === 1) return owned[0];
  if (owned.length === 0) throw new NotFoundError('instance (none yet: create one with POST /whatsapp/createNewWhatsapp)');
  throw new ValidationError(field, `is required: this login has ${owned.length} instances (GET /whatsapp lists them)`);
}

async function requireTokenOf({ auth }: InstanceLookup, token: string, instance: InstanceDoc): Promise<void> {
  let holder: Principal;
  try {
    holder = await auth.authenticate(token);
  } catch {
    throw new UnauthorizedError('access_token is not valid');
  }
  if (holder.kind !== 'instance' || holder.instanceId !== instance._id) throw new UnauthorizedError('access_token does not belong to this session_id');
}
