/**
 * A contact's public WhatsApp profile: name, about text and picture URL,
 * each null when WhatsApp does not reveal it (privacy settings, no picture).
 * Profile lookups share the instance's lookup pacing with number checks, so
 * enumerating profiles is as slow as enumerating numbers.
 */
import { parsePhone } from '../../domain/recipient.js';
import type { EngineManager } from '../engine-manager.js';
import { ValidationError } from '../errors.js';
import { connectedEngine, lookup, type InstanceRef } from './engine-access.js';
import type { LookupPacer } from './lookup-pacer.js';

export interface ContactProfile {
  phone: string;
  jid: string;
  name: string | null;
  about: string | null;
  picture_url: string | null;
}

export class ContactInfoService {
  constructor(
    private readonly engines: EngineManager,
    private readonly pacer: LookupPacer,
  ) {}

  async profile(instance: InstanceRef, phoneInput: string, field: string): Promise<ContactProfile> {
    const instanceId = instance._id;
    const phone = parsePhone(phoneInput);
    if (!phone.ok) throw new ValidationError(field, phone.reason);
    const engine = connectedEngine(this.engines, instance);
    const done = this.pacer.admit(instanceId, 1);
    const info = await this.pacer.run(instanceId, () => lookup('profile lookup', () => engine.contactInfo(`${phone.digits}@s.whatsapp.net`))).finally(done);
    return { phone: phone.digits, jid: info.jid, name: info.name ?? null, about: info.about ?? null, picture_url: info.picture_url ?? null };
  }
}
