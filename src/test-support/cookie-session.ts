/**
 * A browser's view of the test server for cookie-authenticated APIs (seed
 * 002): it keeps the cookies the server sets, sends them back, and drops
 * the ones the server clears. Not a test file itself.
 */
import type { RequestOptions, TestResponse, TestServer } from './test-server.js';

export interface CookieResponse extends TestResponse {
  /** The raw Set-Cookie headers of this response. */
  setCookies: string[];
}

export class CookieSession {
  private readonly jar = new Map<string, string>();

  constructor(private readonly t: TestServer) {}

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<CookieResponse> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.t.request(method, path, { ...options, headers: { ...options.headers, ...(cookie ? { cookie } : {}) } });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) this.store(line);
    return { ...res, setCookies };
  }

  private store(line: string): void {
    const [pair, ...attributes] = line.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const expires = attributes.find((a) => /^expires=/i.test(a));
    const expired = expires !== undefined && Date.parse(expires.slice(8)) <= Date.now();
    if (!value || expired) this.jar.delete(name);
    else this.jar.set(name, value);
  }
}
