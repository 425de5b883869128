/** The cluster as an operator sees it: nodes, heartbeats, who runs how many instances. */
import { z } from 'zod';
import type { Api } from '../../api.js';
import { bearerMatches } from '../../kit/bearer.js';
import { defineRoute } from '../../route.js';
import { NotFoundError, UnauthorizedError } from '../../../services/errors.js';

const ClusterSchema = z
  .object({
    node: z.string().meta({ description: 'The node that answered' }),
    nodes: z.array(
      z.object({
        id: z.string(),
        url: z.string().meta({ description: 'Where the other nodes reach it' }),
        started_at: z.string(),
        heartbeat_at: z.string(),
        alive: z.boolean().meta({ description: 'Its heartbeat is younger than a lease (TUCAN_CLUSTER_LEASE_MS); dead nodes are listed for an hour' }),
        instances: z.number().int().meta({ description: 'Instances it ran at its last heartbeat' }),
      }),
    ),
    instances: z.object({
      wanting_connection: z.number().int(),
      owned: z.number().int().meta({ description: 'Held by a live lease (any engine state)' }),
      unowned: z.number().int().meta({ description: 'Should be connected but no node runs them yet (a failover in progress)' }),
    }),
  })
  .meta({ id: 'Cluster' });

export function clusterRoutes(s: Pick<Api, 'cluster' | 'config'>) {
  const operatorToken = s.config.cluster.operatorToken;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/cluster',
      tags: ['System'],
      summary: 'The nodes sharing this database, their heartbeats and instance counts',
      description: 'Needs the operator credential, `Authorization: Bearer <TUCAN_OPERATOR_TOKEN>`, not an owner\'s; closed (401) while that setting is unset. 404 on a node that runs alone (the embedded store).',
      auth: 'public',
      responses: { 200: { description: 'The cluster', schema: ClusterSchema }, 401: { description: 'No or a wrong operator token' }, 404: { description: 'This node runs alone' } },
      handler: async ({ headers }) => {
        if (!operatorToken) throw new UnauthorizedError('GET /v1/cluster is closed: set TUCAN_OPERATOR_TOKEN and send it as Authorization: Bearer <token>');
        if (!bearerMatches(headers.authorization, operatorToken)) throw new UnauthorizedError('GET /v1/cluster needs Authorization: Bearer <TUCAN_OPERATOR_TOKEN>');
        if (!s.cluster) throw new NotFoundError('cluster (this node runs alone on the embedded store)');
        return { body: await s.cluster.view(), headers: { 'Cache-Control': 'no-store' } };
      },
    }),
  ];
}
