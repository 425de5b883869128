/** vCard 3.0 for contact messages, in the form WhatsApp clients recognise (waid on the TEL line). */
import type { VCardFields } from './content.js';

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/([,;])/g, '\\$1');
}

export function buildVCard(fields: VCardFields): string {
  const digits = fields.phone.replace(/\D/g, '');
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${escape(fields.full_name)}`];
  if (fields.organization) lines.push(`ORG:${escape(fields.organization)};`);
  lines.push(`TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`, 'END:VCARD');
  return lines.join('\n');
}

export function vcardDisplayName(fields: VCardFields): string {
  return fields.display_name ?? fields.full_name;
}
