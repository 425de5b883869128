/**
 * A flow's media answer, kept as a file: the engine downloads the message's
 * media (a phone's upload, through Baileys; the sandbox's attached bytes),
 * and media intake stores it like an upload, so the flow's variable (and its
 * flow.completed webhook) names a media id that GET /v1/instances/:id/media/:id
 * describes and sends can reuse. Null when the engine has no bytes for it.
 */
import { MEDIA_TYPES, type MediaType } from '../domain/content.js';
import type { InboundMessage } from '../domain/inbound.js';
import type { EngineManager } from './engine-manager.js';
import type { MediaIntake } from './ports.js';

const STORABLE = new Set<string>(MEDIA_TYPES);

export type KeepMedia = (instanceId: string, message: InboundMessage) => Promise<string | null>;

export function mediaAnswers(engines: EngineManager, intake: MediaIntake): KeepMedia {
  return async (instanceId, message) => {
    const engine = engines.get(instanceId);
    if (!engine?.downloadMedia || !STORABLE.has(message.kind)) return null;
    const bytes = await engine.downloadMedia(message.wa_message_id);
    const file = { field: 'answer', filename: bytes.filename ?? message.media?.filename ?? null, mimetype: bytes.mimetype, size: bytes.data.length, data: bytes.data };
    const stored = await intake.store(instanceId, file, message.kind as MediaType, 'answer');
    return stored.media_id;
  };
}
