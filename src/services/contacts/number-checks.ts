/**
 * "Is this number on WhatsApp?" — single and bulk, paced, capped and cached.
 *
 * Ban safety, in order of effect:
 * 1. Results are cached per instance (default 24 h), so re-checking a list
 *    does not ask WhatsApp again.
 * 2. Uncached numbers go to WhatsApp in batches (default 10 per query), one
 *    batch at a time per instance, with a minimum gap plus jitter between
 *    queries (LookupPacer).
 * 3. Caps: at most `maxPerRequest` numbers per request (default 50) and
 *    `hourlyLimit` uncached lookups per instance per rolling hour (default
 *    1000); beyond either the answer is 400 or 429 with Retry-After.
 */
import { parsePhone } from '../../domain/recipient.js';
import { newId, type Doc, type Store } from '../../store/port.js';
import type { Engine } from '../../engines/engine.js';
import type { EngineManager } from '../engine-manager.js';
import { ServiceError, ValidationError, type FieldProblem } from '../errors.js';
import { connectedEngine, lookup, type InstanceRef } from './engine-access.js';
import type { LookupPacer } from './lookup-pacer.js';

export interface NumberChecksOptions {
  maxPerRequest: number;
  batchSize: number;
  hourlyLimit: number;
  cacheSeconds: number;
}

export interface CheckResult {
  phone: string;
  is_registered: boolean;
  jid: string | null;
}

interface CheckDoc extends Doc {
  instance_id: string;
  phone: string;
  exists: boolean;
  jid: string | null;
  checked_at: number;
}

const COLLECTION = 'contact_checks';
const HOUR = 3600_000;

export class NumberChecks {
  private readonly cache;
  /** Per instance: when uncached lookups happened and how many, for the rolling hourly cap. */
  private readonly usage = new Map<string, { at: number; n: number }[]>();

  constructor(
    private readonly store: Store,
    private readonly engines: EngineManager,
    private readonly pacer: LookupPacer,
    private readonly options: NumberChecksOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.cache = store.collection<CheckDoc>(COLLECTION);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes(COLLECTION, [{ keys: { instance_id: 1, phone: 1 }, unique: true }, { keys: { checked_at: 1 } }]);
  }

  /** Validates every entry first (errors name `${field}.${i}`), then checks them; results keep the input order. */
  async check(instance: InstanceRef, inputs: string[], field: string, single = false): Promise<CheckResult[]> {
    const instanceId = instance._id;
    if (inputs.length === 0) throw new ValidationError(field, 'give at least one phone number');
    if (inputs.length > this.options.maxPerRequest) {
      throw new ValidationError(field, `at most ${this.options.maxPerRequest} numbers per request (WhatsApp bans accounts that check numbers in bulk); split the list`);
    }
    const problems: FieldProblem[] = [];
    const digits = inputs.map((input, i) => {
      const parsed = parsePhone(input);
      if (!parsed.ok) problems.push({ field: single ? field : `${field}.${i}`, message: parsed.reason });
      return parsed.ok ? parsed.digits : '';
    });
    if (problems.length) throw ValidationError.many(problems);

    const engine = connectedEngine(this.engines, instance);
    const unique = [...new Set(digits)];
    const now = this.clock();
    const known = new Map<string, CheckResult>();
    const cached = await this.cache.find({ instance_id: instanceId, phone: { $in: unique }, checked_at: { $gt: now - this.options.cacheSeconds * 1000 } });
    for (const c of cached) known.set(c.phone, { phone: c.phone, is_registered: c.exists, jid: c.jid });

    const missing = unique.filter((p) => !known.has(p));
    if (missing.length > 0) {
      const done = this.pacer.admit(instanceId, missing.length);
      try {
        this.reserve(instanceId, missing.length, now);
        await this.ask(instanceId, engine, missing, known);
      } finally {
        done();
      }
    }
    return digits.map((d) => known.get(d)!);
  }

  /** Asks WhatsApp about uncached numbers, one paced batch at a time, and caches the answers. */
  private async ask(instanceId: string, engine: Engine, missing: string[], known: Map<string, CheckResult>): Promise<void> {
    for (let i = 0; i < missing.length; i += this.options.batchSize) {
      const batch = missing.slice(i, i + this.options.batchSize);
      const answers = await this.pacer.run(instanceId, () => lookup('number check', () => engine.checkNumbers(batch)));
      const byPhone = new Map(answers.map((a) => [a.phone.replace(/\D/g, ''), a]));
      const checkedAt = this.clock();
      for (const phone of batch) {
        // engines list what WhatsApp answered; a number it left out is not registered
        const answer = byPhone.get(phone);
        const result = { phone, is_registered: answer?.exists ?? false, jid: answer?.exists ? answer.jid : null };
        known.set(phone, result);
        await this.cache.updateOne(
          { instance_id: instanceId, phone },
          { $set: { exists: result.is_registered, jid: result.jid, checked_at: checkedAt }, $setOnInsert: { _id: newId() } },
          { upsert: true },
        );
      }
    }
  }

  /** Drops cached answers older than the cache lifetime (run by a sweeper). */
  purgeExpired(): Promise<number> {
    return this.cache.deleteMany({ checked_at: { $lte: this.clock() - this.options.cacheSeconds * 1000 } });
  }

  async removeInstance(instanceId: string): Promise<void> {
    this.usage.delete(instanceId);
    await this.cache.deleteMany({ instance_id: instanceId });
  }

  /** Counts `n` uncached lookups against the instance's rolling hour, or refuses with 429. */
  private reserve(instanceId: string, n: number, now: number): void {
    const recent = (this.usage.get(instanceId) ?? []).filter((u) => u.at > now - HOUR);
    const used = recent.reduce((sum, u) => sum + u.n, 0);
    if (used + n > this.options.hourlyLimit) {
      // wait until enough of the oldest lookups leave the window
      let freed = 0;
      let retryAt = now + HOUR;
      for (const u of recent) {
        freed += u.n;
        if (used - freed + n <= this.options.hourlyLimit) {
          retryAt = u.at + HOUR;
          break;
        }
      }
      this.usage.set(instanceId, recent);
      const seconds = Math.max(1, Math.ceil((retryAt - now) / 1000));
      throw new ServiceError(429, 'Too many requests', `this instance may check at most ${this.options.hourlyLimit} new numbers per hour (WhatsApp bans bulk checking); retry in ${seconds} s`, [], {
        'Retry-After': String(seconds),
      });
    }
    recent.push({ at: now, n });
    this.usage.set(instanceId, recent);
  }
}
