import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FlowCreateSchema } from '../../../domain/flows.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';

type Json = Record<string, unknown>;

/** The order flow exactly as a client sends it (the document, fixtures/flows/order.json). */
const ORDER = fs.readFileSync(new URL('../../../../fixtures/flows/order.json', import.meta.url), 'utf8');

/** A fresh copy of the order flow, for cases to break. */
const order = (): Json => JSON.parse(ORDER) as Json;
type Step = Json & { id: string; expect?: Json & { options?: Json[] } };
const steps = (): Step[] => order().steps as Step[];

/** The order flow with `change` applied to its steps. */
function withSteps(change: (s: Step[]) => Step[] | void): Json {
  const s = steps();
  return { ...order(), steps: change(s) ?? s };
}

describe('HTTP /v1/instances/:id/flows', () => {
  let t: TestServer;
  let token: string;
  let id: string;
  const flows = (suffix = '', instanceId = id) => `/v1/instances/${instanceId}/flows${suffix}`;
  const create = (body: unknown, instanceId = id) => t.request('POST', flows('', instanceId), { token, json: body });

  async function refused(method: 'POST' | 'PATCH', p: string, body: unknown, field: string): Promise<Json> {
    const res = await t.request(method, p, { token, json: body });
    expect(res.status, `${field} → ${res.text}`).to.equal(400);
    expect(res.headers.get('content-type')).to.match(/application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field), res.text).to.include(field);
    return res.body;
  }

  before(async () => {
    t = await startTestServer();
    token = (await t.owner()).token;
    id = (await t.sandboxInstance(token)).id;
  });
  after(() => t.close({ cleanup: true }));

  it('accepts the order flow and reads it back identical, defaults filled', async () => {
    const created = await t.request('POST', flows(), { token, body: ORDER, headers: { 'content-type': 'application/json' } });
    expect(created.status, created.text).to.equal(201);
    const { id: flowId, instance_id, version, created_at, updated_at, ...definition } = created.body;
    expect(flowId).to.match(/^[0-9a-f]{24}$/);
    expect({ instance_id, version }).to.deep.equal({ instance_id: id, version: 1 });
    expect(created_at).to.equal(updated_at).and.match(/^\d{4}-\d\d-\d\dT/);
    expect(definition).to.deep.equal(FlowCreateSchema.parse(order()));
    expect(definition).to.deep.include({ enabled: true, exit_match: 'word', exit_message: null, on_fail: null, timeout_minutes: 10 });
    expect(definition.trigger).to.deep.equal({ keywords: ['pedido', 'order'], match: 'word', case_sensitive: false });
    expect(definition.steps[2].expect).to.deep.equal({ type: 'text', min_length: 5, max_length: 1000, save_as: 'address', next: 'done', max_attempts: 3 });

    const got = await t.request('GET', flows(`/${flowId}`), { token });
    expect(got.status).to.equal(200);
    expect(got.body).to.deep.equal(created.body);
    const listed = await t.request('GET', flows(), { token });
    expect(listed.body.flows.find((f: Json) => f.id === flowId)).to.deep.equal(created.body);
  });

  it('refuses each broken flow with 400 naming the path', async () => {
    const cases: [string, Json, string][] = [
      ['unknown next', withSteps((s) => void (s[1].expect!.next = 'nowhere')), 'body.steps.1.expect.next'],
      ['unknown option next', withSteps((s) => void (s[0].expect!.options![1].next = 'quantity')), 'body.steps.0.expect.options.1.next'],
      ['unknown start', { ...order(), start: 'begin' }, 'body.start'],
      ['unreachable step', withSteps((s) => [...s.slice(0, 3), { id: 'orphan', send: { text: 'x' }, next: 'done' }, s[3]]), 'body.steps.3'],
      ['no end step', withSteps((s) => [...s.slice(0, 3), { id: 'done', send: { text: 'x' }, next: 'menu' }]), 'body.steps'],
      ['duplicate step ids', withSteps((s) => void (s[2].id = 'menu')), 'body.steps.2.id'],
      ['expect and end', withSteps((s) => void (s[3].expect = { type: 'text', next: 'menu' })), 'body.steps.3'],
      ['min above max', withSteps((s) => void Object.assign(s[1].expect!, { min: 30, max: 20 })), 'body.steps.1.expect.max'],
      ['an unknown expect type', withSteps((s) => void (s[2].expect!.type = 'essay')), 'body.steps.2.expect.type'],
      ['an unknown field', { ...order(), colour: 'red' }, 'body.colour'],
      ['no name', { ...order(), name: undefined }, 'body.name'],
    ];
    for (const [what, body, field] of cases) {
      const problem = await refused('POST', flows(), body, field);
      expect(problem.status, what).to.equal(400);
    }
    const unreachable = await refused('POST', flows(), cases[3][1], 'body.steps.3');
    expect((unreachable.errors as { message: string }[])[0].message).to.equal("step 'orphan' is unreachable from start 'menu'");
  });

  it('checks what every content refers to, named by its field', async () => {
    const other = await t.sandboxInstance((await t.owner('stranger')).token);
    const png = fs.readFileSync(path.resolve('fixtures/media/pixel.png')).toString('base64');
    const upload = await t.request('POST', `/v1/instances/${other.id}/media`, { apiKey: other.token, json: { type: 'image', base64: png, mimetype: 'image/png' } });
    expect(upload.status, upload.text).to.equal(201);
    const theirs = upload.body.media_id as string;
    const before = (await t.request('GET', flows(), { token })).body.pagination.total;

    await refused('POST', flows(), withSteps((s) => void (s[0].send = { image: { url: 'http://127.0.0.1/x.png' } })), 'body.steps.0.send.image.url');
    await refused('POST', flows(), withSteps((s) => void (s[1].send = { image: { media_id: theirs } })), 'body.steps.1.send.image.media_id');
    await refused('POST', flows(), withSteps((s) => void (s[0].expect!.invalid = { document: { url: 'http://10.0.0.1/a.pdf' } })), 'body.steps.0.expect.invalid.document.url');
    await refused('POST', flows(), { ...order(), timeout_message: { image: { media_id: theirs } } }, 'body.timeout_message.image.media_id');
    await refused('POST', flows(), { ...order(), on_fail: { audio: { url: 'http://192.168.1.2/a.mp3' } } }, 'body.on_fail.audio.url');
    await refused('POST', flows(), { ...order(), exit_message: { contact: { contact_id: 'bbbbbbbbbbbbbbbbbbbbbbbb' } } }, 'body.exit_message.contact.contact_id');
    await refused('POST', flows(), withSteps((s) => void (s[3].send = { text: 'hi', mentions: ['not a number'] })), 'body.steps.3.send.mentions.0');
    expect((await t.request('GET', flows(), { token })).body.pagination.total).to.equal(before);

    const created = await create(order());
    await refused('PATCH', flows(`/${created.body.id}`), { steps: withSteps((s) => void (s[0].send = { image: { url: 'http://127.0.0.1/x.png' } })).steps }, 'body.steps.0.send.image.url');
  });

  it('checks a PATCH against the whole flow: a broken graph is refused and the flow left as it was; a change bumps the version', async () => {
    const created = await create(order());
    const one = flows(`/${created.body.id}`);
    // the address step dropped: qty still goes on to it
    const problem = await refused('PATCH', one, { steps: steps().filter((step) => step.id !== 'address') }, 'body.steps.1.expect.next');
    expect((problem.errors as { message: string }[])[0].message).to.equal("no step has the id 'address'");
    await refused('PATCH', one, { start: 'nowhere' }, 'body.start');
    expect((await t.request('GET', one, { token })).body).to.deep.equal(created.body);

    const patched = await t.request('PATCH', one, { token, json: { name: 'pedido', timeout_minutes: 5, exit_message: { text: 'Bye' } } });
    expect(patched.status, patched.text).to.equal(200);
    expect(patched.body).to.deep.include({ name: 'pedido', timeout_minutes: 5, exit_message: { text: 'Bye' }, version: 2, start: 'menu' });
    expect(patched.body.steps).to.deep.equal(created.body.steps);
    const cleared = await t.request('PATCH', one, { token, json: { exit_message: null, trigger: null } });
    expect(cleared.body).to.deep.include({ exit_message: null, trigger: null, version: 3 });
  });

  it('enables and disables a flow: the version moves, the compiled set follows', async () => {
    const created = await create(order());
    const flowId = created.body.id as string;
    const compiled = async () => (await t.app.modules.bot.flows.compiled(id)).byId.has(flowId);
    expect(await compiled()).to.equal(true);
    const disabled = await t.request('POST', flows(`/${flowId}/disable`), { token });
    expect(disabled.status, disabled.text).to.equal(200);
    expect(disabled.body).to.deep.include({ id: flowId, enabled: false, version: 2 });
    expect(await compiled()).to.equal(false);
    // disabling a disabled flow changes nothing
    expect((await t.request('POST', flows(`/${flowId}/disable`), { token })).body.version).to.equal(2);
    const enabled = await t.request('POST', flows(`/${flowId}/enable`), { token });
    expect(enabled.body).to.deep.include({ enabled: true, version: 3 });
    expect(await compiled()).to.equal(true);
    expect((await t.request('POST', flows('/aaaaaaaaaaaaaaaaaaaaaaaa/enable'), { token })).status).to.equal(404);
  });

  it('deletes a flow', async () => {
    const created = await create(order());
    const one = flows(`/${created.body.id}`);
    expect((await t.request('DELETE', one, { token })).status).to.equal(204);
    expect((await t.request('GET', one, { token })).status).to.equal(404);
    expect((await t.request('DELETE', one, { token })).status).to.equal(404);
    expect((await t.request('PATCH', one, { token, json: { name: 'x' } })).status).to.equal(404);
    expect((await t.app.modules.bot.flows.compiled(id)).byId.has(created.body.id)).to.equal(false);
  });

  it('lists flows in creation order, paginated, and caps them at 200 per instance', async () => {
    const inst = (await t.sandboxInstance(token)).id;
    for (const name of ['a', 'b', 'c']) expect((await create({ ...order(), name }, inst)).status).to.equal(201);
    const page1 = await t.request('GET', `${flows('', inst)}?limit=2`, { token });
    expect(page1.body.flows.map((f: Json) => f.name)).to.deep.equal(['a', 'b']);
    expect(page1.body.pagination).to.deep.equal({ page: 1, limit: 2, total: 3, pages: 2 });
    const page2 = await t.request('GET', `${flows('', inst)}?limit=2&page=2`, { token });
    expect(page2.body.flows.map((f: Json) => f.name)).to.deep.equal(['c']);

    const small = { name: 'tiny', start: 'only', steps: [{ id: 'only', send: { text: 'hi' }, end: true }] };
    for (let i = 3; i < 200; i++) expect((await create(small, inst)).status).to.equal(201);
    const over = await create(small, inst);
    expect(over.status, over.text).to.equal(422);
    expect(over.body.detail).to.match(/at most 200 flows/);
  });

  it("deleting an instance deletes its flows and the set's version", async () => {
    const inst = (await t.sandboxInstance(token)).id;
    expect((await create(order(), inst)).status).to.equal(201);
    const { store } = t.app.modules;
    expect(await store.collection('flows').countDocuments({ instance_id: inst })).to.equal(1);
    expect((await t.request('DELETE', `/v1/instances/${inst}`, { token })).status).to.equal(204);
    expect(await store.collection('flows').countDocuments({ instance_id: inst })).to.equal(0);
    expect(await store.collection('flow_versions').countDocuments({ _id: inst })).to.equal(0);
  });

  it("hides another owner's instances and flows (404), and another instance's token gets 404", async () => {
    const created = await create(order());
    const one = flows(`/${created.body.id}`);
    const stranger = (await t.owner('intruder')).token;
    expect((await t.request('GET', flows(), { token: stranger })).status).to.equal(404);
    expect((await t.request('GET', one, { token: stranger })).status).to.equal(404);
    expect((await t.request('PATCH', one, { token: stranger, json: { name: 'x' } })).status).to.equal(404);
    expect((await t.request('POST', `${one}/disable`, { token: stranger })).status).to.equal(404);
    expect((await t.request('DELETE', one, { token: stranger })).status).to.equal(404);
    expect((await t.request('POST', flows(), { token: stranger, json: order() })).status).to.equal(404);

    // an instance token acts on its own instance only
    const otherInstance = await t.sandboxInstance(token);
    expect((await t.request('GET', one, { apiKey: otherInstance.token })).status).to.equal(404);
    expect((await t.request('POST', flows(), { apiKey: otherInstance.token, json: order() })).status).to.equal(404);
    const own = await t.request('POST', flows('', otherInstance.id), { apiKey: otherInstance.token, json: order() });
    expect(own.status, own.text).to.equal(201);
    // a flow of another instance of the same owner is not found through this one
    expect((await t.request('GET', flows(`/${own.body.id}`), { token })).status).to.equal(404);

    expect((await t.request('GET', flows('/not-an-id'), { token })).status).to.equal(400);
    expect((await t.request('GET', flows(), {})).status).to.equal(401);
  });

  it("a rule's start_flow must name a flow of the instance", async () => {
    const rule = (flowId: string) => ({ name: 'start order', keywords: ['menu'], reply: { start_flow: flowId } });
    const problem = await refused('POST', `/v1/instances/${id}/rules`, rule('f0000000000000000000000b'), 'body.reply.start_flow');
    expect((problem.errors as { message: string }[])[0].message).to.equal("no flow of this instance has the id 'f0000000000000000000000b'");

    const created = await create(order());
    const ok = await t.request('POST', `/v1/instances/${id}/rules`, { token, json: rule(created.body.id) });
    expect(ok.status, ok.text).to.equal(201);
    expect(ok.body.reply).to.deep.equal({ start_flow: created.body.id });

    // a disabled flow still exists; another instance's flow does not
    await t.request('POST', flows(`/${created.body.id}/disable`), { token });
    expect((await t.request('PATCH', `/v1/instances/${id}/rules/${ok.body.id}`, { token, json: { reply: { start_flow: created.body.id } } })).status).to.equal(200);
    const elsewhere = (await t.sandboxInstance(token)).id;
    const theirs = await create(order(), elsewhere);
    await refused('PATCH', `/v1/instances/${id}/rules/${ok.body.id}`, { reply: { start_flow: theirs.body.id } }, 'body.reply.start_flow');
  });
});
