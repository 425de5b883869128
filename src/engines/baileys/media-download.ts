/**
 * Lazy download of received media through Baileys' `downloadMediaMessage`,
 * with one guard Baileys lacks: the download URL is built from fields of the
 * sender's message (`url`, `directPath`), so a crafted message could point
 * the server at any host (`directPath: "@internal.host/…"` even turns the
 * media host into userinfo). Only https URLs on WhatsApp's media hosts are
 * fetched.
 */
import { downloadMediaMessage, getContentType, normalizeMessageContent, type WAMessage } from '@whiskeysockets/baileys';
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';
import type { MediaBytes } from '../../domain/content.js';
import { EngineSendError } from '../engine.js';
import { extractContent } from './message-content.js';

/** Baileys' default media host, used when a message carries only a path. */
const MEDIA_HOST = 'mmg.whatsapp.net';
const TRUSTED_HOST = /(^|\.)whatsapp\.net$/i;

interface MediaLocation {
  url?: string | null;
  directPath?: string | null;
}

/** The URL Baileys would fetch for this media, if it is on a WhatsApp host; null otherwise. */
export function trustedMediaUrl(media: MediaLocation): string | null {
  const candidate = media.directPath ? `https://${MEDIA_HOST}${media.directPath}` : media.url;
  if (!candidate) return null;
  if (media.directPath && !media.directPath.startsWith('/')) return null;
  try {
    const url = new URL(candidate);
    return url.protocol === 'https:' && !url.username && !url.password && TRUSTED_HOST.test(url.hostname) ? url.href : null;
  } catch {
    return null;
  }
}

export async function downloadInboundMedia(message: WAMessage, reuploadRequest: (m: WAMessage) => Promise<WAMessage>, logger: ILogger): Promise<MediaBytes> {
  const content = normalizeMessageContent(message.message);
  const type = getContentType(content ?? undefined);
  const media = (type && content ? content[type] : null) as MediaLocation | null;
  if (!media || typeof media !== 'object') throw new EngineSendError('the message has no media', false, 'not_media');
  if (!trustedMediaUrl(media)) throw new EngineSendError('the media URL in this message is not on a WhatsApp host; refusing to fetch it', false, 'untrusted_media_url');
  // the host is pinned so Baileys never falls back to a host taken from the message's `url`
  const data = await downloadMediaMessage(message, 'buffer', { host: MEDIA_HOST }, { logger, reuploadRequest });
  const info = extractContent(message.message)?.media;
  return { data, mimetype: info?.mimetype ?? 'application/octet-stream', ...(info?.filename ? { filename: info.filename } : {}) };
}
