/**
 * Engine events that become webhook events directly, without passing through
 * the inbound pipeline or the outbox: connection changes (`connection.update`,
 * seed 001's `ready` when connected) and group participant changes. The
 * composition root subscribes these handlers to the engine hub.
 */
import type { ConnectionUpdate, GroupParticipantsUpdate } from '../../engines/engine.js';
import type { ConnectionUpdateData } from '../../domain/events.js';
import type { InstancesRepo } from '../../store/repositories/instances.js';
import type { EventSink } from '../ports.js';

export interface EngineEventBridge {
  connection(instanceId: string, update: ConnectionUpdate): Promise<void>;
  groupParticipants(instanceId: string, update: GroupParticipantsUpdate): Promise<void>;
}

export function engineEventBridge(sink: EventSink, instances: InstancesRepo): EngineEventBridge {
  // the last update sent per instance: engines repeat themselves (reconnect loops, QR refreshes
  // with the same code) and integrators should not be flooded with identical events
  const last = new Map<string, string>();
  const phones = new Map<string, string | null>();

  return {
    async connection(instanceId, update) {
      if (update.phone !== undefined) phones.set(instanceId, update.phone);
      if (update.status === 'logged_out') phones.set(instanceId, null);
      let phone = phones.get(instanceId);
      if (phone === undefined) {
        phone = (await instances.byId(instanceId))?.phone ?? null;
        phones.set(instanceId, phone);
      }
      const data: ConnectionUpdateData = {
        status: update.status,
        ready: update.status === 'connected',
        phone,
        reason: update.reason ?? null,
        qr: update.status === 'qr' ? (update.qr ?? null) : null,
      };
      const key = JSON.stringify(data);
      if (last.get(instanceId) === key) return;
      last.set(instanceId, key);
      await sink.publish(instanceId, [{ type: 'connection.update', data }]);
    },

    async groupParticipants(instanceId, update) {
      await sink.publish(instanceId, [
        {
          type: 'group.participants',
          data: { group_jid: update.group_jid, action: update.action, participants: update.participants.map((p) => ({ jid: p.jid, phone: p.phone, lid: p.lid ?? null })), author_jid: update.author_jid },
        },
      ]);
    },
  };
}
