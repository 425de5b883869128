/**
 * Saved contacts: an instance's address book of vCards, which contact
 * messages can send by id (`{contact: {contact_id}}`). Phone numbers are
 * validated and stored as digits with the country code, one contact per
 * number per instance.
 */
import type { VCardFields } from '../../domain/content.js';
import { parsePhone } from '../../domain/recipient.js';
import { DuplicateKeyError, isId, newId, type Doc, type Store } from '../../store/port.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { SavedContacts } from '../ports.js';

export interface SavedContactDoc extends Doc {
  instance_id: string;
  full_name: string;
  display_name: string | null;
  organization: string | null;
  phone: string;
  created_at: number;
  updated_at: number;
}

export interface SavedContactInput {
  full_name: string;
  display_name?: string | null;
  organization?: string | null;
  phone: string;
}

const COLLECTION = 'saved_contacts';

export class SavedContactsService implements SavedContacts {
  private readonly coll;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {
    this.coll = store.collection<SavedContactDoc>(COLLECTION);
  }

  async init(): Promise<void> {
    await this.store.ensureIndexes(COLLECTION, [{ keys: { instance_id: 1, phone: 1 }, unique: true }, { keys: { instance_id: 1, full_name: 1 } }]);
  }

  async create(instanceId: string, input: SavedContactInput): Promise<SavedContactDoc> {
    const now = this.clock();
    const doc: SavedContactDoc = {
      _id: newId(),
      instance_id: instanceId,
      full_name: input.full_name,
      display_name: input.display_name ?? null,
      organization: input.organization ?? null,
      phone: digitsOf(input.phone, 'body.phone'),
      created_at: now,
      updated_at: now,
    };
    try {
      return await this.coll.insertOne(doc);
    } catch (err) {
      throw await this.duplicate(err, instanceId, doc.phone);
    }
  }

  async get(instanceId: string, contactId: string): Promise<SavedContactDoc> {
    const doc = isId(contactId) ? await this.coll.findOne({ _id: contactId, instance_id: instanceId }) : null;
    if (!doc) throw new NotFoundError('saved contact');
    return doc;
  }

  async list(instanceId: string, page: number, limit: number, phone?: string): Promise<{ contacts: SavedContactDoc[]; total: number }> {
    const filter = { instance_id: instanceId, ...(phone ? { phone: digitsOf(phone, 'query.phone') } : {}) };
    const [contacts, total] = await Promise.all([
      this.coll.find(filter, { sort: { full_name: 1, _id: 1 }, skip: (page - 1) * limit, limit }),
      this.coll.countDocuments(filter),
    ]);
    return { contacts, total };
  }

  /** Changes the given fields; `null` clears display_name or organization. */
  async update(instanceId: string, contactId: string, patch: Partial<SavedContactInput>): Promise<SavedContactDoc> {
    await this.get(instanceId, contactId);
    const set: Record<string, unknown> = { updated_at: this.clock() };
    if (patch.full_name !== undefined) set.full_name = patch.full_name;
    if (patch.display_name !== undefined) set.display_name = patch.display_name;
    if (patch.organization !== undefined) set.organization = patch.organization;
    if (patch.phone !== undefined) set.phone = digitsOf(patch.phone, 'body.phone');
    try {
      const doc = await this.coll.findOneAndUpdate({ _id: contactId, instance_id: instanceId }, { $set: set });
      if (!doc) throw new NotFoundError('saved contact');
      return doc;
    } catch (err) {
      throw await this.duplicate(err, instanceId, set.phone as string);
    }
  }

  async remove(instanceId: string, contactId: string): Promise<void> {
    const removed = isId(contactId) ? await this.coll.deleteOne({ _id: contactId, instance_id: instanceId }) : 0;
    if (!removed) throw new NotFoundError('saved contact');
  }

  async removeInstance(instanceId: string): Promise<void> {
    await this.coll.deleteMany({ instance_id: instanceId });
  }

  async vcardFields(instanceId: string, contactId: string): Promise<VCardFields> {
    const c = await this.get(instanceId, contactId);
    return { full_name: c.full_name, phone: c.phone, ...(c.display_name ? { display_name: c.display_name } : {}), ...(c.organization ? { organization: c.organization } : {}) };
  }

  private async duplicate(err: unknown, instanceId: string, phone: string): Promise<unknown> {
    if (!(err instanceof DuplicateKeyError)) return err;
    const existing = await this.coll.findOne({ instance_id: instanceId, phone });
    return new ConflictError(`a saved contact with phone ${phone} already exists${existing ? ` (id ${existing._id})` : ''}`, 'body.phone');
  }
}

function digitsOf(phone: string, field: string): string {
  const parsed = parsePhone(phone);
  if (!parsed.ok) throw new ValidationError(field, parsed.reason);
  return parsed.digits;
}
