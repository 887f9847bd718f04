// Exact and near-duplicate questions.
//
// Exact: equal after normalisation (Unicode NFKC, case folding, punctuation removed, whitespace
// collapsed). Near: Jaccard similarity of character-trigram sets ≥ threshold (default 0.7),
// found with MinHash (64 hashes) + LSH banding (16 bands × 4 rows) so 100,000 questions do not
// need 5·10⁹ comparisons; every candidate pair is then checked with the exact Jaccard. Clusters
// are the connected components of the "duplicate" relation (union-find).

/** The text two questions are compared by: "Orders, over $100!" → "orders over $100". */
export function normalizeQuestion(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\p{P}+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

export interface DuplicateCluster {
  /** 'exact' when every member normalises to the same text, else 'near'. */
  kind: 'exact' | 'near';
  /** Record ids in input order; the first is the representative. */
  ids: string[];
  /** Smallest Jaccard similarity of a member to the representative (1 for exact). */
  similarity: number;
}

export interface DedupOptions {
  /** Jaccard threshold for near duplicates, 0..1 (default 0.7). 1 = exact only. */
  threshold?: number;
}

const HASHES = 64;
const BANDS = 16;
const ROWS = HASHES / BANDS;
const SEEDS = (() => {
  const out = new Uint32Array(HASHES);
  let x = 0x9e3779b9;
  for (let i = 0; i < HASHES; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 0;
  }
  return out;
})();

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hashed character trigrams of an already normalised text (padded so short words count). */
export function shingles(normalized: string): Set<number> {
  const padded = ` ${normalized} `;
  const out = new Set<number>();
  if (padded.length < 3) out.add(fnv1a(padded));
  for (let i = 0; i + 3 <= padded.length; i++) out.add(fnv1a(padded.slice(i, i + 3)));
  return out;
}

export function jaccard(a: Set<number>, b: Set<number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

function signature(sh: Set<number>): Uint32Array {
  const sig = new Uint32Array(HASHES).fill(0xffffffff);
  for (const s of sh) {
    for (let i = 0; i < HASHES; i++) {
      const h = mix(s ^ SEEDS[i]!);
      if (h < sig[i]!) sig[i] = h;
    }
  }
  return sig;
}

class UnionFind {
  private parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Clusters (of two or more) of exact and near-duplicate texts, in order of their first member. */
export function findDuplicateClusters(items: readonly { id: string; text: string }[], opts: DedupOptions = {}): DuplicateCluster[] {
  const threshold = opts.threshold ?? 0.7;
  const n = items.length;
  const uf = new UnionFind(n);
  const norm = items.map((it) => normalizeQuestion(it.text));

  // Exact duplicates: one representative per normalised text goes on to MinHash.
  const firstByText = new Map<string, number>();
  const reps: number[] = [];
  for (let i = 0; i < n; i++) {
    const first = firstByText.get(norm[i]!);
    if (first === undefined) {
      firstByText.set(norm[i]!, i);
      reps.push(i);
    } else uf.union(first, i);
  }

  const sh = new Map<number, Set<number>>();
  const shOf = (i: number) => {
    let s = sh.get(i);
    if (!s) sh.set(i, (s = shingles(norm[i]!)));
    return s;
  };
  if (threshold < 1) {
    const buckets = new Map<string, number[]>();
    for (const i of reps) {
      const sig = signature(shOf(i));
      for (let b = 0; b < BANDS; b++) {
        let key = `${b}`;
        for (let r = 0; r < ROWS; r++) key += `:${sig[b * ROWS + r]!}`;
        const bucket = buckets.get(key);
        if (bucket) bucket.push(i);
        else buckets.set(key, [i]);
      }
    }
    const checked = new Set<string>();
    const tryPair = (a: number, b: number) => {
      const k = a < b ? `${a},${b}` : `${b},${a}`;
      if (checked.has(k)) return;
      checked.add(k);
      if (uf.find(a) !== uf.find(b) && jaccard(shOf(a), shOf(b)) >= threshold) uf.union(a, b);
    };
    for (const bucket of buckets.values()) {
      if (bucket.length < 2) continue;
      // Compare with the bucket's first and with the previous member: linear in the bucket size,
      // which keeps a template that yields thousands of near-identical questions cheap.
      for (let j = 1; j < bucket.length; j++) {
        tryPair(bucket[0]!, bucket[j]!);
        if (j > 1) tryPair(bucket[j - 1]!, bucket[j]!);
      }
    }
  }

  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  const out: DuplicateCluster[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const first = members[0]!;
    const exact = members.every((m) => norm[m] === norm[first]);
    let similarity = 1;
    if (!exact) for (const m of members) similarity = Math.min(similarity, norm[m] === norm[first] ? 1 : jaccard(shOf(first), shOf(m)));
    out.push({ kind: exact ? 'exact' : 'near', ids: members.map((m) => items[m]!.id), similarity: Math.round(similarity * 1000) / 1000 });
  }
  // A component's root is its smallest index, so `groups` is already in order of first member.
  return out;
}
