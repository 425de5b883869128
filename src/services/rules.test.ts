import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { normalizeMessageText } from '../domain/normalize.js';
import { RuleCreateSchema } from '../domain/rules.js';
import { SqliteStore } from '../store/embedded/sqlite-store.js';
import { InstancesRepo, type InstanceDoc } from '../store/repositories/instances.js';
import { RulesRepo } from '../store/repositories/rules.js';
import { InstancesService } from './instances.js';
import { RulesService, type RuleReferences } from './rules.js';

const KNOWN_FLOW = 'f0000000000000000000000a';

/** These tests' replies are texts, which refer to no media or saved contact, or start KNOWN_FLOW. */
const TEXT_REPLIES_ONLY: RuleReferences = {
  media: { check: () => Promise.reject(new Error('a text reply has no media')) },
  contacts: { vcardFields: () => Promise.reject(new Error('a text reply has no saved contact')) },
  flows: { exists: async (_instanceId, flowId) => flowId === KNOWN_FLOW },
};

describe('RulesService', () => {
  let dir: string;
  let store: SqliteStore;
  let now: number;
  let instances: InstancesService;
  let instance: InstanceDoc;
  let instanceId: string;
  const clock = () => now;
  const definition = (name: string, keyword: string) => RuleCreateSchema.parse({ name, keywords: [keyword], reply: { text: name } });
  const matched = async (service: RulesService, text: string) => {
    const compiled = await service.compiled(instanceId);
    return compiled.match(normalizeMessageText(text), 'text').map((h) => compiled.rules[h.rank].rule.name);
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tucan-rules-'));
    store = new SqliteStore(path.join(dir, 'db.sqlite'));
    now = 1_700_000_000_000;
    const instancesRepo = new InstancesRepo(store);
    await instancesRepo.init();
    instances = new InstancesService(instancesRepo, clock);
    instance = (await instances.create('owner-1', { engine: 'sandbox' })).instance;
    instanceId = instance._id;
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function service(maxRules?: number): Promise<RulesService> {
    const repo = new RulesRepo(store);
    await repo.init();
    return new RulesService(repo, TEXT_REPLIES_ONLY, clock, maxRules);
  }

  it('recompiles after every local change, without waiting', async () => {
    const rules = await service();
    expect(await matched(rules, 'hello')).to.deep.equal([]);
    const hello = await rules.create(instance, definition('greet', 'hello'));
    expect(await matched(rules, 'hello')).to.deep.equal(['greet']);
    await rules.update(instance, hello._id, { keywords: ['hi'] });
    expect(await matched(rules, 'hello')).to.deep.equal([]);
    expect(await matched(rules, 'hi')).to.deep.equal(['greet']);
    await rules.delete(instance, hello._id);
    expect(await matched(rules, 'hi')).to.deep.equal([]);
  });

  it('compiles once per change, not per message', async () => {
    const rules = await service();
    await rules.create(instance, definition('greet', 'hello'));
    const first = await rules.compiled(instanceId);
    expect(await rules.compiled(instanceId)).to.equal(first);
    now += 10_000; // past the version check: same version, same compiled set
    expect(await rules.compiled(instanceId)).to.equal(first);
  });

  it("notices another process's change through the version", async () => {
    const here = await service();
    const there = await service();
    expect(await matched(here, 'hello')).to.deep.equal([]);
    await there.create(instance, definition('greet', 'hello'));
    now += 10_000;
    expect(await matched(here, 'hello')).to.deep.equal(['greet']);
  });

  it('caps the number of rules per instance', async () => {
    const rules = await service(2);
    const a = await rules.create(instance, definition('a', 'a'));
    await rules.create(instance, definition('b', 'b'));
    let error: unknown = null;
    await rules.create(instance, definition('c', 'c')).catch((e) => (error = e));
    expect(error).to.have.property('status', 422);
    await rules.delete(instance, a._id);
    await rules.create(instance, definition('c', 'c'));
  });

  it("refuses a start_flow reply naming no flow of the instance, on create and on a PATCH of the reply", async () => {
    const rules = await service();
    const starts = (flow: string) => RuleCreateSchema.parse({ name: 'order', keywords: ['pedido'], reply: { start_flow: flow } });
    const refused = async (p: Promise<unknown>) => {
      const error = await p.then(() => null, (e: unknown) => e);
      expect(error).to.have.property('status', 400);
      expect((error as { errors: unknown[] }).errors).to.deep.equal([{ field: 'body.reply.start_flow', message: "no flow of this instance has the id 'f0000000000000000000000b'" }]);
    };
    await refused(rules.create(instance, starts('f0000000000000000000000b')));
    const rule = await rules.create(instance, starts(KNOWN_FLOW));
    expect(rule.reply).to.deep.equal({ start_flow: KNOWN_FLOW });
    await refused(rules.update(instance, rule._id, { reply: { start_flow: 'f0000000000000000000000b' } }));
    expect((await rules.update(instance, rule._id, { keywords: ['order'] })).keywords).to.deep.equal(['order']);
  });

  it('answers 404 for rules of another instance or owner', async () => {
    const rules = await service();
    const rule = await rules.create(instance, definition('a', 'a'));
    const otherInstance = (await instances.create('owner-1', { engine: 'sandbox' })).instance;
    const errors: unknown[] = [];
    await rules.get(otherInstance, rule._id).catch((e) => errors.push(e));
    // another owner never gets the instance, so never its rules
    await instances
      .get({ kind: 'owner', ownerId: 'owner-2', sessionId: 's' }, instanceId)
      .then((i) => rules.get(i, rule._id))
      .catch((e) => errors.push(e));
    expect(errors.map((e) => (e as { status: number }).status)).to.deep.equal([404, 404]);
  });
});
