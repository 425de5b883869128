import { expect } from 'chai';
import { z } from 'zod';
import { FlowCreateSchema, FlowTriggerSchema, flowProblems, StepSchema } from './flows.js';

type Json = Record<string, unknown>;

/** menu (choice) → name (text) → age (number) → done (end); every case breaks one thing. */
const menu = { id: 'menu', send: { text: '1 or 2?' }, expect: { type: 'choice', options: [{ match: ['1'], next: 'name' }, { match: ['2'], next: 'age' }] } };
const name = { id: 'name', send: { text: 'Your name?' }, expect: { type: 'text', save_as: 'name', next: 'age' } };
const age = { id: 'age', send: { text: 'Your age?' }, expect: { type: 'number', min: 0, max: 130, next: 'done' } };
const done = { id: 'done', send: { text: 'Thanks' }, end: true };
const valid: Json = { name: 'signup', start: 'menu', trigger: { keywords: ['start'] }, exit_keywords: ['stop'], steps: [menu, name, age, done] };

/** flowProblems on the flow as the schemas leave it (defaults filled), as `path: message`. */
function problems(changes: Json): string[] {
  const body = { ...valid, ...changes };
  const flow = {
    start: body.start as string,
    trigger: body.trigger ? FlowTriggerSchema.parse(body.trigger) : null,
    exit_keywords: body.exit_keywords as string[],
    exit_match: 'word' as const,
    steps: z.array(StepSchema).parse(body.steps),
  };
  return flowProblems(flow).map((p) => `${p.path.join('.')}: ${p.message}`);
}

describe('flowProblems', () => {
  it('finds nothing wrong with a sound flow', () => {
    expect(problems({})).to.deep.equal([]);
  });

  const cases: [string, Json, string][] = [
    ['duplicate step ids', { steps: [menu, name, { ...age, id: 'name' }, done] }, "steps.2.id: 'name' is already the id of steps.1"],
    ['an unknown next', { steps: [menu, { ...name, expect: { ...name.expect, next: 'nowhere' } }, age, done] }, "steps.1.expect.next: no step has the id 'nowhere'"],
    ['an unknown option next', { steps: [{ ...menu, expect: { ...menu.expect, options: [menu.expect.options[0], { match: ['2'], next: 'agee' }] } }, name, age, done] }, "steps.0.expect.options.1.next: no step has the id 'agee'"],
    ['an unknown step next', { steps: [menu, name, { id: 'age', next: 'gone' }, done] }, "steps.2.next: no step has the id 'gone'"],
    ['an unknown start', { start: 'begin' }, "start: no step has the id 'begin'"],
    ['an unreachable step', { steps: [menu, name, age, done, { id: 'orphan', send: { text: 'x' }, next: 'done' }] }, "steps.4: step 'orphan' is unreachable from start 'menu'"],
    ['no end step', { steps: [menu, name, { ...age, expect: { ...age.expect, next: 'menu' } }] }, 'steps: no step ends the flow: give at least one step end: true'],
    ['a step with expect and end', { steps: [menu, name, age, { ...done, expect: { type: 'text', next: 'menu' } }] }, 'steps.3: give exactly one of expect (wait for an answer), next (go on at once) or end: true'],
    ['a step with neither', { steps: [menu, name, age, { id: 'done', send: { text: 'x' } }] }, 'steps.3: give exactly one of expect'],
    ['min above max', { steps: [menu, name, { ...age, expect: { ...age.expect, min: 10, max: 5 } }, done] }, 'steps.2.expect.max: must be at least min (10)'],
    ['min_length above max_length', { steps: [menu, { ...name, expect: { ...name.expect, min_length: 50, max_length: 10 } }, age, done] }, 'steps.1.expect.max_length: must be at least min_length (50)'],
    [
      'a step that can never reach an end',
      { steps: [{ ...menu, expect: { ...menu.expect, options: [{ match: ['1'], next: 'name' }, { match: ['2'], next: 'done' }] } }, { ...name, expect: { ...name.expect, next: 'age' } }, { ...age, expect: { ...age.expect, next: 'name' } }, done] },
      "steps.1: step 'name' can never reach a step with end: true",
    ],
    ['a loop of steps that never wait', { steps: [menu, { id: 'name', next: 'age' }, { id: 'age', next: 'name' }, done] }, 'steps.1.next: makes a loop of steps that never wait for an answer (name → age → name)'],
    ['a blank option keyword', { steps: [{ ...menu, expect: { ...menu.expect, options: [{ match: [' '], next: 'name' }, menu.expect.options[1]] } }, name, age, done] }, 'steps.0.expect.options.0.match.0: is empty'],
    ['a blank trigger keyword', { trigger: { keywords: ['ok', '  '] } }, 'trigger.keywords.1: is empty'],
    ['an unsupported trigger regex', { trigger: { keywords: ['(a)\\1'], match: 'regex' } }, 'trigger.keywords.0: is not a supported regular expression'],
    ['a blank exit keyword', { exit_keywords: [''] }, 'exit_keywords.0: is empty'],
  ];
  for (const [what, changes, expected] of cases) {
    it(`refuses ${what}`, () => {
      expect(problems(changes).join('\n')).to.include(expected);
    });
  }

  it('reports a missing end alone, not each step that cannot reach it', () => {
    expect(problems({ steps: [menu, name, { ...age, expect: { ...age.expect, next: 'menu' } }] })).to.have.length(1);
  });
});

describe('FlowCreateSchema', () => {
  it('fills the defaults of the flow, its trigger and its expectations', () => {
    const flow = FlowCreateSchema.parse(valid);
    expect(flow).to.deep.include({ enabled: true, exit_match: 'word', exit_message: null, timeout_minutes: 30, timeout_message: null, on_fail: null });
    expect(flow.trigger).to.deep.equal({ keywords: ['start'], match: 'word', case_sensitive: false });
    expect(flow.steps[0].expect).to.deep.include({ match_mode: 'word', case_sensitive: false, max_attempts: 3 });
    expect(flow.steps[1].expect).to.deep.include({ min_length: 1, max_length: 1000 });
    expect(flow.steps[2].expect).to.deep.include({ integer: true });
  });

  it("reports flowProblems under the body's own paths", () => {
    const result = FlowCreateSchema.safeParse({ ...valid, start: 'begin' });
    expect(result.success).to.equal(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).to.deep.equal(['start']);
  });
});
