/**
 * Keyword rules: CRUD per instance, and the compiled rule set the
 * pipeline matches against. A rule set is compiled once per change, not per
 * message: local changes drop the cached set at once; changes made by another
 * process drop every set when the store reports them (invalidateAll), and
 * are noticed through the version counter, checked at most every
 * VERSION_CHECK_MS, where it cannot.
 *
 * A reply is a template sent later, at every match, so what it refers to is
 * checked when the rule is saved, as bulk and recurring sends check their
 * content: media ids of this instance, media URLs the address policy
 * allows, saved contacts, mentions; a start_flow reply must name a flow of
 * the instance.
 */
import { compileRules, type CompiledRules } from '../domain/rule-matcher.js';
import { ruleProblems, type Rule, type RuleDefinition, type RulePatch, type RuleReply } from '../domain/rules.js';
import { newId } from '../store/port.js';
import { VersionedCache } from './versioned-cache.js';
import type { RuleDoc, RulesRepo } from '../store/repositories/rules.js';
import { NotFoundError, UnprocessableError, ValidationError } from './errors.js';
import { checkReplyContent, type ReplyReferences } from './reply-check.js';
import type { InstanceDoc } from '../store/repositories/instances.js';

export type { ReplyReferences } from './reply-check.js';

export const MAX_RULES_PER_INSTANCE = 20_000;
const VERSION_CHECK_MS = 2000;

/** Whether a flow exists in an instance (enabled or not): a reply's start_flow must name one. */
export interface FlowLookup {
  exists(instanceId: string, flowId: string): Promise<boolean>;
}

/** What rule replies may refer to: media, saved contacts and the instance's flows. */
export interface RuleReferences extends ReplyReferences {
  flows: FlowLookup;
}


export function toRule(doc: RuleDoc): Rule {
  const { _id, instance_id: _i, updated_at: _u, ...definition } = doc;
  return { ...definition, id: _id };
}

export class RulesService {
  private readonly cache: VersionedCache<CompiledRules>;

  constructor(
    private readonly repo: RulesRepo,
    private readonly references: RuleReferences,
    private readonly clock: () => number = Date.now,
    private readonly maxRules = MAX_RULES_PER_INSTANCE,
  ) {
    this.cache = new VersionedCache<CompiledRules>({ version: (instanceId) => repo.version(instanceId), build: async (instanceId) => compileRules((await repo.all(instanceId)).map(toRule)) }, clock, VERSION_CHECK_MS);
  }

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

  /** The instance's enabled rules, compiled; the cached set itself, not a promise, while it is fresh (the pipeline's per-message path). */
  compiled(instanceId: string): Promise<CompiledRules> | CompiledRules {
    return this.cache.get(instanceId);
  }

  /**
   * A start_flow reply names a flow of this instance; any other reply is
   * content, checked as every saved content is (reply-check.ts). Throws
   * ValidationError naming the field, e.g. body.reply.image.url.
   */
  private async checkReply(instanceId: string, reply: RuleReply): Promise<void> {
    if (reply.start_flow !== undefined) {
      if (!(await this.references.flows.exists(instanceId, reply.start_flow))) {
        throw new ValidationError('body.reply.start_flow', `no flow of this instance has the id '${reply.start_flow}'`);
      }
      return;
    }
    await checkReplyContent(this.references, instanceId, reply, 'body.reply');
  }

  /** Rules changed somewhere (another process, say): every compiled set is rebuilt when next used. */
  invalidateAll(): void {
    this.cache.invalidateAll();
  }

  private invalidate(instanceId: string): void {
    this.cache.invalidate(instanceId);
  }
}

function toDefinition(doc: RuleDoc): RuleDefinition {
  const { _id: _d, instance_id: _i, created_at: _c, updated_at: _u, ...definition } = doc;
  return definition;
}
