/**
 * Recipients and JIDs. Accepts what integrators actually send — bare digits
 * with the country code, formatted international numbers, seed 000's
 * `{code, phone}` pair, user/LID/group JIDs — and turns it into the JID to
 * send to, or a reason it is not one.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type Recipient =
  | { kind: 'user'; jid: string; phone: string }
  | { kind: 'lid'; jid: string; phone: null }
  | { kind: 'group'; jid: string; phone: null };

export type RecipientResult = { ok: true; recipient: Recipient } | { ok: false; reason: string };

export interface CodePhone {
  code: string;
  phone: string;
}

const USER_SERVERS = new Set(['s.whatsapp.net', 'c.us']);

/** Strips the device suffix (`:12`) and maps `c.us` to `s.whatsapp.net`. */
export function normalizeJid(jid: string): string {
  // already normal (every message has a sender to normalise): no slicing and re-joining
  if (!jid.includes(':') && (jid.endsWith('@s.whatsapp.net') || jid.endsWith('@g.us') || jid.endsWith('@lid'))) return jid;
  const at = jid.lastIndexOf('@');
  if (at < 0) return jid;
  const user = jid.slice(0, at).split(':')[0];
  const server = jid.slice(at + 1).toLowerCase();
  return `${user}@${USER_SERVERS.has(server) ? 's.whatsapp.net' : server}`;
}

export function phoneFromJid(jid: string | null | undefined): string | null {
  if (!jid) return null;
  const normalized = normalizeJid(jid);
  const [user, server] = normalized.split('@');
  return server === 's.whatsapp.net' && /^\d{6,15}$/.test(user) ? user : null;
}

/** The LID JID (`…@lid`, without a device suffix) a JID is, or null. */
export function lidFromJid(jid: string | null | undefined): string | null {
  if (!jid) return null;
  const normalized = normalizeJid(jid);
  return /^\d{5,20}@lid$/.test(normalized) ? normalized : null;
}

export function isGroupJid(jid: string): boolean {
  return jid.endsWith('@g.us');
}

/** Validates an international number (country code required) and returns its digits. */
export function parsePhone(input: string): { ok: true; digits: string } | { ok: false; reason: string } {
  const trimmed = input.trim();
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) return { ok: false, reason: 'must be a phone number with its country code, digits only (e.g. 573001234567)' };
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return { ok: false, reason: 'must have 7 to 15 digits including the country code' };
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (!parsed || !parsed.isValid()) return { ok: false, reason: `+${digits} is not a valid phone number (the country code is required, e.g. 573001234567)` };
  return { ok: true, digits: parsed.number.slice(1) };
}

export function parseRecipient(input: string | CodePhone): RecipientResult {
  if (typeof input !== 'string') return parseCodePhone(input);
  const text = input.trim();
  if (text.includes('@')) {
    const jid = normalizeJid(text);
    const [user, server] = jid.split('@');
    if (server === 'g.us') {
      return /^[\d-]{5,40}$/.test(user) ? { ok: true, recipient: { kind: 'group', jid, phone: null } } : { ok: false, reason: 'is not a valid group JID' };
    }
    if (server === 'lid') {
      return /^\d{5,20}$/.test(user) ? { ok: true, recipient: { kind: 'lid', jid, phone: null } } : { ok: false, reason: 'is not a valid @lid JID' };
    }
    if (server === 's.whatsapp.net') {
      const phone = parsePhone(user);
      return phone.ok ? { ok: true, recipient: { kind: 'user', jid: `${phone.digits}@s.whatsapp.net`, phone: phone.digits } } : phone;
    }
    return { ok: false, reason: `has an unsupported JID server '${server}' (use @s.whatsapp.net, @c.us, @lid or @g.us)` };
  }
  const phone = parsePhone(text);
  return phone.ok ? { ok: true, recipient: { kind: 'user', jid: `${phone.digits}@s.whatsapp.net`, phone: phone.digits } } : phone;
}

/** Seed 000: code is 2–3 digits, phone 8–15 digits, digits only, concatenated. */
export function parseCodePhone(input: CodePhone): RecipientResult {
  if (!/^\d{2,3}$/.test(input.code)) return { ok: false, reason: 'code must be 2–3 digits (country code without +)' };
  if (!/^\d{8,15}$/.test(input.phone)) return { ok: false, reason: 'phone must be 8–15 digits' };
  return parseRecipient(input.code + input.phone);
}
