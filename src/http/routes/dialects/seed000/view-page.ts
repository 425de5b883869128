/**
 * Seed 000's debug UI (`GET /whatsapp/view`): a plain HTML form that sends
 * a text message through the same outbox as `POST /whatsapp/send` and shows
 * the outcome on the page.
 *
 * The form has no `action`, so the browser posts it to the page's own URL —
 * `?access_token=` included — and the token is never written into the HTML.
 * Errors (bad digits, WhatsApp not connected …) are shown on the page with
 * the form as it was filled in, instead of a JSON envelope.
 */
import { z } from 'zod';
import { NotConnectedError, ServiceError } from '../../../../services/errors.js';
import type { StatusView } from '../../../../services/lifecycle.js';
import type { Api } from '../../../api.js';
import { byCredential } from '../../../kit/instance.js';
import { sendOutcome } from '../../../kit/send-outcome.js';
import { esc, page } from '../../../pages/html.js';
import { defineRoute } from '../../../route.js';
import { issuesToProblems } from '../../../validation.js';
import { errorResponses, heading, SEED000_TAG, seed000NotConnected } from './envelope.js';
import { SendBody } from './inputs.js';

const NO_STORE = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' };

/** What the form posts; checked against the send route's own schema so the rules are the same. */
const FormBody = z.object({ code: z.string().optional(), phone: z.string().optional(), message: z.string().optional() });
type FormValues = z.output<typeof FormBody>;

interface Outcome {
  ok: boolean;
  text: string;
  problems?: { field: string; message: string }[];
}

export function seed000ViewRoutes(s: Pick<Api, 'outbox' | 'lifecycle'>) {
  const html = (status: number, body: string) => ({ status, body, type: 'text/html; charset=utf-8', headers: NO_STORE });
  return [
    defineRoute({
      method: 'get',
      path: '/whatsapp/view',
      tags: [SEED000_TAG],
      summary: 'Browser send form (debug UI)',
      description: 'Open it as `/whatsapp/view?access_token=<instance token>`; the form posts to the same URL.',
      auth: 'principal',
      queryToken: true,
      instance: byCredential,
      responses: { 200: { description: 'The form', contentType: 'text/html' }, ...errorResponses() },
      handler: async ({ instance }) => {
        return html(200, sendForm(instance.name, s.lifecycle.status(instance), {}, null));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/whatsapp/view',
      tags: [SEED000_TAG],
      summary: 'Submit the browser send form: sends the text and shows the outcome as a page',
      description: 'Form fields `code`, `phone`, `message` (the rules of `POST /whatsapp/send`). Answers HTML with the status of the outcome (200, 400, 503 …).',
      auth: 'principal',
      queryToken: true,
      instance: byCredential,
      body: FormBody,
      accepts: ['form', 'multipart'],
      responses: { 200: { description: 'Sent: the form again, with the outcome', contentType: 'text/html' }, ...errorResponses(503) },
      handler: async ({ instance, body }) => {
        const parsed = SendBody.safeParse(body, { reportInput: true });
        if (!parsed.success) {
          const problems = issuesToProblems('body', parsed.error.issues, SendBody);
          return html(400, sendForm(instance.name, s.lifecycle.status(instance), body, { ok: false, text: heading(400), problems }));
        }
        const { code, phone, message } = parsed.data;
        try {
          const doc = await s.outbox.send(instance, { to: { code, phone }, content: { type: 'text', text: message } });
          const sent = sendOutcome(doc) === 'sent';
          const outcome: Outcome = { ok: true, text: `${sent ? 'Mensaje enviado con éxito' : 'Mensaje en cola'} a +${code}${phone} (id ${doc.wa_message_id ?? doc._id}).` };
          return html(200, sendForm(instance.name, s.lifecycle.status(instance), { code, phone }, outcome));
        } catch (err) {
          if (!(err instanceof ServiceError)) throw err;
          // the page shows the error as the seed's JSON routes word it
          const message = err instanceof NotConnectedError ? seed000NotConnected(err) : err.message;
          const outcome: Outcome = { ok: false, text: `${heading(err.status)}: ${message}`, problems: err.errors };
          return html(err.status, sendForm(instance.name, s.lifecycle.status(instance), body, outcome));
        }
      },
    }),
  ];
}

function sendForm(name: string, status: StatusView, values: FormValues, outcome: Outcome | null): string {
  const field = (id: keyof FormValues, label: string, attrs: string) =>
    `<label for="${id}">${label}</label><input id="${id}" name="${id}" value="${esc(values[id] ?? '')}" ${attrs}>`;
  const result = outcome
    ? `<p class="${outcome.ok ? 'ok' : 'err'}" role="status"><strong>${esc(outcome.text)}</strong></p>${
        outcome.problems?.length ? `<ul class="err">${outcome.problems.map((p) => `<li>${esc(p.field)}: ${esc(p.message)}</li>`).join('')}</ul>` : ''
      }`
    : '';
  const body = `<h1>Enviar un mensaje de WhatsApp</h1>
<p class="muted">Instancia “${esc(name)}” — estado: <strong>${esc(status.status)}</strong>${status.phone ? ` (+${esc(status.phone)})` : ''}</p>
${result}
<form method="post">
${field('code', 'Código de país (2–3 dígitos)', 'inputmode="numeric" pattern="\\d{2,3}" placeholder="591" required')}
${field('phone', 'Número (8–15 dígitos)', 'inputmode="numeric" pattern="\\d{8,15}" placeholder="71234567" required')}
<label for="message">Mensaje</label><textarea id="message" name="message" rows="4" required>${esc(values.message ?? '')}</textarea>
<p><button type="submit">Enviar</button></p>
</form>`;
  return page('Enviar mensaje — WhatsApp', body, '', 'es');
}
