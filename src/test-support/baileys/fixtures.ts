/**
 * Loads the recorded Baileys fixtures (fixtures/baileys/, written by
 * scripts/record-baileys-fixtures.ts) back into the shapes Baileys emits.
 * Not a test file itself.
 *
 * - Content is rebuilt with `proto.Message.fromObject`, so bytes are
 *   Uint8Arrays and 64-bit fields are Longs, as after decoding off the wire.
 * - Keys stay plain objects (fromObject would drop the v7 alt fields).
 * - `history` fixtures become WebMessageInfo instances with a Long timestamp.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { proto, type MessageUpsertType, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/baileys');

export interface MessageFixture {
  name: string;
  description: string;
  type: MessageUpsertType;
  message: WAMessage;
}

interface RawFixture {
  description: string;
  upsert_type: MessageUpsertType;
  history?: boolean;
  message: Record<string, unknown> & { key: WAMessageKey; message?: Record<string, unknown> };
}

export function messageFixtureNames(): string[] {
  return fs
    .readdirSync(path.join(DIR, 'messages'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadMessage(name: string): MessageFixture {
  const raw = JSON.parse(fs.readFileSync(path.join(DIR, 'messages', `${name}.json`), 'utf8')) as RawFixture;
  const { key, message, ...rest } = raw.message;
  let wa: WAMessage;
  if (raw.history) {
    const info = proto.WebMessageInfo.fromObject({ ...rest, key: {}, ...(message ? { message } : {}) }) as unknown as WAMessage;
    info.key = { ...key };
    wa = info;
  } else {
    wa = { ...(rest as Partial<WAMessage>), key: { ...key }, ...(message ? { message: proto.Message.fromObject(message) } : {}) } as WAMessage;
  }
  return { name, description: raw.description, type: raw.upsert_type, message: wa };
}

export function loadEvent<T>(name: string): T {
  const raw = JSON.parse(fs.readFileSync(path.join(DIR, 'events', `${name}.json`), 'utf8')) as { event: T };
  return raw.event;
}
