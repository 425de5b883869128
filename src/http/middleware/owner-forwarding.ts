/**
 * Any node answers any request. What only an instance's owner can do (its
 * QR, a pairing code, a number check, a sandbox message…) raises
 * OwnedElsewhereError on the other nodes; this middleware then carries the
 * request, as it came, to the node that holds the instance's lease now, and
 * relays its answer.
 *
 * The owner can change mid-request. A request that never reached a node
 * (connection refused: it died) or that the node refused as not its own
 * (it lost the lease) is retried against whoever holds the lease then, for
 * up to `budgetMs`. A request that reached the owner and got no answer is
 * not retried, since it may have run: 503 with Retry-After, never a guess.
 * A forwarded request is not forwarded again, so nodes cannot loop.
 */
import { pipeline, Readable } from 'node:stream';
import type Koa from 'koa';
import type { Logger } from '../../logger.js';
import type { ClusterDirectory } from '../../services/cluster/cluster-view.js';
import { NOT_OWNER_HEADER, OwnedElsewhereError } from '../../services/cluster/placement.js';
import { UnavailableError } from '../../services/errors.js';

const FORWARDED_BY = 'x-tucan-forwarded-by';
/** Not passed on: they describe one connection, not the request. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length', 'upgrade', 'proxy-connection', 'te', 'trailer', 'proxy-authorization']);
const RETRY_PAUSE_MS = 250;
/** An owner may take this long to answer (a QR wait, a test-chat reply). */
const ANSWER_TIMEOUT_MS = 60_000;

export interface ForwardingOptions {
  directory: ClusterDirectory;
  log: Logger;
  /** How long a request may wait for an owner to appear or answer as one. */
  budgetMs?: number;
}

export function ownerForwarding(o: ForwardingOptions): Koa.Middleware {
  const budgetMs = o.budgetMs ?? 12_000;
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof OwnedElsewhereError) || ctx.get(FORWARDED_BY)) throw err;
      await forward(ctx, err, o, budgetMs);
    }
  };
}

async function forward(ctx: Koa.Context, err: OwnedElsewhereError, o: ForwardingOptions, budgetMs: number): Promise<void> {
  const body = requestBody(ctx);
  if (body === false) throw err;
  const headers = new Headers();
  for (const [name, value] of Object.entries(ctx.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  headers.set(FORWARDED_BY, o.directory.nodeId);
  // the client went away: so does the call to the owner (an event stream would run on forever)
  let current: AbortController | null = null;
  ctx.res.once('close', () => current?.abort());
  const deadline = Date.now() + budgetMs;
  while (Date.now() < deadline) {
    const owner = await o.directory.ownerOf(err.instanceId);
    if (!owner || !owner.url) {
      // between two owners: the lease ran out and no node has taken it yet
      await pause();
      continue;
    }
    let res: Response;
    const abort = new AbortController();
    current = abort;
    const timer = setTimeout(() => abort.abort(new Error('the owner node took too long to answer')), ANSWER_TIMEOUT_MS);
    try {
      res = await fetch(owner.url + ctx.originalUrl, { method: ctx.method, headers, body, redirect: 'manual', signal: abort.signal });
    } catch (e) {
      clearTimeout(timer);
      if (neverArrived(e)) {
        await pause();
        continue;
      }
      o.log.warn({ err: e, node: owner.node, instance_id: err.instanceId }, 'cluster: the owner node did not answer a forwarded request');
      throw new UnavailableError(`node ${owner.node}, which runs this instance, did not answer; retry`, 2);
    }
    if (res.status === 503 && res.headers.has(NOT_OWNER_HEADER)) {
      clearTimeout(timer);
      await res.arrayBuffer();
      await pause();
      continue;
    }
    ctx.status = res.status;
    res.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') ctx.set(name, value);
    });
    ctx.set('X-Tucan-Node', owner.node);
    if (res.body && res.headers.get('content-type')?.startsWith('text/event-stream')) {
      // relayed as it comes, for as long as both ends stay; either end going away is the normal end, not an error
      clearTimeout(timer);
      ctx.req.socket.setTimeout(0);
      ctx.respond = false;
      ctx.res.writeHead(ctx.status, ctx.response.headers as Record<string, string>);
      pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), ctx.res, () => abort.abort());
      return;
    }
    try {
      ctx.body = Buffer.from(await res.arrayBuffer());
    } finally {
      clearTimeout(timer);
    }
    return;
  }
  throw new UnavailableError('the instance is moving between nodes; retry in a moment', 2);
}

/** The body to pass on: the parsed JSON or the raw form; undefined when there is none; false when it cannot be rebuilt (multipart). */
function requestBody(ctx: Koa.Context): string | undefined | false {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') return undefined;
  if (!ctx.request.length && !ctx.get('transfer-encoding')) return undefined;
  if (ctx.is('multipart')) return false;
  const raw = (ctx.request as { rawBody?: string }).rawBody;
  if (typeof raw === 'string') return raw;
  const parsed = (ctx.request as { body?: unknown }).body;
  return parsed === undefined ? undefined : JSON.stringify(parsed);
}

function neverArrived(e: unknown): boolean {
  const code = (e as { cause?: { code?: string } })?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
}

function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
}
