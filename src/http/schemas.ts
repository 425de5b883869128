/** Small schemas shared by many routes. */
import { z } from 'zod';

export const ObjectIdSchema = z.string().regex(/^[0-9a-f]{24}$/, 'is not a valid id').meta({ example: '6650f1c2a1b2c3d4e5f60718' });

export const InstanceParams = z.object({ id: ObjectIdSchema }).strict();

/** Query-string booleans: true/false/1/0. */
export const QueryBoolean = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .meta({ type: 'boolean' });

/** Seed 002's text variation. In a multipart or form body it comes as JSON text. */
export const AiModificationsSchema = z.preprocess(
  (v) => (typeof v === 'string' ? jsonOr(v) : v),
  z
    .object({ useSynonyms: z.boolean().optional(), addEmojis: z.boolean().optional(), shuffleSentences: z.boolean().optional() })
    .strict()
    .meta({ id: 'AiModifications', description: "seed 002's text variation: synonyms (English and Spanish), fitting emojis, shuffled sentences" }),
);

function jsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const PaginationQuery = z
  .object({
    page: z.coerce.number().int().min(1).default(1),
    limit: z.coerce.number().int().min(1).max(200).default(20),
  })
  .strict();

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    request_id: z.string(),
  })
  .meta({ id: 'Problem' });

export function paginate(total: number, page: number, limit: number) {
  return { page, limit, total, pages: Math.max(1, Math.ceil(total / limit)) };
}
