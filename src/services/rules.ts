/**
 * Keyword rules: CRUD per instance, and the compiled rule set the
 * pipeline matches against. A rule set is compiled once per change, not per
 * message: local changes drop the cached set at once; changes made by another
 * process are noticed through the version counter, checked at most every
 * VERSION_CHECK_MS.
 *
 * A reply is a template sent later, at every match, so what it refers to is
 * checked when the rule is saved, as bulk and recurring sends check their
 * content: media ids of this instance, media URLs the address policy
 * allows, saved contacts, mentions.
 */
import type { MediaInput, MediaType } from '../domain/content.js';
import { parseRecipient } from '../domain/recipient.js';
import { compileRules, type CompiledRules } from '../domain/rule-matcher.js';
import { ruleProblems, type Rule, type RuleDefinition, type RulePatch, type RuleReply } from '../domain/rules.js';
import { newId } from '../store/port.js';
import type { RuleDoc, RulesRepo } from '../store/repositories/rules.js';
import { NotFoundError, UnprocessableError, ValidationError, type FieldProblem } from './errors.js';
import type { MediaCheck, SavedContacts } from './ports.js';
import type { InstanceDoc } from '../store/repositories/instances.js';

export const MAX_RULES_PER_INSTANCE = 20_000;
const VERSION_CHECK_MS = 2000;

/** What rule replies may refer to: media (the media module) and saved contacts. */
export interface ReplyReferences {
  media: MediaCheck;
  contacts: SavedContacts;
}

const MEDIA_KEYS = ['image', 'video', 'audio', 'document', 'sticker'] as const satisfies readonly MediaType[];

interface CacheEntry {
  version: number;
  compiled: CompiledRules;
  checkedAt: number;
}

export function toRule(doc: RuleDoc): Rule {
  const { _id, instance_id: _i, updated_at: _u, ...definition } = doc;
  return { ...definition, id: _id };
}

