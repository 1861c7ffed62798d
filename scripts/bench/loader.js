// Load generator for `npm run bench`, run as its own process so it never
// shares an event loop with the server it measures.
//
// Usage: node scripts/bench/loader.js '<json spec>'
//   spec = { url, method, headers, body, connections, warmupMs, durationMs,
//            maxRequests, timeoutMs, expectStatus }
// Keeps `connections` requests in flight over a keep-alive Agent (one socket
// each), discards the first `warmupMs`, counts what completes in the next
// `durationMs`, then prints one JSON line on stdout and exits.
// Bounded: stops at warmupMs + durationMs or after maxRequests requests,
// whichever comes first. Talks only to 127.0.0.1.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const spec = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(spec.url);
if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
  console.error(`loader: refusing ${spec.url}: only http://127.0.0.1 is allowed`);
  process.exit(2);
}
const connections = spec.connections ?? 32;
const warmupMs = spec.warmupMs ?? 1000;
const durationMs = spec.durationMs ?? 5000;
const maxRequests = spec.maxRequests ?? 2_000_000;
const timeoutMs = spec.timeoutMs ?? 10_000;
const expectStatus = spec.expectStatus ?? 200;
const method = spec.method ?? 'GET';
const body = spec.body === undefined ? null : Buffer.from(typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body));
const headers = { ...(spec.headers ?? {}) };
if (body) {
  headers['content-length'] = String(body.length);
  headers['content-type'] ??= 'application/json';
}

const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
const options = { agent, host: '127.0.0.1', port: Number(url.port), path: url.pathname + url.search, method, headers };

const t0 = performance.now();
const measureFrom = t0 + warmupMs;
const measureTo = measureFrom + durationMs;
let started = 0;
let measured = 0;
let warmupRequests = 0;
let errors = 0;
let unexpected = 0;
const statuses = {};
const latencies = [];
let firstError = null;
let firstUnexpected = null;
let cpuAtStart = null;
let cpuWindow = null;

function once() {
  return new Promise((resolve) => {
    const begin = performance.now();
    const req = http.request(options, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const end = performance.now();
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        const inWindow = begin >= measureFrom && end <= measureTo;
        if (res.statusCode !== expectStatus) {
          unexpected++;
          firstUnexpected ??= `${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`;
        } else if (inWindow) {
          measured++;
          latencies.push(end - begin);
        } else if (end < measureFrom) warmupRequests++;
        resolve();
      });
      res.on('error', (e) => {
        errors++;
        firstError ??= String(e?.message ?? e);
        resolve();
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (e) => {
      errors++;
      firstError ??= String(e?.message ?? e);
      resolve();
    });
    if (body) req.end(body);
    else req.end();
  });
}

async function worker() {
  while (performance.now() < measureTo && started < maxRequests) {
    started++;
    await once();
  }
}

// Snapshot the loader's own CPU time over the measured window, to tell
// whether the loader itself was the bottleneck.
setTimeout(() => (cpuAtStart = process.cpuUsage()), warmupMs).unref();
setTimeout(() => (cpuWindow = cpuAtStart && process.cpuUsage(cpuAtStart)), warmupMs + durationMs).unref();

await Promise.all(Array.from({ length: connections }, worker));
agent.destroy();
const cpu = cpuWindow ?? (cpuAtStart ? process.cpuUsage(cpuAtStart) : null);

latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : null);
const round = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
const result = {
  url: spec.url,
  method,
  connections,
  warmup_ms: warmupMs,
  duration_ms: durationMs,
  requests: measured,
  requests_total: started,
  rps: Math.round((measured / durationMs) * 1000 * 10) / 10,
  errors,
  unexpected_status: unexpected,
  statuses,
  first_error: firstError ?? firstUnexpected,
  latency_ms: {
    p50: round(pct(50)),
    p90: round(pct(90)),
    p99: round(pct(99)),
    max: round(latencies.length ? latencies[latencies.length - 1] : null),
    mean: round(latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null),
  },
  loader_cpu_pct: cpu ? Math.round(((cpu.user + cpu.system) / 1000 / durationMs) * 1000) / 10 : null,
  hit_max_requests: started >= maxRequests,
  loader_cpu_total_ms: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
