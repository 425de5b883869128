/**
 * What an operator sees of the cluster (GET /v1/cluster), and where a
 * request for an instance must go: the node holding its lease, with the
 * address that node announced in its heartbeat.
 */
import type { InstanceLeasesRepo } from '../../store/repositories/instance-leases.js';
import type { NodesRepo } from '../../store/repositories/nodes.js';
import type { EngineKind } from '../../engines/engine.js';

export interface NodeView {
  id: string;
  url: string;
  started_at: string;
  heartbeat_at: string;
  /** Its heartbeat is younger than a lease: it counts in the spread, and its leases are honoured. */
  alive: boolean;
  /** Instances it owned at its last heartbeat. */
  instances: number;
}

export interface ClusterView {
  node: string;
  nodes: NodeView[];
  instances: { wanting_connection: number; owned: number; unowned: number };
}

export interface OwnerAddress {
  node: string;
  url: string;
}

export class ClusterDirectory {
  constructor(
    private readonly o: { nodeId: string; nodes: NodesRepo; leases: InstanceLeasesRepo; kinds: EngineKind[]; leaseMs: number; clock: () => number },
  ) {}

  get nodeId(): string {
    return this.o.nodeId;
  }

  async view(): Promise<ClusterView> {
    const now = this.o.clock();
    const [nodes, wanting, owned, unowned] = await Promise.all([
      this.o.nodes.all(),
      this.o.leases.countWanting(this.o.kinds),
      this.o.leases.countOwned(now),
      this.o.leases.countUnowned(now, this.o.kinds),
    ]);
    return {
      node: this.o.nodeId,
      nodes: nodes.map((n) => ({
        id: n._id,
        url: n.url,
        started_at: new Date(n.started_at).toISOString(),
        heartbeat_at: new Date(n.heartbeat_at).toISOString(),
        alive: n.heartbeat_at > now - this.o.leaseMs,
        instances: n.instances,
      })),
      instances: { wanting_connection: wanting, owned, unowned },
    };
  }

  /** The live node holding the instance's lease now, and its address; null while no node holds it. */
  async ownerOf(instanceId: string): Promise<OwnerAddress | null> {
    const now = this.o.clock();
    const lease = await this.o.leases.holder(instanceId, now);
    if (!lease) return null;
    const node = await this.o.nodes.byId(lease.node);
    return node ? { node: node._id, url: node.url } : null;
  }
}
