/**
 * Recurring sends: create, list, pause, resume and delete. The cron
 * expression is evaluated in the bot's time zone (bot_timezone), re-read at
 * every run so a changed setting applies from the next occurrence on.
 */
import { contentToJson, type Content, type MediaInput } from '../../domain/content.js';
import { checkCron, nextOccurrence } from '../../domain/recurrence.js';
import type { CodePhone } from '../../domain/recipient.js';
import { parseTimeZone, type TimeZone } from '../../domain/timezone.js';
import { newId } from '../../store/port.js';
import type { InstanceDoc } from '../../store/repositories/instances.js';
import type { RecurringDoc, RecurringRepo } from '../../store/repositories/recurring.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { resolveRecipient, type ContentPreparer } from './preparer.js';

export interface RecurringInput {
  name?: string;
  to: string | CodePhone;
  cron: string;
  content: Content<MediaInput>;
  paused?: boolean;
}

export function botZone(instance: Pick<InstanceDoc, 'settings'>): TimeZone {
  // settings are validated on write; UTC only guards against a hand-edited document
  return parseTimeZone(instance.settings.bot_timezone) ?? { kind: 'offset', minutes: 0 };
}

export function recurringView(doc: RecurringDoc, instance: Pick<InstanceDoc, 'settings'>) {
  const iso = (ms: number | null | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : null);
  return {
    id: doc._id,
    name: doc.name,
    to: doc.to,
    cron: doc.cron,
    time_zone: instance.settings.bot_timezone,
    content: contentToJson(doc.content),
    paused: doc.paused,
    next_run_at: iso(doc.next_run_at),
    last_run_at: iso(doc.last_run_at),
    last_message_id: doc.last_message_id,
    runs: doc.runs,
    created_at: iso(doc.created_at)!,
    updated_at: iso(doc.updated_at)!,
  };
}

export class RecurringService {
  constructor(
    private readonly repo: RecurringRepo,
    private readonly preparer: ContentPreparer,
    private readonly clock: () => number,
    /** Sends were added, paused or removed: the scheduler re-arms its timer. */
    private readonly changed: () => void,
  ) {}

  async create(instance: InstanceDoc, input: RecurringInput): Promise<RecurringDoc> {
    const now = this.clock();
    const recipient = resolveRecipient(input.to, 'body.to');
    const zone = botZone(instance);
    const check = checkCron(input.cron, zone, now);
    if (!check.ok) throw new ValidationError('body.cron', check.reason);
    if (input.content.reply_to) throw new ValidationError('body.content.reply_to', 'a recurring send cannot quote a message');
    const content = await this.preparer.prepareTemplate(instance._id, input.content, 'body.content');
    const next = input.paused ? null : nextOccurrence(input.cron, zone, now);
    const doc: RecurringDoc = {
      _id: newId(),
      instance_id: instance._id,
      owner_id: instance.owner_id,
      name: input.name ?? null,
      cron: input.cron.trim(),
      to: recipient.phone ?? recipient.jid,
      chat_jid: recipient.jid,
      phone: recipient.phone,
      content,
      paused: input.paused ?? false,
      ...(next !== null ? { next_run_at: next } : {}),
      last_run_at: null,
      last_message_id: null,
      runs: 0,
      created_at: now,
      updated_at: now,
    };
    await this.repo.insert(doc);
    this.changed();
    return doc;
  }

  list(instance: InstanceDoc): Promise<RecurringDoc[]> {
    return this.repo.list(instance._id);
  }

  async get(instance: InstanceDoc, id: string): Promise<RecurringDoc> {
    const doc = await this.repo.byId(instance._id, id);
    if (!doc) throw new NotFoundError('recurring send');
    return doc;
  }

  async setPaused(instance: InstanceDoc, id: string, paused: boolean): Promise<RecurringDoc> {
    const doc = await this.get(instance, id);
    const next = paused ? null : nextOccurrence(doc.cron, botZone(instance), this.clock());
    const updated = await this.repo.setPaused(instance._id, id, paused, next, this.clock());
    if (!updated) throw new NotFoundError('recurring send');
    this.changed();
    return updated;
  }

  async remove(instance: InstanceDoc, id: string): Promise<void> {
    if (!(await this.repo.remove(instance._id, id))) throw new NotFoundError('recurring send');
    this.changed();
  }
}
