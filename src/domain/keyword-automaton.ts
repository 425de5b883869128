/**
 * An Aho–Corasick automaton over UTF-16 code units: every occurrence of every
 * keyword in a text is found in one pass, so matching cost depends on the
 * text's length and the number of hits, not on how many keywords exist.
 *
 * Transitions live in one open-addressing hash table of typed arrays keyed
 * by (state, code unit), rather than a Map per state or a Map with keys
 * beyond the small-integer range: tens of thousands of keywords compile in
 * tens of milliseconds and take a few megabytes.
 */

export interface Occurrence {
  /** Index of the keyword as added. */
  keyword: number;
  /** [start, end) in the text. */
  start: number;
  end: number;
}

const EMPTY = -1;

/**
 * (state, code unit) → state, linear probing, grown at half load. Each slot's
 * state, code unit and target sit side by side in one array, so a probe
 * touches one cache line instead of three: with thousands of keywords the
 * table is larger than the CPU caches, and between two messages the rest of
 * the process evicts it.
 */
class TransitionTable {
  private slots = new Int32Array(1024 * 3).fill(EMPTY);
  private mask = 1023;
  private used = 0;

  get(state: number, char: number): number {
    const { slots, mask } = this;
    let i = hash(state, char) & mask;
    for (;;) {
      const at = i * 3;
      const s = slots[at];
      if (s === EMPTY) return EMPTY;
      if (s === state && slots[at + 1] === char) return slots[at + 2];
      i = (i + 1) & mask;
    }
  }

  set(state: number, char: number, target: number): void {
    if ((this.used + 1) * 2 > this.mask + 1) this.grow();
    this.place(state, char, target);
    this.used++;
  }

  private place(state: number, char: number, target: number): void {
    let i = hash(state, char) & this.mask;
    while (this.slots[i * 3] !== EMPTY) i = (i + 1) & this.mask;
    this.slots[i * 3] = state;
    this.slots[i * 3 + 1] = char;
    this.slots[i * 3 + 2] = target;
  }

  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = new Int32Array(size * 3).fill(EMPTY);
    this.mask = size - 1;
    for (let at = 0; at < old.length; at += 3) if (old[at] !== EMPTY) this.place(old[at], old[at + 1], old[at + 2]);
  }
}

function hash(state: number, char: number): number {
  return (Math.imul(state, 0x9e3779b1) ^ Math.imul(char + 1, 0x85ebca77)) >>> 0;
}

export class KeywordAutomaton {
  private readonly goto = new TransitionTable();
  // per state, filled while adding: parent, the code unit leading to it, depth, keyword ending here (-1 if none)
  private parent: number[] = [0];
  private via: number[] = [0];
  private depths: number[] = [0];
  private outs: number[] = [-1];
  // per state, after build(): failure link, next state on the failure chain that ends a keyword
  private fail = new Int32Array(0);
  private dict = new Int32Array(0);
  private depth = new Int32Array(0);
  private out = new Int32Array(0);
  /** The root's transitions on ASCII, dense: scanning falls back to the root after nearly every character of ordinary text. */
  private rootAscii = new Int32Array(128).fill(EMPTY);
  private keywords = 0;
  private built = false;

  /** Adds a keyword and returns its index; an identical keyword added twice keeps the first index. */
  add(keyword: string): number {
    if (this.built) throw new Error('keywords cannot be added after build()');
    if (keyword.length === 0) throw new Error('empty keyword');
    let state = 0;
    for (let i = 0; i < keyword.length; i++) {
      const c = keyword.charCodeAt(i);
      let next = this.goto.get(state, c);
      if (next === EMPTY) {
        next = this.parent.length;
        this.goto.set(state, c, next);
        this.parent.push(state);
        this.via.push(c);
        this.depths.push(i + 1);
        this.outs.push(-1);
      }
      state = next;
    }
    if (this.outs[state] === -1) this.outs[state] = this.keywords++;
    return this.outs[state];
  }

  get size(): number {
    return this.keywords;
  }

  /** Computes failure links in breadth-first (depth) order; call once after the last add(). */
  build(): this {
    const n = this.parent.length;
    this.depth = Int32Array.from(this.depths);
    this.out = Int32Array.from(this.outs);
    this.fail = new Int32Array(n);
    this.dict = new Int32Array(n).fill(-1);
    // counting sort of the states by depth gives the BFS order without child lists
    let maxDepth = 0;
    for (let s = 0; s < n; s++) if (this.depth[s] > maxDepth) maxDepth = this.depth[s];
    const starts = new Int32Array(maxDepth + 2);
    for (let s = 0; s < n; s++) starts[this.depth[s] + 1]++;
    for (let d = 1; d <= maxDepth + 1; d++) starts[d] += starts[d - 1];
    const order = new Int32Array(n);
    for (let s = 0; s < n; s++) order[starts[this.depth[s]]++] = s;
    for (let k = 0; k < n; k++) {
      const s = order[k];
      if (this.depth[s] <= 1) continue; // the root and its children fail to the root
      const c = this.via[s];
      let f = this.fail[this.parent[s]];
      let target = this.goto.get(f, c);
      while (target === EMPTY && f !== 0) {
        f = this.fail[f];
        target = this.goto.get(f, c);
      }
      this.fail[s] = target === EMPTY ? 0 : target;
      const fs = this.fail[s];
      this.dict[s] = this.out[fs] !== -1 ? fs : this.dict[fs];
    }
    this.parent = [];
    this.via = [];
    this.depths = [];
    this.outs = [];
    for (let c = 0; c < 128; c++) this.rootAscii[c] = this.goto.get(0, c);
    this.built = true;
    return this;
  }

  /**
   * Appends every occurrence to `out` as (keyword, start, end) triples, left
   * to right by end position. A flat number array keeps the hot path free of
   * per-occurrence objects and callbacks.
   */
  collect(text: string, out: number[]): void {
    if (!this.built) throw new Error('build() the automaton before scanning');
    if (this.keywords === 0) return;
    const { goto, fail, dict, depth, rootAscii } = this;
    const outputs = this.out;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let next = state === 0 && c < 128 ? rootAscii[c] : goto.get(state, c);
      while (next === EMPTY && state !== 0) {
        state = fail[state];
        next = state === 0 && c < 128 ? rootAscii[c] : goto.get(state, c);
      }
      state = next === EMPTY ? 0 : next;
      for (let s = outputs[state] !== -1 ? state : dict[state]; s > 0; s = dict[s]) out.push(outputs[s], i + 1 - depth[s], i + 1);
    }
  }

  occurrences(text: string): Occurrence[] {
    const flat: number[] = [];
    this.collect(text, flat);
    const found: Occurrence[] = [];
    for (let i = 0; i < flat.length; i += 3) found.push({ keyword: flat[i], start: flat[i + 1], end: flat[i + 2] });
    return found;
  }
}
