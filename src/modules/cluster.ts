/**
 * Several nodes on one store: this node's identity and heartbeat, and the
 * leases that give each instance exactly one owner. On a store that serves
 * one process (the embedded file) there is nothing to share: every instance
 * is this process's, and none of this runs.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { EngineKind } from '../engines/engine.js';
import { ClusterDirectory } from '../services/cluster/cluster-view.js';
import { Ownership } from '../services/cluster/ownership.js';
import { singleProcess, type Placement } from '../services/cluster/placement.js';
import type { Store } from '../store/port.js';
import { InstanceLeasesRepo } from '../store/repositories/instance-leases.js';
import { NodesRepo } from '../store/repositories/nodes.js';

export interface ClusterDeps {
  config: Config;
  store: Store;
  log: Logger;
  clock: () => number;
}

const KINDS: EngineKind[] = ['baileys', 'sandbox'];

export async function clusterModule(d: ClusterDeps): Promise<{
  placement: Placement;
  /** Null on a single process. */
  ownership: Ownership | null;
  directory: ClusterDirectory | null;
  /** The address this node listens on, unless one is configured. */
  listening(url: string): void;
  /** Leaves the cluster once the engines are closed, so other nodes take over at once. */
  close(): Promise<void>;
}> {
  if (!d.store.capabilities.sharedAcrossProcesses) return { placement: singleProcess, ownership: null, directory: null, listening: () => {}, close: async () => {} };
  const nodes = new NodesRepo(d.store);
  const leases = new InstanceLeasesRepo(d.store);
  await Promise.all([nodes.init(), leases.init()]);
  const { cluster } = d.config;
  const nodeId = cluster.nodeId ?? `${os.hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 40)}-${randomBytes(3).toString('hex')}`;
  let url = cluster.nodeUrl ?? '';
  const ownership = new Ownership({ nodeId, url: () => url, leases, nodes, kinds: KINDS, leaseMs: cluster.leaseMs, renewMs: cluster.renewMs, clock: d.clock, log: d.log.child({ node: nodeId }) });
  const directory = new ClusterDirectory({ nodeId, nodes, leases, kinds: KINDS, leaseMs: cluster.leaseMs, clock: d.clock });
  d.log.info({ node: nodeId, lease_ms: cluster.leaseMs, renew_ms: cluster.renewMs }, 'cluster: this node shares the store with others');
  return {
    placement: ownership,
    ownership,
    directory,
    listening(listenUrl) {
      if (!cluster.nodeUrl) url = listenUrl;
    },
    close: () => ownership.leave(),
  };
}

export type ClusterModule = Awaited<ReturnType<typeof clusterModule>>;
