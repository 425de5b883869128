/**
 * Spreading instances evenly over the live nodes: each node works out, from
 * the counts it sees, how many instances to take or to give up. Every node
 * runs the same rule, so they converge without talking to each other.
 */

export interface SpreadView {
  /** Instances that should be connected, cluster-wide. */
  wanting: number;
  /** How many this node owns. */
  mine: number;
  /** How many each other live node owns. */
  others: number[];
  /** Moves per round at most, so a joining node does not see a stampede. */
  maxMoves: number;
}

export interface SpreadPlan {
  take: number;
  give: number;
}

/**
 * A node takes free instances up to its share (rounded up), and gives its
 * surplus up only when some node is below the rounded-down share. The
 * counts of other nodes are a round old, and a node that just died still
 * counts until its heartbeat runs out, so every node can be at its share
 * while an instance is free: the least loaded node then takes free ones
 * anyway (a few per round), and nothing stays without an owner.
 */
export function planSpread(v: SpreadView): SpreadPlan {
  const nodes = v.others.length + 1;
  const ceiling = Math.ceil(v.wanting / nodes);
  const floor = Math.floor(v.wanting / nodes);
  if (v.mine < ceiling) return { take: ceiling - v.mine, give: 0 };
  if (v.mine > ceiling && v.others.some((n) => n < floor)) return { take: 0, give: Math.min(v.mine - ceiling, v.maxMoves) };
  if (v.others.every((n) => v.mine <= n)) return { take: v.maxMoves, give: 0 };
  return { take: 0, give: 0 };
}
