/**
 * Indices of the k largest scores, best first (ties: lower index first). A bounded min-heap: O(n log k),
 * with no allocation proportional to n.
 */
export function topK(scores: Float32Array | Float64Array, k: number): number[] {
  const n = scores.length;
  const size = Math.min(k, n);
  if (size <= 0) return [];
  const heap = new Int32Array(size); // min-heap of indices by (score, -index)
  let count = 0;
  // "a is worse than b": lower score, or same score and higher index.
  const worse = (a: number, b: number) => {
    const sa = scores[a] as number;
    const sb = scores[b] as number;
    return sa < sb || (sa === sb && a > b);
  };
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < count && worse(heap[l] as number, heap[m] as number)) m = l;
      if (r < count && worse(heap[r] as number, heap[m] as number)) m = r;
      if (m === i) return;
      const t = heap[i] as number;
      heap[i] = heap[m] as number;
      heap[m] = t;
      i = m;
    }
  };
  for (let idx = 0; idx < n; idx++) {
    if (count < size) {
      let i = count++;
      heap[i] = idx;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(heap[i] as number, heap[p] as number)) break;
        const t = heap[i] as number;
        heap[i] = heap[p] as number;
        heap[p] = t;
        i = p;
      }
    } else if (worse(heap[0] as number, idx)) {
      heap[0] = idx;
      siftDown(0);
    }
  }
  return Array.from(heap.subarray(0, count)).sort((a, b) => {
    const d = (scores[b] as number) - (scores[a] as number);
    return d !== 0 ? d : a - b;
  });
}
