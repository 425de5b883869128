import assert from 'node:assert/strict';
import { planSpread } from './spread.js';

describe('planSpread', () => {
  it('a lone node takes every instance', () => {
    assert.deepEqual(planSpread({ wanting: 30, mine: 0, others: [], maxMoves: 5 }), { take: 30, give: 0 });
  });

  it('a node that joins takes nothing while nothing is free, and the others give their surplus, a few per round', () => {
    assert.deepEqual(planSpread({ wanting: 30, mine: 0, others: [15, 15], maxMoves: 5 }), { take: 10, give: 0 });
    assert.deepEqual(planSpread({ wanting: 30, mine: 15, others: [15, 0], maxMoves: 5 }), { take: 0, give: 5 });
    assert.deepEqual(planSpread({ wanting: 30, mine: 15, others: [15, 0], maxMoves: 2 }), { take: 0, give: 2 });
  });

  it('shares that cannot be equal settle without moves back and forth', () => {
    assert.deepEqual(planSpread({ wanting: 31, mine: 11, others: [11, 9], maxMoves: 5 }), { take: 0, give: 0 });
    assert.deepEqual(planSpread({ wanting: 31, mine: 11, others: [11, 11], maxMoves: 5 }), { take: 5, give: 0 });
    assert.deepEqual(planSpread({ wanting: 31, mine: 9, others: [11, 11], maxMoves: 5 }), { take: 2, give: 0 });
  });

  it('after a node dies the survivors take its share', () => {
    assert.deepEqual(planSpread({ wanting: 30, mine: 10, others: [10], maxMoves: 5 }), { take: 5, give: 0 });
  });

  it('the least loaded node takes free instances that no share covers (a dead node still counted, counts a round old)', () => {
    // 30 wanted over 4 nodes seen alive, one of them dead with its 10 still counted: each share is 8
    assert.deepEqual(planSpread({ wanting: 30, mine: 8, others: [10, 10, 10], maxMoves: 5 }), { take: 5, give: 0 });
    assert.deepEqual(planSpread({ wanting: 30, mine: 10, others: [8, 10, 10], maxMoves: 5 }), { take: 0, give: 0 });
    // all equal: each may look (the claims decide)
    assert.deepEqual(planSpread({ wanting: 30, mine: 10, others: [10, 10], maxMoves: 5 }), { take: 5, give: 0 });
  });

  it('a node over its share keeps it while nobody has room', () => {
    assert.deepEqual(planSpread({ wanting: 30, mine: 12, others: [10, 10], maxMoves: 5 }), { take: 0, give: 0 });
  });
});
