/**
 * Route glue for the Idempotency-Key header: runs a creating handler through
 * the idempotency service and marks replayed answers.
 */
import type { IdempotencyService } from '../services/outbox/idempotency.js';
import type { StoredResponse } from '../store/repositories/idempotency.js';
import type { RouteRequest, RouteResult } from './route.js';

type CallingRequest = Pick<RouteRequest<undefined, undefined, undefined>, 'headers' | 'principal' | 'ctx' | 'files'> & { body: unknown };

export const IDEMPOTENCY_HEADER_DOC =
  'Send an `Idempotency-Key` header to make retries safe: the same key with the same request returns the first answer (marked `Idempotent-Replayed: true`) without sending again; ' +
  'the same key with a different request is refused with 422; a retry while the first is still running gets 409. Keys are scoped to your credential and kept 24 h.';

export async function idempotent(
  service: IdempotencyService,
  req: CallingRequest,
  execute: (resourceId: string) => Promise<StoredResponse>,
  recover: (resourceId: string) => Promise<StoredResponse | null>,
): Promise<RouteResult> {
  const raw = req.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  const { response, replayed } = await service.run(
    { key, principal: req.principal!, method: req.ctx.method, path: req.ctx.path, body: req.body, files: req.files },
    execute,
    recover,
  );
  return { status: response.status, body: response.body, headers: { ...response.headers, ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) } };
}