export class RulesService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly loading = new Map<string, Promise<CompiledRules>>();
  /** Bumped by every local change, so a load that started before it is not cached. */
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly repo: RulesRepo,
    private readonly references: ReplyReferences,
    private readonly clock: () => number = Date.now,
    private readonly maxRules = MAX_RULES_PER_INSTANCE,
  ) {}

  async list(instance: InstanceDoc, page: { page: number; limit: number }): Promise<{ rules: RuleDoc[]; total: number }> {
    const instanceId = instance._id;
    const [rules, total] = await Promise.all([this.repo.list(instanceId, { skip: (page.page - 1) * page.limit, limit: page.limit }), this.repo.count(instanceId)]);
    return { rules, total };
  }

  async get(instance: InstanceDoc, ruleId: string): Promise<RuleDoc> {
    const rule = await this.repo.byId(instance._id, ruleId);
    if (!rule) throw new NotFoundError('rule');
    return rule;
  }

  /** `input` has passed RuleCreateSchema (defaults filled, cross-field checks done). */
  async create(instance: InstanceDoc, input: RuleDefinition): Promise<RuleDoc> {
    const instanceId = instance._id;
    if ((await this.repo.tally(instanceId)) >= this.maxRules) {
      throw new UnprocessableError(`an instance can have at most ${this.maxRules} rules; delete or merge some first`);
    }
    await this.checkReply(instanceId, input.reply);
    const now = this.clock();
    this.invalidate(instanceId);
    return this.repo.insert({ _id: newId(), instance_id: instanceId, ...input, created_at: now, updated_at: now });
  }

  /** The patch is merged and the whole rule checked again: a new match mode must suit the existing keywords. */
  async update(instance: InstanceDoc, ruleId: string, patch: RulePatch): Promise<RuleDoc> {
    const instanceId = instance._id;
    const current = await this.get(instance, ruleId);
    const fields = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<RuleDefinition>;
    const merged: RuleDefinition = { ...toDefinition(current), ...fields };
    const problems = ruleProblems(merged);
    if (problems.length > 0) throw ValidationError.many(problems.map((p) => ({ field: ['body', ...p.path].join('.'), message: p.message })));
    // an unchanged reply is not checked again: its stored media may have expired since, which a keyword change should not trip over
    if (fields.reply !== undefined) await this.checkReply(instanceId, fields.reply);
    this.invalidate(instanceId);
    const updated = await this.repo.update(instanceId, ruleId, fields, this.clock());
    if (!updated) throw new NotFoundError('rule');
    return updated;
  }

  async delete(instance: InstanceDoc, ruleId: string): Promise<void> {
    const instanceId = instance._id;
    await this.get(instance, ruleId);
    this.invalidate(instanceId);
    if (!(await this.repo.remove(instanceId, ruleId, this.clock()))) throw new NotFoundError('rule');
  }

  async removeAll(instanceId: string): Promise<void> {
    this.invalidate(instanceId);
    await this.repo.removeAll(instanceId);
  }

  /** The instance's enabled rules, compiled; cached until they change. */
  /** The instance's compiled rules; the cached set itself, not a promise, while it is fresh (the pipeline's per-message path). */
  compiled(instanceId: string): Promise<CompiledRules> | CompiledRules {
    const entry = this.cache.get(instanceId);
    const now = this.clock();
    if (entry && now - entry.checkedAt < VERSION_CHECK_MS) return entry.compiled;
    let pending = this.loading.get(instanceId);
    if (!pending) {
      pending = this.load(instanceId, entry).finally(() => this.loading.delete(instanceId));
      this.loading.set(instanceId, pending);
    }
    return pending;
  }

  private async load(instanceId: string, previous: CacheEntry | undefined): Promise<CompiledRules> {
    const generation = this.generation.get(instanceId) ?? 0;
    const version = await this.repo.version(instanceId);
    let compiled: CompiledRules;
    if (previous && previous.version === version) {
      compiled = previous.compiled;
    } else {
      const docs = await this.repo.all(instanceId);
      compiled = compileRules(docs.map(toRule));
    }
    if ((this.generation.get(instanceId) ?? 0) === generation) this.cache.set(instanceId, { version, compiled, checkedAt: this.clock() });
    return compiled;
  }

  /**
   * What can be known before the reply is rendered (texts are templates,
   * filled at every match): mentions are numbers, a saved contact exists,
   * media ids are live files of this instance that fit, media URLs pass the
   * address policy. Throws ValidationError naming the field, e.g.
   * body.reply.image.url.
   */
  private async checkReply(instanceId: string, reply: RuleReply): Promise<void> {
    const field = 'body.reply';
    const problems: FieldProblem[] = [];
    reply.mentions?.forEach((mention, i) => {
      const parsed = parseRecipient(mention);
      if (!parsed.ok) problems.push({ field: `${field}.mentions.${i}`, message: parsed.reason });
    });
    if (problems.length > 0) throw ValidationError.many(problems);
    if (reply.contact && 'contact_id' in reply.contact) {
      try {
        await this.references.contacts.vcardFields(instanceId, reply.contact.contact_id);
      } catch (err) {
        if (err instanceof NotFoundError) throw new ValidationError(`${field}.contact.contact_id`, 'no saved contact with this id');
        throw err;
      }
    }
    for (const kind of MEDIA_KEYS) {
      const media = reply[kind];
      if (!media) continue;
      const { ptt: _ptt, ...source } = media as MediaInput & { ptt?: boolean };
      await this.references.media.check(instanceId, source, kind, `${field}.${kind}`);
    }
    // buttons with media are sent as an image with the options as its caption
    if (reply.buttons?.media) await this.references.media.check(instanceId, reply.buttons.media, 'image', `${field}.buttons.media`);
  }

  private invalidate(instanceId: string): void {
    this.cache.delete(instanceId);
    this.generation.set(instanceId, (this.generation.get(instanceId) ?? 0) + 1);
  }
}

function toDefinition(doc: RuleDoc): RuleDefinition {
  const { _id: _d, instance_id: _i, created_at: _c, updated_at: _u, ...definition } = doc;
  return definition;
}
