/**
 * Which WhatsApp Web version a new socket announces. WhatsApp refuses
 * outdated ones (405, failed links: the most common cause in the peers'
 * trackers), and the version changes every few weeks, so each connect asks
 * web.whatsapp.com for the current one, with a short timeout, and falls
 * back to `baileys.waVersion` when that fails (offline, blocked, changed
 * page). One answer serves every connect for a while: a thousand sessions
 * reconnecting at start-up ask once.
 */
import { fetchLatestWaWebVersion, type WAVersion } from '@whiskeysockets/baileys';

export interface ChosenVersion {
  version: WAVersion;
  /** fetched: web.whatsapp.com answered; configured: baileys.waVersion (fetching off or failed). */
  source: 'fetched' | 'configured';
}

export type VersionSource = () => Promise<ChosenVersion>;

/** Asks web.whatsapp.com; null when it did not answer with a version. */
export type FetchVersion = (signal: AbortSignal) => Promise<WAVersion | null>;

export const fetchFromWhatsAppWeb: FetchVersion = async (signal) => {
  const answer = await fetchLatestWaWebVersion({ signal });
  return answer.isLatest && !answer.error ? answer.version : null;
};

export interface VersionSourceOptions {
  configured: WAVersion;
  /** Off (tests, air-gapped setups): always the configured version. */
  fetch: boolean;
  fetcher?: FetchVersion;
  timeoutMs?: number;
  clock?: () => number;
  /** How long a fetched version serves, and how long a failed fetch is not retried. */
  freshMs?: number;
  failedMs?: number;
}

export function waVersionSource(o: VersionSourceOptions): VersionSource {
  const configured: ChosenVersion = { version: o.configured, source: 'configured' };
  if (!o.fetch) return async () => configured;
  const fetcher = o.fetcher ?? fetchFromWhatsAppWeb;
  const clock = o.clock ?? Date.now;
  let cached: { chosen: ChosenVersion; until: number } | null = null;
  let pending: Promise<ChosenVersion> | null = null;
  return () => {
    if (cached && clock() < cached.until) return Promise.resolve(cached.chosen);
    pending ??= fetcher(AbortSignal.timeout(o.timeoutMs ?? 3000))
      .catch(() => null)
      .then((version) => {
        const chosen: ChosenVersion = version ? { version, source: 'fetched' } : configured;
        cached = { chosen, until: clock() + (version ? (o.freshMs ?? 10 * 60_000) : (o.failedMs ?? 60_000)) };
        return chosen;
      })
      .finally(() => (pending = null));
    return pending;
  };
}

export function versionText(version: WAVersion): string {
  return version.join('.');
}
