/**
 * WhatsApp's QR refresh (since about 2026-07-28): after a QR is scanned, the
 * server may send an unlinked companion `<notification
 * type="companion_reg_refresh">` (or one with a `pair-device-rotate-qr`
 * child). WhatsApp Web then rotates its adv secret and shows the QR again.
 * Baileys 7.0.0-rc14 acknowledges the notification and drops it, so the QR
 * keeps advertising a retired secret, the phone shows "Couldn't link
 * device", and the refs run out (Baileys issue #2737, PR #2765).
 *
 * tucan carries the fix around the socket, without patching Baileys: on
 * that notification a fresh secret goes into creds (the pair-success HMAC
 * is checked against creds), and every QR shown from then on carries it,
 * since rc14 builds its later QRs from the secret it read at pair-device.
 */
import { randomBytes } from 'node:crypto';

/** What a binary node from the socket looks like, as far as this needs. */
export interface NotificationNode {
  tag: string;
  attrs: Record<string, string>;
  content?: unknown;
}

const REFRESH_CHILDREN = new Set(['companion_reg_refresh', 'pair-device-rotate-qr']);

export function isQrRefresh(node: NotificationNode): boolean {
  if (node.tag !== 'notification') return false;
  if (node.attrs.type === 'companion_reg_refresh') return true;
  return Array.isArray(node.content) && node.content.some((child) => REFRESH_CHILDREN.has((child as { tag?: string }).tag ?? ''));
}

/** 32 fresh random bytes, base64, as WhatsApp Web makes them. */
export function newAdvSecret(): string {
  return randomBytes(32).toString('base64');
}

/**
 * The QR with its adv secret replaced. rc14's QR is
 * `https://wa.me/settings/linked_devices#<ref>,<noise key>,<identity key>,<adv secret>,<platform>`;
 * older ones are the same fields without the URL. Anything else is returned unchanged.
 */
export function withAdvSecret(qr: string, secret: string): string {
  const hash = qr.indexOf('#');
  const prefix = hash >= 0 ? qr.slice(0, hash + 1) : '';
  const fields = qr.slice(prefix.length).split(',');
  if (fields.length < 4) return qr;
  fields[3] = secret;
  return prefix + fields.join(',');
}
