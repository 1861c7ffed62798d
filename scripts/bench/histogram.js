// Latency histogram shared by the bench children and the orchestrator:
// log-spaced buckets (2% wide), sparse, mergeable across slices.
const GROWTH = Math.log(1.02);

export function bucketOf(ms) {
  return Math.max(0, Math.floor(Math.log(Math.max(ms, 0.001) * 1000) / GROWTH));
}

/** Upper bound (ms) of a bucket. */
export function boundOf(bucket) {
  return Math.exp((bucket + 1) * GROWTH) / 1000;
}

export function record(hist, ms) {
  const b = bucketOf(ms);
  hist[b] = (hist[b] ?? 0) + 1;
}

export function merge(into, from) {
  for (const [b, n] of Object.entries(from)) into[b] = (into[b] ?? 0) + n;
  return into;
}

/** { p50, p90, p99, max } in ms (2% resolution), or nulls when empty. */
export function summary(hist) {
  const buckets = Object.entries(hist)
    .map(([b, n]) => [Number(b), n])
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((s, [, n]) => s + n, 0);
  const at = (p) => {
    if (!total) return null;
    const rank = Math.ceil((p / 100) * total);
    let seen = 0;
    for (const [b, n] of buckets) {
      seen += n;
      if (seen >= rank) return Math.round(boundOf(b) * 1000) / 1000;
    }
    return null;
  };
  return { p50: at(50), p90: at(90), p99: at(99), max: total ? Math.round(boundOf(buckets[buckets.length - 1][0]) * 1000) / 1000 : null };
}
