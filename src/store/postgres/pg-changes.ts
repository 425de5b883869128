/**
 * Change notification for the PostgreSQL backend (Store.watch): a
 * statement-level trigger on each watched table calls pg_notify at commit,
 * so every process's writes are heard, and one dedicated LISTEN connection
 * per store (not from the pool: a pooled client would be handed to queries)
 * hears them.
 *
 * The channel is named after the schema and the payload is
 * `schema.table`, so stores on different schemas of one database never hear
 * each other. A notification sent while the LISTEN connection is down is
 * lost, so after every (re)connection each watcher is called once; so is a
 * new watcher once its trigger is in place, which covers writes made between
 * watch() returning and the trigger existing.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

export interface TriggerInstaller {
  /** Creates the table when missing and puts the notify trigger on it (idempotent, safe across processes). */
  (collection: string, channel: string): Promise<void>;
}

interface Watcher {
  collection: string;
  onChange: () => void;
  active: boolean;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;
/** A connection that died without a word (a silent network) is noticed by a ping this often. */
const PING_MS = 30_000;
const PING_TIMEOUT_MS = 10_000;

/** The LISTEN channel of a schema: an identifier of at most 63 bytes, long schema names hashed. */
export function channelOf(schema: string): string {
  const name = `tucan_changes_${schema}`;
  return name.length <= 63 ? name : `tucan_changes_${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

export class PgChanges {
  private readonly watchers = new Map<string, Set<Watcher>>();
  /** Tables whose trigger this process has put in place (triggers outlive connections). */
  private readonly triggered = new Set<string>();
  /** Watchers owed one call: new ones, and all of them after a reconnection. */
  private readonly owed = new Set<Watcher>();
  private readonly channel: string;
  private client: pg.Client | null = null;
  private syncing: Promise<void> | null = null;
  private again = false;
  private retry: NodeJS.Timeout | null = null;
  private retryMs = FIRST_RETRY_MS;
  private ping: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly schema: string,
    private readonly install: TriggerInstaller,
  ) {
    this.channel = channelOf(schema);
  }

  watch(collection: string, onChange: () => void): () => void {
    if (this.closed) throw new Error('the store is closed');
    const watcher: Watcher = { collection, onChange, active: true };
    let set = this.watchers.get(collection);
    if (!set) this.watchers.set(collection, (set = new Set()));
    set.add(watcher);
    this.owed.add(watcher);
    this.kick();
    return () => {
      watcher.active = false;
      this.owed.delete(watcher);
      set.delete(watcher);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.ping) clearInterval(this.ping);
    // a sync under way is not awaited (the database may be unreachable): it ends what it opens once it sees `closed`
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** Runs sync() now, or once more after the running one. */
  private kick(): void {
    if (this.closed) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = this.sync()
      .then(
        () => {
          this.retryMs = FIRST_RETRY_MS;
        },
        () => this.retryLater(),
      )
      .finally(() => {
        this.syncing = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private retryLater(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.kick();
    }, this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  /** Connects and listens when needed, puts missing triggers in place, then pays what is owed. */
  private async sync(): Promise<void> {
    if (!this.client) {
      const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true, connectionTimeoutMillis: PING_TIMEOUT_MS, query_timeout: PING_TIMEOUT_MS });
      client.on('notification', (n) => this.dispatch(n.channel, n.payload));
      client.on('error', () => this.lost(client));
      client.on('end', () => this.lost(client));
      try {
        await client.connect();
        await client.query(`LISTEN "${this.channel}"`);
      } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
      }
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.ping ??= setInterval(() => {
        const current = this.client;
        current?.query('SELECT 1').catch(() => this.lost(current));
      }, PING_MS);
      this.ping.unref();
    }
    for (const collection of [...this.watchers.keys()]) {
      if (this.triggered.has(collection) || this.watchers.get(collection)!.size === 0) continue;
      await this.install(collection, this.channel);
      this.triggered.add(collection);
    }
    // a watcher added while this ran may still lack its trigger: it is paid by the next run
    for (const w of [...this.owed]) {
      if (!this.triggered.has(w.collection)) continue;
      this.owed.delete(w);
      if (w.active) call(w);
    }
  }

  /** The LISTEN connection dropped: what was sent meanwhile is lost, so every watcher is owed a call. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    for (const set of this.watchers.values()) for (const w of set) this.owed.add(w);
    this.retryLater();
  }

  private dispatch(channel: string, payload: string | undefined): void {
    if (channel !== this.channel || !payload) return;
    const dot = payload.indexOf('.');
    // the schema in the payload guards against two long schema names hashing to one channel
    if (payload.slice(0, dot) !== this.schema) return;
    const set = this.watchers.get(payload.slice(dot + 1));
    if (set) for (const w of [...set]) call(w);
  }
}

/** A watcher's failure is its own: the others are still called. */
function call(w: Watcher): void {
  try {
    w.onChange();
  } catch {
    // nothing to do: watchers only mark caches stale
  }
}
