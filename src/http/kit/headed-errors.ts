/**
 * Error envelopes of the form `{success: false, <field>: "<heading>: <detail>", errors?}`,
 * where the heading is a seed-specific (Spanish) phrase for the HTTP status.
 * Seeds 000 and 001 differ only in the field's name, the headings and which
 * statuses every route can answer.
 */
import { z } from 'zod';
import type { ErrorFormatter } from '../middleware/problem.js';
import type { ResponseSpec } from '../route.js';

export interface HeadedErrorsSpec {
  /** 'message' (seed 000) or 'error' (seed 001). */
  field: 'message' | 'error';
  headings: Record<number, string>;
  /** Statuses every route of the seed may answer (e.g. 400, 401, 429). */
  always: number[];
  /** The OpenAPI component name of the error schema. */
  schemaId: string;
  fieldsDescription: string;
}

/** Phrases both Spanish seeds use; each seed adds or overrides its own. */
const COMMON_HEADINGS: Record<number, string> = {
  403: 'Prohibido',
  404: 'No encontrado',
  409: 'Conflicto',
  413: 'Archivo demasiado grande',
  415: 'Tipo de contenido no soportado',
  422: 'Solicitud no procesable',
  429: 'Demasiadas solicitudes',
};

export function headedErrors(spec: HeadedErrorsSpec) {
  const headings = { ...COMMON_HEADINGS, ...spec.headings };
  const heading = (status: number): string => headings[status] ?? (status >= 500 ? 'Error interno' : 'Solicitud inválida');

  const format: ErrorFormatter = (problem) => ({
    body: {
      success: false,
      [spec.field]: `${heading(problem.status)}: ${problem.detail}`,
      ...(problem.errors ? { errors: problem.errors } : {}),
    },
    type: 'application/json',
  });

  const schema = z
    .object({
      success: z.literal(false),
      [spec.field]: z.string(),
      errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().meta({ description: spec.fieldsDescription }),
    })
    .meta({ id: spec.schemaId });

  /** The error answers of a route, for the OpenAPI document. */
  const errorResponses = (...statuses: number[]): Record<number, ResponseSpec> => {
    const out: Record<number, ResponseSpec> = {};
    for (const status of [...spec.always, ...statuses]) out[status] = { description: heading(status), schema };
    return out;
  };

  return { heading, format, errorResponses };
}
