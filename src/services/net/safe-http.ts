/**
 * The only HTTP client for user-supplied URLs (media URLs, webhook targets).
 *
 * - Every connection goes through request-filtering-agent, which checks the
 *   address actually connected to (IP literals and each DNS answer), so DNS
 *   rebinding cannot slip a private address past a separate lookup.
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
import axios, { type AxiosResponse } from 'axios';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export interface SafeHttpOptions {
  allowLoopback: boolean;
  timeoutMs: number;
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

// Exact addresses: the agent warns when it compares an address with a CIDR of the other family.
const LOOPBACK = ['127.0.0.1', '::1'];

export class SafeHttp {
  private readonly httpAgent: RequestFilteringHttpAgent;
  private readonly httpsAgent: RequestFilteringHttpsAgent;

  constructor(private readonly options: SafeHttpOptions) {
    const filter = { allowPrivateIPAddress: false, allowMetaIPAddress: false, allowIPAddressList: options.allowLoopback ? LOOPBACK : [] };
    this.httpAgent = new RequestFilteringHttpAgent({ keepAlive: true, maxSockets: 64, ...filter });
    this.httpsAgent = new RequestFilteringHttpsAgent({ keepAlive: true, maxSockets: 64, ...filter });
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
   * Registration-time check: resolves the host and refuses it if any address
   * is not public. Deliveries are checked again on every connection.
   */
  async assertPublic(raw: string): Promise<URL> {
    const url = this.parse(raw);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    if (net.isIP(host)) addresses = [host];
    else {
      try {
        addresses = (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
      } catch {
        throw new UrlRejectedError(raw, `host ${host} does not resolve`);
      }
    }
    for (const address of addresses) {
      const why = this.blockedReason(address);
      if (why) throw new UrlRejectedError(raw, `resolves to ${address}, ${why}`);
    }
    return url;
  }

  /** Why an address may not be contacted, or null. */
  blockedReason(address: string): string | null {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = ipaddr.process(address);
    } catch {
      return 'which is not an IP address';
    }
    const range = parsed.range();
    if (range === 'loopback') {
      return this.options.allowLoopback && LOOPBACK.includes(parsed.toString()) ? null : 'a loopback address (set TUCAN_ALLOW_LOOPBACK_URLS=true for local development)';
    }
    if (range !== 'unicast') return `a ${range} address, which is never allowed`;
    return null;
  }

  /** GET a URL's bytes with size and time limits, following (and re-checking) at most `maxRedirects` redirects. */
  async fetchBytes(raw: string, limits: { maxBytes: number; maxRedirects?: number; timeoutMs?: number }): Promise<FetchResult> {
    const deadline = AbortSignal.timeout(limits.timeoutMs ?? this.options.timeoutMs);
    let current = this.parse(raw);
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

function describe(err: unknown, maxBytes: number): string {
  const e = err as { message?: string; code?: string; name?: string; cause?: { message?: string } };
  const message = e.message ?? String(err);
  if (/is not allowed\. Because/.test(message)) return /meta/i.test(message) ? 'resolves to a meta address, which is never allowed' : 'resolves to a private, loopback, link-local or reserved address, which is not allowed';
  if (/maxContentLength|maxBodyLength/.test(message)) return `is larger than ${maxBytes} bytes`;
  if (e.code === 'ECONNABORTED' || e.code === 'ERR_CANCELED' || e.name === 'AbortError' || e.name === 'TimeoutError' || /timeout|aborted|canceled/i.test(message)) return 'timed out';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'host does not resolve';
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  return `could not be fetched (${e.code ?? message})`;
}
