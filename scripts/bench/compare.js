// `npm run bench -- --compare DIR`: the figures a before/after is judged by,
// read from each section's BENCH_JSON, and the table of their medians over
// the rounds. Each figure says which way is better; the ratio is after over
// before for figures where lower is better (time, CPU) and before over after
// where higher is better (req/s), so a ratio above 1 is always a regression.
import { median, printTable, round } from './proc.js';

/** The limit a regression may reach (1.15 = 15% worse) before a figure is marked. */
export const REGRESSION_LIMIT = 1.15;

const lower = (value) => ({ value, better: 'lower' });
const higher = (value) => ({ value, better: 'higher' });

/** { figure name: { value, better, retired? } } of one section's BENCH_JSON. */
const FIGURES = {
  http(j) {
    const out = {};
    for (const [k, r] of Object.entries(j.results)) {
      if (k === 'signin') {
        Object.assign(out, { 'sign-in req/s': higher(r.rps), 'sign-in p50 ms': lower(r.p50_ms), 'sign-in p99 ms': lower(r.p99_ms) });
      } else if (r.server && !['ht', 'pkey_org'].includes(k)) {
        // pkey_org and signin_org compare two calls to the same server in one run, not one build with another.
        out[`${k} cpu us/req`] = lower(r.server.cpu_us_per_req);
        out[`${k} req/s`] = higher(r.server.rps);
      }
    }
    return out;
  },
  'forward-auth'(j) {
    const out = {};
    for (const k of ['cookie', 'jwt']) {
      out[`check (${k}) req/s`] = higher(j.results[k].rps);
      out[`check (${k}) cpu us/req`] = lower(j.results[k].cpu_us_per_req);
    }
    out['check p99 at rest ms'] = lower(j.latency.rest_ms.p99);
    out['check p99 during sign-ins ms'] = lower(j.latency.burst_ms.p99);
    out['floor: hello p99 during sign-ins ms'] = { ...lower(j.latency.floor.burst_ms.p99), context: true };
    return out;
  },
  scale(j) {
    const out = {};
    for (const dialect of ['sqlite', 'postgres']) {
      for (const r of j[dialect]?.rows ?? []) out[`${dialect}: ${r.label} ms`] = { ...lower(r.server_ms), retired: /page 10,000/.test(r.label) };
    }
    return out;
  },
  throttle(j) {
    const out = {};
    for (const [dialect, r] of Object.entries(j.results)) out[`${dialect}: a failed sign-in's throttle work, mean us`] = lower(r.failed.mean_us);
    return out;
  },
  cli(j) {
    return {
      'help ms': lower(j.help.mean_ms),
      'config get ms': lower(j.config_get.mean_ms),
      'serve ready ms': lower(j.serve.ready_ms),
      'idle RSS KiB': lower(j.serve.idle_rss_kb),
    };
  },
};

export const comparable = (section) => section in FIGURES;

/**
 * Print the table for one section: `runs` are { side: 'before' | 'after', json, load }.
 * Returns the figures that regressed past the limit (retired and context figures excepted).
 */
export function printComparison(section, runs) {
  const figures = runs.map((r) => ({ ...r, figures: r.json ? FIGURES[section](r.json) : {} }));
  const names = [...new Set(figures.flatMap((f) => Object.keys(f.figures)))];
  const regressed = [];
  const rows = [['figure', 'before (median)', 'after (median)', 'ratio', 'rounds before', 'rounds after', '']];
  for (const name of names) {
    const side = (s) => figures.filter((f) => f.side === s && f.figures[name]).map((f) => f.figures[name].value);
    const [b, a] = [side('before'), side('after')];
    if (!b.length || !a.length) continue;
    const meta = figures.find((f) => f.figures[name]).figures[name];
    const ratio = meta.better === 'lower' ? median(a) / median(b) : median(b) / median(a);
    const note = meta.retired ? 'retired' : meta.context ? 'machine floor' : ratio > REGRESSION_LIMIT ? 'WORSE' : '';
    if (note === 'WORSE') regressed.push(name);
    rows.push([
      name,
      round(median(b), 2),
      round(median(a), 2),
      `${round(ratio, 3)}x`,
      b.map((x) => round(x, 2)).join(' '),
      a.map((x) => round(x, 2)).join(' '),
      note,
    ]);
  }
  console.log(
    `\n${section}: before/after, ${runs.length} runs alternating; ratio > 1 is worse (after/before for times, before/after for req/s); limit ${REGRESSION_LIMIT}x`,
  );
  printTable(rows);
  console.log(`load (1-min average) at each run's start: ${runs.map((r) => `${r.side[0]}${r.load}`).join(' ')}`);
  return regressed;
}
