/**
 * A resolver for tests that must not depend on real DNS: the names it is
 * given resolve to the addresses given (changeable, as a hostile DNS server
 * would change them), every other name fails as an unknown name does.
 */
import type { Resolve } from '../services/net/safe-http.js';

export interface TestResolver {
  resolve: Resolve;
  /** Sets what a name resolves to from now on. */
  answer(name: string, addresses: string[]): void;
}

export function testResolver(initial: Record<string, string[]> = {}): TestResolver {
  const answers = new Map(Object.entries(initial));
  return {
    resolve: async (name) => {
      const found = answers.get(name.toLowerCase());
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND', hostname: name });
      return found;
    },
    answer: (name, addresses) => void answers.set(name.toLowerCase(), addresses),
  };
}
