/**
 * Groups on the double: metadata queries (one group, or all the companion's
 * account takes part in) answered from the world's group list.
 */
import type { BinaryNode } from '@whiskeysockets/baileys';
import { IqError, type WaServer } from './wa-server.js';
import type { Account } from './world.js';

export interface Group {
  jid: string;
  subject: string;
  members: Account[];
  /** `lid` groups name members by LID, with the phone number beside it. */
  addressing: 'pn' | 'lid';
}

export class Groups {
  private readonly byJid = new Map<string, Group>();
  private counter = 0;

  constructor(server: WaServer) {
    server.iq('w:g2', 'query', (_stream, node) => [this.node(this.get(node.attrs.to ?? ''))]);
    server.iq('w:g2', 'participating', (stream) => [
      { tag: 'groups', attrs: {}, content: [...this.byJid.values()].filter((g) => g.members.includes(stream.account!)).map((g) => this.node(g)) },
    ]);
  }

  add(subject: string, members: Account[], addressing: 'pn' | 'lid' = 'pn'): Group {
    const group: Group = { jid: `1203630${String(Date.now()).slice(-8)}${++this.counter}@g.us`, subject, members, addressing };
    this.byJid.set(group.jid, group);
    return group;
  }

  find(jid: string): Group | undefined {
    return this.byJid.get(jid);
  }

  private get(jid: string): Group {
    const group = this.byJid.get(jid);
    if (!group) throw new IqError(404, 'item-not-found');
    return group;
  }

  private node(group: Group): BinaryNode {
    return {
      tag: 'group',
      attrs: {
        id: group.jid.split('@')[0]!,
        subject: group.subject,
        creation: '1700000000',
        creator: group.members[0]!.jid,
        ...(group.addressing === 'lid' ? { addressing_mode: 'lid' } : {}),
      },
      content: group.members.map((member, i) => ({
        tag: 'participant',
        attrs: {
          ...(group.addressing === 'lid' ? { jid: member.lidJid, phone_number: member.jid } : { jid: member.jid, lid: member.lidJid }),
          ...(i === 0 ? { type: 'admin' } : {}),
        },
      })),
    };
  }
}
