/**
 * WhatsApp's answer to a pairing code: once the code is typed on the phone,
 * the server sends the companion `<notification type="link_code_companion_reg">`
 * carrying the phone's keys, and Baileys finishes the link from them. rc14
 * reads them without checking (Baileys issue #2600): a notice without one of
 * them (or one for a socket that asked for no code) throws inside Baileys,
 * which logs "unexpected error in 'handling notification'" and drops it, and
 * the link silently never completes.
 *
 * tucan looks at the same notice first and says what is missing, so the owner
 * is told to request a new code instead of waiting for a link that cannot come.
 */
import type { AuthenticationCreds } from '@whiskeysockets/baileys';
import type { NotificationNode } from './qr-refresh.js';

/** What each part must hold for rc14 to finish the link (lib/Socket/messages-recv.js). */
const PARTS: { tag: string; minBytes: number }[] = [
  { tag: 'link_code_pairing_ref', minBytes: 1 },
  { tag: 'primary_identity_pub', minBytes: 32 },
  // salt (32) + iv (16) + the wrapped key (32)
  { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', minBytes: 80 },
];

export function isLinkCodeNotice(node: NotificationNode): boolean {
  return node.tag === 'notification' && node.attrs.type === 'link_code_companion_reg';
}

/** What the notice (or this socket's creds) lacks to finish the link; empty when nothing does. */
export function linkCodeNoticeGaps(node: NotificationNode, creds: Partial<AuthenticationCreds> | undefined): string[] {
  const gaps: string[] = [];
  if (!creds?.pairingCode || !creds.me?.id || !creds.pairingEphemeralKeyPair) gaps.push('a pairing code requested on this connection');
  const reg = children(node).find((c) => c.tag === 'link_code_companion_reg');
  if (!reg) return [...gaps, 'its link_code_companion_reg element'];
  for (const part of PARTS) {
    const content = children(reg).find((c) => c.tag === part.tag)?.content;
    const size = content instanceof Uint8Array ? content.length : 0;
    if (size < part.minBytes) gaps.push(part.minBytes > 1 ? `${part.tag} (${part.minBytes} bytes)` : part.tag);
  }
  return gaps;
}

function children(node: NotificationNode): NotificationNode[] {
  return Array.isArray(node.content) ? (node.content as NotificationNode[]).filter((c) => c && typeof c === 'object' && typeof c.tag === 'string') : [];
}
