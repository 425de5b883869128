/**
 * Conversation flows: CRUD per instance, and the compiled flow set the
 * pipeline runs chats through. Cached like the rule set (RulesService): a
 * set is compiled once per change, local changes drop it at once, changes
 * made by another process drop every set when the store reports them
 * (invalidateAll), and are noticed through the version counter, checked at
 * most every VERSION_CHECK_MS, where it cannot.
 *
 * Every content a flow sends is a template sent later, so what it refers to
 * is checked when the flow is saved, exactly as rule replies are.
 */
import { compileFlows, type FlowSet } from '../domain/flow-set.js';
import { flowProblems, type Flow, type FlowDefinition, type FlowPatch } from '../domain/flows.js';
import type { ReplyContent } from '../domain/rules.js';
import { newId } from '../store/port.js';
import { VersionedCache } from './versioned-cache.js';
import type { FlowDoc, FlowsRepo } from '../store/repositories/flows.js';
import type { InstanceDoc } from '../store/repositories/instances.js';
import { NotFoundError, UnprocessableError, ValidationError } from './errors.js';
import { checkReplyContent, type ReplyReferences } from './reply-check.js';

export const MAX_FLOWS_PER_INSTANCE = 200;
const VERSION_CHECK_MS = 2000;


export function toFlow(doc: FlowDoc): Flow {
  const { _id, instance_id: _i, created_at: _c, updated_at: _u, ...definition } = doc;
  return { ...definition, id: _id };
}

function toDefinition(doc: FlowDoc): FlowDefinition {
  const { _id: _d, instance_id: _i, version: _v, created_at: _c, updated_at: _u, ...definition } = doc;
  return definition;
}

export class FlowsService {
  private readonly cache: VersionedCache<FlowSet>;

  constructor(
    private readonly repo: FlowsRepo,
    private readonly references: ReplyReferences,
    private readonly clock: () => number = Date.now,
    private readonly maxFlows = MAX_FLOWS_PER_INSTANCE,
  ) {
    this.cache = new VersionedCache<FlowSet>({ version: (instanceId) => repo.version(instanceId), build: async (instanceId) => compileFlows((await repo.all(instanceId)).map(toFlow)) }, clock, VERSION_CHECK_MS);
  }

  async list(instance: InstanceDoc, page: { page: number; limit: number }): Promise<{ flows: FlowDoc[]; total: number }> {
    const instanceId = instance._id;
    const [flows, total] = await Promise.all([this.repo.list(instanceId, { skip: (page.page - 1) * page.limit, limit: page.limit }), this.repo.count(instanceId)]);
    return { flows, total };
  }

  async get(instance: InstanceDoc, flowId: string): Promise<FlowDoc> {
    const flow = await this.repo.byId(instance._id, flowId);
    if (!flow) throw new NotFoundError('flow');
    return flow;
  }

  /** Enabled or not: a rule's start_flow may name a disabled flow. */
  async exists(instanceId: string, flowId: string): Promise<boolean> {
    return (await this.repo.byId(instanceId, flowId)) !== null;
  }

  /** `input` has passed FlowCreateSchema (defaults filled, flowProblems checked). */
  async create(instance: InstanceDoc, input: FlowDefinition): Promise<FlowDoc> {
    const instanceId = instance._id;
    if ((await this.repo.tally(instanceId)) >= this.maxFlows) {
      throw new UnprocessableError(`an instance can have at most ${this.maxFlows} flows; delete some first`);
    }
    await this.checkContents(instanceId, input);
    const now = this.clock();
    this.invalidate(instanceId);
    return this.repo.insert({ _id: newId(), instance_id: instanceId, ...input, version: 1, created_at: now, updated_at: now });
  }

  /** The patch is merged and the whole flow checked again: new steps must fit the start and each other. */
  async update(instance: InstanceDoc, flowId: string, patch: FlowPatch): Promise<FlowDoc> {
    const instanceId = instance._id;
    const current = await this.get(instance, flowId);
    const fields = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<FlowDefinition>;
    const problems = flowProblems({ ...toDefinition(current), ...fields });
    if (problems.length > 0) throw ValidationError.many(problems.map((p) => ({ field: ['body', ...p.path].join('.'), message: p.message })));
    // unchanged content is not checked again: its stored media may have expired since, which a keyword change should not trip over
    await this.checkContents(instanceId, fields);
    this.invalidate(instanceId);
    const updated = await this.repo.update(instanceId, flowId, fields, this.clock());
    if (!updated) throw new NotFoundError('flow');
    return updated;
  }

  /** Enabling an enabled flow (or disabling a disabled one) changes nothing, so chats inside it go on. */
  async setEnabled(instance: InstanceDoc, flowId: string, enabled: boolean): Promise<FlowDoc> {
    const current = await this.get(instance, flowId);
    if (current.enabled === enabled) return current;
    this.invalidate(instance._id);
    const updated = await this.repo.update(instance._id, flowId, { enabled }, this.clock());
    if (!updated) throw new NotFoundError('flow');
    return updated;
  }

  async delete(instance: InstanceDoc, flowId: string): Promise<void> {
    const instanceId = instance._id;
    await this.get(instance, flowId);
    this.invalidate(instanceId);
    if (!(await this.repo.remove(instanceId, flowId, this.clock()))) throw new NotFoundError('flow');
  }

  async removeAll(instanceId: string): Promise<void> {
    this.invalidate(instanceId);
    await this.repo.removeAll(instanceId);
  }

  /** The instance's compiled flows; the cached set itself, not a promise, while it is fresh (the pipeline's per-message path). */
  compiled(instanceId: string): Promise<FlowSet> | FlowSet {
    return this.cache.get(instanceId);
  }


  /** Each content the flow (or the changed part of it) sends, checked as a rule reply is, named by its field. */
  private async checkContents(instanceId: string, flow: Partial<FlowDefinition>): Promise<void> {
    const contents: [ReplyContent, string][] = [];
    flow.steps?.forEach((step, i) => {
      if (step.send) contents.push([step.send, `body.steps.${i}.send`]);
      if (step.expect?.invalid) contents.push([step.expect.invalid, `body.steps.${i}.expect.invalid`]);
    });
    for (const key of ['timeout_message', 'on_fail', 'exit_message'] as const) {
      const content = flow[key];
      if (content) contents.push([content, `body.${key}`]);
    }
    for (const [content, field] of contents) await checkReplyContent(this.references, instanceId, content, field);
  }

  /** Flows changed somewhere (another process, say): every compiled set is rebuilt when next used. */
  invalidateAll(): void {
    this.cache.invalidateAll();
  }

  private invalidate(instanceId: string): void {
    this.cache.invalidate(instanceId);
  }
}
