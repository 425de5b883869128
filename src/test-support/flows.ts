/** Flows for tests: the order flow (fixtures/flows/order.json), parsed and completed like a stored flow. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowCreateSchema, type Flow } from '../domain/flows.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/flows');

/** The JSON document as an API client sends it. */
export function flowDocument(name = 'order'): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** The document through the create schema (defaults filled), with an id and a version. */
export function testFlow(overrides: Partial<Flow> = {}, name = 'order'): Flow {
  const parsed = FlowCreateSchema.parse(flowDocument(name));
  return { ...parsed, id: 'f0000000000000000000000a', version: 1, ...overrides };
}
