/**
 * The groups the linked number belongs to. Participants carry their JID,
 * their phone number when WhatsApp reveals it (it may show only an @lid),
 * their LID when known, and whether they are an admin.
 */
import { lidFromJid, phoneFromJid } from '../../domain/recipient.js';
import type { EngineManager } from '../engine-manager.js';
import { connectedEngine, lookup, type InstanceRef } from './engine-access.js';

export interface GroupView {
  id: string;
  name: string;
  size: number;
  participants: { jid: string; phone: string | null; lid: string | null; admin: boolean }[];
}

export class GroupsService {
  constructor(private readonly engines: EngineManager) {}

  async list(instance: InstanceRef): Promise<GroupView[]> {
    const engine = connectedEngine(this.engines, instance);
    const groups = await lookup('group list', () => engine.groups());
    return groups
      .map((g) => ({
        id: g.id,
        name: g.name,
        size: g.participants.length,
        participants: g.participants.map((p) => ({ jid: p.jid, phone: p.phone ?? phoneFromJid(p.jid), lid: p.lid ?? lidFromJid(p.jid), admin: p.admin })),
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }
}
