/**
 * Dispatch-time conversion of a stored message into what an engine takes:
 * interactive types rendered as text (engines never see buttons or lists),
 * stored media loaded as bytes (engines never see a URL or a path).
 */
import { mediaOf, withMedia, type Content, type MediaBytes, type StoredMedia } from '../../domain/content.js';
import { renderInteractive } from '../../domain/interactive.js';
import type { EngineContent } from '../../engines/engine.js';
import type { MediaIntake } from '../ports.js';

/** The message cannot be sent as stored (e.g. its media expired); retrying will not help. */
export class UnsendableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsendableError';
  }
}

export async function toEngineContent(instanceId: string, content: Content<StoredMedia>, media: MediaIntake): Promise<EngineContent> {
  const rendered = renderInteractive(content);
  if (rendered.type === 'contact_ref') throw new UnsendableError('contact reference was not resolved when the message was accepted');
  const stored = mediaOf(rendered);
  if (!stored) return rendered as EngineContent;
  let bytes: MediaBytes;
  try {
    bytes = await media.load(instanceId, stored.media_id);
  } catch (err) {
    const e = err as { status?: number; message?: string };
    if (e.status === 404) throw new UnsendableError(`media ${stored.media_id} is no longer available (stored media expires); send the message again with the file`);
    throw err;
  }
  const filename = bytes.filename ?? stored.filename;
  const { seconds, waveform } = bytes;
  return withMedia(rendered, {
    data: bytes.data,
    mimetype: bytes.mimetype ?? stored.mimetype,
    ...(filename ? { filename } : {}),
    ...(seconds ? { seconds } : {}),
    ...(waveform ? { waveform } : {}),
  }) as EngineContent;
}
