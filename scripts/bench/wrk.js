// Load from Debian's `wrk` (C, epoll, one thread per -t): it drives a
// hello-world node:http server about three times harder than a Node loader
// does on this machine, so the servers, not the loader, set the pace. Its own
// CPU is read too (it is the shell's reaped child: cutime + cstime), so a
// loader near a full core shows in the table.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMs, removeOnExit } from './proc.js';

const dir = mkdtempSync(join(tmpdir(), 'gadm-bench-wrk-'));
removeOnExit(dir);
let scripts = 0;

export function hasWrk() {
  return spawnSync('sh', ['-c', 'command -v wrk']).status === 0;
}

/** A Lua string literal that needs no escaping. */
const lua = (s) => `[==[${s}]==]`;
const luaHeaders = (h = {}) =>
  `{${Object.entries(h)
    .map(([k, v]) => `[ ${lua(k)} ] = ${lua(v)}`)
    .join(', ')}}`;

const DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;

/**
 * One request shape (`method`, `path`, `headers`, `body`), or a rotation of
 * several (`mix`: each connection cycles through them in order); `gapMs`
 * paces each connection (see below) instead of sending as fast as answered.
 */
function scriptFor(spec) {
  const withBody = (r) => {
    const body = r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    const headers = { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(r.headers ?? {}) };
    return { method: r.method ?? 'GET', path: r.path, headers, body };
  };
  let text;
  if (spec.mix) {
    const reqs = spec.mix
      .map(withBody)
      .map((r) => `wrk.format(${lua(r.method)}, ${lua(r.path)}, ${luaHeaders(r.headers)}, ${r.body === undefined ? 'nil' : lua(r.body)})`);
    text = `local reqs = {}\ninit = function(args)\n${reqs.map((r) => `  table.insert(reqs, ${r})`).join('\n')}\nend\nlocal i = math.random(0, ${reqs.length - 1})\nrequest = function()\n  i = i % #reqs + 1\n  return reqs[i]\nend\n`;
  } else {
    const r = withBody(spec);
    text = `wrk.method = ${lua(r.method)}\nwrk.path = ${lua(r.path)}\n${r.body === undefined ? '' : `wrk.body = ${lua(r.body)}\n`}${Object.entries(r.headers)
      .map(([k, v]) => `wrk.headers[ ${lua(k)} ] = ${lua(v)}`)
      .join('\n')}\n`;
  }
  // Paced load (`gapMs`): each connection waits a random 0..2x gapMs before each request, so the
  // requests arrive at about connections / gapMs per ms, whatever the server's speed (an open load).
  if (spec.gapMs) text += `delay = function()\n  return math.random(0, ${Math.max(1, Math.round(2 * spec.gapMs))})\nend\n`;
  const file = join(dir, `s${scripts++}.lua`);
  writeFileSync(file, text + DONE);
  return file;
}

/**
 * Run wrk once against `origin` and resolve with its figures plus the CPU the
 * process `pid` spent meanwhile (all threads, from /proc):
 * { requests, duration_ms, rps, p50_ms, p90_ms, p99_ms, max_ms, errors, non2xx, server_cpu_ms, loader_cpu_ms }
 */
export function runWrk({ origin, pid, connections = 16, threads = 1, durationS = 2, timeoutS = 10, ...spec }) {
  const script = scriptFor(spec);
  // The shell reaps wrk, so its cutime/cstime then hold wrk's CPU (all threads).
  const cmd = `wrk -t${threads} -c${connections} -d${durationS}s --timeout ${timeoutS}s -s '${script}' '${origin}' && cut -d' ' -f16,17 /proc/$$/stat`;
  const before = pid ? cpuMs(pid) : null;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = performance.now() - t0;
      const after = pid ? cpuMs(pid) : null;
      const m = /WRK_JSON (\{.*\})/.exec(out);
      if (code !== 0 || !m) return reject(new Error(`wrk failed (${code}): ${err || out}`));
      const w = JSON.parse(m[1]);
      const ticks = out.trim().split('\n').at(-1).split(' ').map(Number);
      const ms = (us) => Math.round(us) / 1000;
      resolve({
        requests: w.requests,
        duration_ms: w.duration_us / 1000,
        wall_ms: wallMs,
        rps: (w.requests / w.duration_us) * 1e6,
        p50_ms: ms(w.p50_us),
        p90_ms: ms(w.p90_us),
        p99_ms: ms(w.p99_us),
        max_ms: ms(w.max_us),
        errors: w.errors,
        non2xx: w.non2xx,
        server_cpu_ms: before !== null && after !== null ? after - before : null,
        loader_cpu_ms: ticks.length === 2 && ticks.every(Number.isFinite) ? (ticks[0] + ticks[1]) * 10 : null,
      });
    });
  });
}
