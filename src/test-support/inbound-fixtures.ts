/** Loads the recorded inbound message fixtures (fixtures/inbound/*.json). Not a test file itself. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InboundMessage } from '../domain/inbound.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/inbound');

export function inboundFixtureNames(): string[] {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadInbound(name: string, overrides: Partial<InboundMessage> = {}): InboundMessage {
  const message = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as InboundMessage;
  return { ...message, ...overrides };
}
