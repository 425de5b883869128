/**
 * The only HTTP client for user-supplied URLs (media URLs, webhook targets,
 * rule replies' media).
 *
 * - Every connection is checked against the one address policy
 *   (address-policy.ts) on the address actually connected to: an IP literal
 *   before any socket is opened, a host name on every DNS answer (resolved
 *   here, at connect time), so DNS rebinding cannot slip a private address
 *   past an earlier lookup.
 * - Redirects are followed by hand, at most `maxRedirects`, and every hop is
 *   re-checked (scheme, and the connected address again).
 * - Sizes and total time are capped; only http and https.
 * - Loopback may be allowed for local development (TUCAN_ALLOW_LOOPBACK_URLS);
 *   private ranges, link-local and metadata addresses never are.
 */
import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { AxiosResponse } from 'axios';
import { addressRefusal } from './address-policy.js';

/** A host name's addresses; rejects (ideally with an `ENOTFOUND` code) when it has none. */
export type Resolve = (hostname: string) => Promise<string[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), as connections use it by default. */
const systemResolve: Resolve = async (hostname) => (await dns.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export interface SafeHttpOptions {
  allowLoopback: boolean;
  timeoutMs: number;
  /** How host names are resolved, at save time and at connect time alike (tests give their own). */
  resolve?: Resolve;
}

/** The URL may not be fetched: bad scheme, blocked address, too many redirects, too large, too slow, unreachable. */
export class UrlRejectedError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url}: ${reason}`);
    this.name = 'UrlRejectedError';
  }
}

/** A connection refused by the address policy, before any socket was opened. */
class AddressRefusedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AddressRefusedError';
  }
}

/** What a save-time check found (see SafeHttp.screen). */
export interface Screened {
  url: URL;
  /** Why the host could not be resolved now, when it could not; the URL was not refused for it. */
  unresolved: string | null;
}

export interface FetchResult {
  data: Buffer;
  contentType: string | null;
  finalUrl: string;
}

export interface PostResult {
  status: number;
  headers: Record<string, string>;
  /** The first bytes of the answer, for delivery logs. */
  body: string;
  ms: number;
}

const POST_ANSWER_LIMIT = 64 * 1024;

type ConnectionCallback = (err: Error | null, stream: Duplex) => void;

/**
 * Checks a connection before it is made: an IP literal against the policy,
 * a host name through a lookup that refuses when any answer is refused.
 */
class ConnectionGuard {
  constructor(
    private readonly refusal: (address: string) => string | null,
    private readonly resolve: Resolve,
  ) {}

  /** The options to connect with, or the reason not to connect. */
  options<T extends { host?: string | null; hostname?: string | null }>(options: T): (T & { lookup: net.LookupFunction }) | AddressRefusedError {
    const host = bare(options.host ?? options.hostname ?? '');
    if (net.isIP(host)) {
      const why = this.refusal(host);
      if (why) return new AddressRefusedError(`${host} is ${why}`);
    }
    return { ...options, lookup: this.lookup };
  }

  /** dns.lookup's contract, over the resolver, refusing when any answer is refused. */
  private readonly lookup: net.LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname).then(
      (found) => {
        for (const address of found) {
          const why = this.refusal(address);
          if (why) return callback(new AddressRefusedError(`host ${hostname} resolves to ${address}, ${why}`), '');
        }
        const wanted = options.family === 4 || options.family === 6 ? found.filter((a) => net.isIP(a) === options.family) : found;
        if (wanted.length === 0) return callback(Object.assign(new Error(`${hostname} has no usable address`), { code: 'ENOTFOUND' }), '');
        if (options.all) callback(null, wanted.map((address) => ({ address, family: net.isIP(address) })));
        else callback(null, wanted[0], net.isIP(wanted[0]));
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/** A socket that fails at once with `err`, as Agent#createConnection reports errors. */
function refusedSocket(err: Error, callback?: ConnectionCallback): Duplex {
  const socket = new net.Socket();
  if (callback) callback(err, socket);
  else socket.destroy(err);
  return socket;
}

class GuardedHttpAgent extends http.Agent {
  constructor(
    private readonly guard: ConnectionGuard,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: ConnectionCallback): Duplex | null | undefined {
    const checked = this.guard.options(options);
    return checked instanceof Error ? refusedSocket(checked, callback) : super.createConnection(checked, callback);
  }
}

class GuardedHttpsAgent extends https.Agent {
  constructor(
    private readonly guard: ConnectionGuard,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: https.RequestOptions, callback?: ConnectionCallback): Duplex | null | undefined {
    const checked = this.guard.options(options);
    return checked instanceof Error ? refusedSocket(checked, callback) : super.createConnection(checked, callback);
  }
}

export class SafeHttp {
  private readonly httpAgent: GuardedHttpAgent;
  private readonly httpsAgent: GuardedHttpsAgent;
  private readonly resolve: Resolve;

  constructor(private readonly options: SafeHttpOptions) {
    this.resolve = options.resolve ?? systemResolve;
    const guard = new ConnectionGuard((address) => this.refusal(address), this.resolve);
    this.httpAgent = new GuardedHttpAgent(guard, { keepAlive: true, maxSockets: 64 });
    this.httpsAgent = new GuardedHttpsAgent(guard, { keepAlive: true, maxSockets: 64 });
  }

  /** Syntax and scheme only (no network): http(s), a host, no embedded credentials. */
  parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UrlRejectedError(raw, 'is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UrlRejectedError(raw, 'only http and https URLs are allowed');
    if (url.username || url.password) throw new UrlRejectedError(raw, 'must not contain credentials');
    if (!url.hostname) throw new UrlRejectedError(raw, 'has no host');
    return url;
  }

  /**
   * Save-time check of a URL contacted later (webhook registration, rule
   * replies' media): syntax and scheme, then the policy on the literal
   * address or on every address the host resolves to. A host that does not
   * resolve now is not refused (DNS not published yet, an offline setup);
   * `unresolved` says so. Every later connection is checked again.
   */
  async screen(raw: string): Promise<Screened> {
    const url = this.parse(raw);
    const host = bare(url.hostname);
    if (net.isIP(host)) {
      const why = this.refusal(host);
      if (why) throw new UrlRejectedError(raw, `${host} is ${why}`);
      return { url, unresolved: null };
    }
    let addresses: string[];
    try {
      addresses = await this.resolve(host);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { url, unresolved: `host ${host} does not resolve${code ? ` (${code})` : ''}` };
    }
    for (const address of addresses) {
      const why = this.refusal(address);
      if (why) throw new UrlRejectedError(raw, `host ${host} resolves to ${address}, ${why}`);
    }
    return { url, unresolved: addresses.length === 0 ? `host ${host} has no address` : null };
  }

  /** Why tucan may not connect to an address (the address policy with this client's loopback setting), or null. */
  refusal(address: string): string | null {
    return addressRefusal(address, { allowLoopback: this.options.allowLoopback });
  }

  /** GET a URL's bytes with size and time limits, following (and re-checking) at most `maxRedirects` redirects. */
  async fetchBytes(raw: string, limits: { maxBytes: number; maxRedirects?: number; timeoutMs?: number }): Promise<FetchResult> {
    const deadline = AbortSignal.timeout(limits.timeoutMs ?? this.options.timeoutMs);
    let current = this.parse(raw);
    // loaded on the first fetch: a server that never fetches media never holds it (about 20 MB)
    const { default: axios } = await import('axios');
    for (let hop = 0; ; hop++) {
      const target = current.toString();
      const res = await this.request<ArrayBuffer>(raw, limits.maxBytes, () =>
        axios.get(target, {
          responseType: 'arraybuffer',
          maxContentLength: limits.maxBytes,
          signal: deadline,
          headers: { 'user-agent': 'tucan/0.1 (+media fetch)', accept: '*/*' },
          ...this.common(),
        }),
      );
      if (res.status >= 300 && res.status < 400 && res.headers.location) {
        if (hop >= (limits.maxRedirects ?? 3)) throw new UrlRejectedError(raw, 'too many redirects');
        current = this.parse(new URL(String(res.headers.location), current).toString());
        continue;
      }
      if (res.status < 200 || res.status >= 300) throw new UrlRejectedError(raw, `answered HTTP ${res.status}`);
      const data = Buffer.from(res.data);
      if (data.length > limits.maxBytes) throw new UrlRejectedError(raw, `is larger than ${limits.maxBytes} bytes`);
      return { data, contentType: typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : null, finalUrl: current.toString() };
    }
  }

  /**
   * POST a body without following redirects (webhook deliveries). Any answer
   * is returned, never thrown; only the first bytes of its body are kept.
   * Raw node:http rather than axios: deliveries are the hot path, and the
   * filtering agents still check every connected address.
   */
  post(raw: string, body: string, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<PostResult> {
    let url: URL;
    try {
      url = this.parse(raw);
    } catch (err) {
      return Promise.reject(err);
    }
    const started = performance.now();
    const secure = url.protocol === 'https:';
    return new Promise<PostResult>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new UrlRejectedError(raw, signal?.aborted ? 'aborted' : describe(err, POST_ANSWER_LIMIT)));
      };
      const req = (secure ? https : http).request(
        url,
        { method: 'POST', agent: secure ? this.httpsAgent : this.httpAgent, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers }, signal },
        (res) => {
          const kept: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < 1024) kept.push(chunk);
            size += chunk.length;
            // the status is what matters; a huge answer only costs the socket
            if (size > POST_ANSWER_LIMIT) res.destroy();
          });
          const done = () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            const flat: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
            resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(kept).toString('utf8').slice(0, 1024), ms: performance.now() - started });
          };
          res.on('end', done);
          res.on('close', done);
          res.on('error', fail);
        },
      );
      // one deadline for connect, upload and answer
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })), timeoutMs);
      req.on('error', fail);
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private common() {
    return { httpAgent: this.httpAgent, httpsAgent: this.httpsAgent, proxy: false as const, maxRedirects: 0, validateStatus: () => true, decompress: true };
  }

  private async request<T>(raw: string, maxBytes: number, send: () => Promise<AxiosResponse<T>>): Promise<AxiosResponse<T>> {
    try {
      return await send();
    } catch (err) {
      throw new UrlRejectedError(raw, describe(err, maxBytes));
    }
  }
}

/** The policy's refusal behind an error (axios wraps it as its cause), if that is what it is. */
function refusedBy(err: unknown): AddressRefusedError | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof AddressRefusedError) return e;
  return null;
}

/** A URL's hostname without the brackets of an IPv6 literal. */
function bare(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}

function describe(err: unknown, maxBytes: number): string {
  const e = err as { message?: string; code?: string; name?: string; cause?: { message?: string } };
  const message = e.message ?? String(err);
  const refused = refusedBy(err);
  if (refused) return refused.reason;
  if (/maxContentLength|maxBodyLength/.test(message)) return `is larger than ${maxBytes} bytes`;
  if (e.code === 'ECONNABORTED' || e.code === 'ERR_CANCELED' || e.name === 'AbortError' || e.name === 'TimeoutError' || /timeout|aborted|canceled/i.test(message)) return 'timed out';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'host does not resolve';
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  return `could not be fetched (${e.code ?? message})`;
}
