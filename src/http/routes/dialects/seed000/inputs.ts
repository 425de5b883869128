/**
 * Seed 000's request fields: the country code and local number as two
 * digit strings (`code` 2–3 digits, `phone` 8–15), the text, the group JID.
 * They become the outbox's send input unchanged in meaning.
 *
 * Unknown fields are ignored rather than refused (the native API refuses
 * them): the seed's NestJS validation lets them through, and its clients
 * must keep working unchanged.
 */
import { z } from 'zod';
import { parseCodePhone, parseRecipient } from '../../../../domain/recipient.js';
import { ValidationError } from '../../../../services/errors.js';
import type { UploadedFile } from '../../../route.js';

const CODE = /^\d{2,3}$/;
const PHONE = /^\d{8,15}$/;

/** JSON clients sometimes send the digits as numbers; the seed's rules are about the digits. */
const digits = z.union([z.string(), z.number().int().nonnegative().transform(String)]).pipe(z.string().trim());

export const CodePhoneShape = {
  code: digits.pipe(z.string().regex(CODE, 'must be 2–3 digits: the country code without + (e.g. 591)')).meta({ description: 'country code, digits only, 2–3 characters', example: '591' }),
  phone: digits.pipe(z.string().regex(PHONE, 'must be 8–15 digits: the local number without spaces or dashes (e.g. 71234567)')).meta({ description: 'local number, digits only, 8–15 characters', example: '71234567' }),
};

/** code + phone must also make a real number (e.g. 591 + 71234567 → 59171234567). */
export function checkCodePhone(v: { code: string; phone: string }, ctx: z.core.$RefinementCtx): void {
  if (!CODE.test(v.code) || !PHONE.test(v.phone)) return; // the fields already report it
  const parsed = parseCodePhone(v);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['phone'], message: `${v.code} + ${v.phone}: ${parsed.reason}` });
}

export const MessageText = z.string().min(1, 'must not be empty').max(65536).meta({ example: 'Hola! Tu pedido #45 está listo para recoger.' });

export const SendBody = z
  .object({ ...CodePhoneShape, message: MessageText })
  .superRefine(checkCodePhone)
  .meta({ id: 'Seed000Send' });

export const SendImageBody = z
  .object({ ...CodePhoneShape, caption: z.string().max(4096).optional().meta({ description: 'shown below the image' }) })
  .superRefine(checkCodePhone);

export const SendDocumentBody = z
  .object({ ...CodePhoneShape, fileName: z.string().trim().min(1).max(255).optional().meta({ description: 'display name; defaults to the uploaded file name', example: 'Factura_Junio_2025.pdf' }) })
  .superRefine(checkCodePhone);

export const SendToGroupBody = z
  .object({
    groupId: z
      .string()
      .trim()
      .refine((v) => {
        const r = parseRecipient(v);
        return r.ok && r.recipient.kind === 'group';
      }, 'must be a group JID ending in @g.us (see GET /whatsapp/list-groups)')
      .meta({ example: '120363025555555555@g.us' }),
    message: MessageText,
  })
  .meta({ id: 'Seed000SendToGroup' });

/** The one file of a multipart upload, sent in the seed's field `file`. */
export function uploadedFile(files: UploadedFile[]): UploadedFile {
  const other = files.find((f) => f.field !== 'file');
  if (other) throw new ValidationError(other.field, 'is not a known file field; send the file as "file"');
  if (files.length === 0) throw new ValidationError('file', 'is required: upload it as the multipart field "file"');
  if (files.length > 1) throw new ValidationError('file', 'send one file per message');
  return files[0];
}
