/** The live event stream of an instance: server-sent events with the webhooks' names and envelopes, plus qr. */
import { z } from 'zod';
import { EVENT_TYPES } from '../../../domain/events.js';
import type { LiveEvent } from '../../../services/live-events.js';
import type { Api } from '../../api.js';
import { byPath } from '../../kit/instance.js';
import { defineRoute } from '../../route.js';
import { InstanceParams } from '../../schemas.js';

const STREAM_TYPES = [...EVENT_TYPES, 'qr'] as const;
/** A comment line this often keeps proxies and load balancers from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;

const EventsQuery = z
  .object({
    types: z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined || value.trim() === '') return null;
        const types = value.split(',').map((t) => t.trim());
        const unknown = types.filter((t) => !(STREAM_TYPES as readonly string[]).includes(t));
        if (unknown.length > 0) {
          ctx.addIssue({ code: 'custom', message: `unknown event type ${unknown.map((t) => `'${t}'`).join(', ')}; expected a comma-separated list of ${STREAM_TYPES.join(', ')}` });
          return z.NEVER;
        }
        return new Set(types);
      })
      .meta({ description: 'Only these event types (comma-separated); every type when left out', example: 'connection.update,qr,bot.replied' }),
  })
  .strict();

/** One event in the text/event-stream format: the event name, its id, and the envelope as data. */
export function sseFrame(e: LiveEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

export function eventStreamRoutes(s: Pick<Api, 'live' | 'lifecycle'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/instances/:id/events',
      tags: ['Webhooks'],
      summary: 'Live events as server-sent events (text/event-stream)',
      description:
        'Every event published for the instance while the stream is open, with the same names and envelopes ({id, type, instance_id, timestamp, data}) as the webhooks, ' +
        'plus `qr` ({qr}) whenever a new QR code is up: connection and QR changes, messages, bot replies (the test chat included), delivery statuses, job progress, flows and takeovers. ' +
        'Message events follow actions.send_webhook, as for webhooks. Nothing is replayed: webhooks are the durable channel, this stream is for screens. ' +
        'A browser EventSource authenticates with the login cookie or `?access_token=` (an instance token sees only its instance). ' +
        'With several nodes, the stream is relayed from the node running the instance: events published by other nodes (a message accepted there and queued) are not in it.',
      auth: 'principal',
      instance: byPath,
      queryToken: true,
      params: InstanceParams,
      query: EventsQuery,
      responses: { 200: { description: 'An endless stream of `event: <type>` / `data: <envelope JSON>` frames', contentType: 'text/event-stream' } },
      handler: async ({ instance, query, ctx }) => {
        // with several nodes the stream comes from the node running the instance, where its events happen
        s.lifecycle.assertHere(instance);
        // written straight to the socket: a client going away is the normal end of a stream, not an error to report
        ctx.respond = false;
        const res = ctx.res;
        // the stream ends only when the server stops: the connection goes with it, so a stopping server waits for no idle keep-alive
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no', connection: 'close' });
        ctx.req.socket.setTimeout(0);
        const wanted = query.types;
        const unsubscribe = s.live.subscribe(instance._id, {
          event: (e) => {
            if (!wanted || wanted.has(e.type)) res.write(sseFrame(e));
          },
          end: () => res.end(),
        });
        const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
        keepAlive.unref();
        res.once('close', () => {
          clearInterval(keepAlive);
          unsubscribe();
        });
        // the reconnection delay for EventSource, and a first frame so clients know the stream is up
        res.write('retry: 3000\n: connected\n\n');
        return { status: 200 };
      },
    }),
  ];
}
