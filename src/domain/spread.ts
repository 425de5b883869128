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

/** A node takes free instances up to its share (rounded up), and gives its surplus up only when some node is below the rounded-down share. */
export function planSpread(v: SpreadView): SpreadPlan {
  const nodes = v.others.length + 1;
  const ceiling = Math.ceil(v.wanting / nodes);
  const floor = Math.floor(v.wanting / nodes);
  if (v.mine < ceiling) return { take: ceiling - v.mine, give: 0 };
  if (v.mine > ceiling && v.others.some((n) => n < floor)) return { take: 0, give: Math.min(v.mine - ceiling, v.maxMoves) };
  return { take: 0, give: 0 };
}
