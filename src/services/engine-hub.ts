/**
 * Fan-out of engine events to the services that care (pipeline, outbox,
 * webhooks, lifecycle), tagged with the instance id. Engines know nothing
 * about their subscribers.
 */
import type { Logger } from '../logger.js';
import type { EngineEvents } from '../engines/engine.js';

type Payload<K extends keyof EngineEvents> = Parameters<EngineEvents[K]>[0];
type Handler<K extends keyof EngineEvents> = (instanceId: string, payload: Payload<K>) => void | Promise<void>;

export class EngineHub {
  private readonly handlers: { [K in keyof EngineEvents]: Handler<K>[] } = { inbound: [], receipt: [], connection: [], groupParticipants: [] };

  constructor(private readonly log: Logger) {}

  on<K extends keyof EngineEvents>(event: K, handler: Handler<K>): void {
    this.handlers[event].push(handler);
  }

  /** Runs every handler; one failing handler is logged and does not stop the others. */
  async emit<K extends keyof EngineEvents>(event: K, instanceId: string, payload: Payload<K>): Promise<void> {
    for (const handler of this.handlers[event]) {
      try {
        await handler(instanceId, payload);
      } catch (err) {
        this.log.error({ err, event, instance_id: instanceId }, 'engine event handler failed');
      }
    }
  }

  /** The EngineEvents object handed to one instance's engine. */
  eventsFor(instanceId: string): EngineEvents {
    return {
      inbound: (messages) => this.emit('inbound', instanceId, messages),
      receipt: (receipts) => this.emit('receipt', instanceId, receipts),
      connection: (update) => this.emit('connection', instanceId, update),
      groupParticipants: (update) => this.emit('groupParticipants', instanceId, update),
    };
  }
}
