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

function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Hashed character trigrams of an already normalised text (padded with spaces so short words
 * count), sorted and unique, so two sets intersect by a linear merge.
 */
export function shingles(normalized: string): Uint32Array {
  const padded = ` ${normalized} `;
  const n = Math.max(1, padded.length - 2);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const a = padded.charCodeAt(i);
    const b = padded.charCodeAt(i + 1) || 0;
    const c = padded.charCodeAt(i + 2) || 0;
    out[i] = mix(Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x1000, 0x85ebca77) ^ Math.imul(c + 0x2000, 0xc2b2ae3d));
  }
  out.sort();
  let k = 0;
  for (let i = 0; i < n; i++) if (i === 0 || out[i] !== out[i - 1]) out[k++] = out[i]!;
  return out.subarray(0, k);
}

/** Jaccard similarity of two sorted unique shingle arrays. */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

function signature(sh: Uint32Array): Uint32Array {
  const sig = new Uint32Array(HASHES);
  for (let h = 0; h < HASHES; h++) {
    const seed = SEEDS[h]!;
    let min = 0xffffffff;
    for (let i = 0; i < sh.length; i++) {
      const v = mix(sh[i]! ^ seed);
      if (v < min) min = v;
    }
    sig[h] = min;
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

  const sh = new Map<number, Uint32Array>();
  const shOf = (i: number) => {
    let s = sh.get(i);
    if (!s) sh.set(i, (s = shingles(norm[i]!)));
    return s;
  };
  if (threshold < 1) {
    // One map per band keyed by a 32-bit hash of the band's rows; a hash collision only adds a
    // candidate, which the exact Jaccard check then rejects.
    const bands = Array.from({ length: BANDS }, () => new Map<number, number[]>());
    for (const i of reps) {
      const sig = signature(shOf(i));
      for (let b = 0; b < BANDS; b++) {
        let key = b;
        for (let r = 0; r < ROWS; r++) key = mix(key ^ Math.imul(sig[b * ROWS + r]!, 0x9e3779b1));
        const map = bands[b]!;
        const bucket = map.get(key);
        if (bucket) bucket.push(i);
        else map.set(key, [i]);
      }
    }
    const buckets = bands.flatMap((m) => [...m.values()]);
    const checked = new Set<number>();
    const tryPair = (a: number, b: number) => {
      if (uf.find(a) === uf.find(b)) return;
      const k = a < b ? a * n + b : b * n + a;
      if (checked.has(k)) return;
      checked.add(k);
      if (jaccard(shOf(a), shOf(b)) >= threshold) uf.union(a, b);
    };
    for (const bucket of buckets) {
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
