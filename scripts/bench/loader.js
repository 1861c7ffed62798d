// Load generator for `npm run bench`, run as its own process so it never
// shares an event loop with the server it measures.
//
// Usage:
//   node scripts/bench/loader.js '<json spec>'   one slice, one JSON line on stdout
//   node scripts/bench/loader.js --serve         prints `ready`, then one slice per
//                                                JSON line on stdin, one JSON line
//                                                out each; exits when stdin closes
// spec = { url, method, headers, body, connections, warmupMs, durationMs,
//          maxRequests, timeoutMs, expectStatus }
//
// A slice keeps `connections` requests in flight over a keep-alive Agent (one
// socket each, reused across slices in --serve mode), ignores what completes in
// the first `warmupMs`, and counts what completes in the next `durationMs`.
// Bounded: no request starts after warmupMs + durationMs or once maxRequests
// have started, and each request times out after timeoutMs.
// Talks only to 127.0.0.1.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { record } from './histogram.js';

const agents = new Map();
function agentFor(origin, connections) {
  const key = `${origin}|${connections}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
    agents.set(key, agent);
  }
  return agent;
}

async function slice(spec) {
  const url = new URL(spec.url);
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') throw new Error(`refusing ${spec.url}: only http://127.0.0.1 is allowed`);
  const connections = spec.connections ?? 32;
  const warmupMs = spec.warmupMs ?? 1000;
  const durationMs = spec.durationMs ?? 5000;
  const maxRequests = spec.maxRequests ?? 1_000_000;
  const timeoutMs = spec.timeoutMs ?? 10_000;
  const expectStatus = spec.expectStatus ?? 200;
  const body = spec.body === undefined ? null : Buffer.from(typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body));
  const headers = { ...(spec.headers ?? {}) };
  if (body) {
    headers['content-length'] = String(body.length);
    headers['content-type'] ??= 'application/json';
  }
  const options = { agent: agentFor(url.origin, connections), host: '127.0.0.1', port: Number(url.port), path: url.pathname + url.search, method: spec.method ?? 'GET', headers };

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const measureFrom = t0 + warmupMs;
  const measureTo = measureFrom + durationMs;
  let started = 0;
  let measured = 0;
  let errors = 0;
  let unexpected = 0;
  const statuses = {};
  const hist = {};
  let firstError = null;
  let cpuAtStart = null;
  let cpuWindow = null;
  const fail = (e) => {
    errors++;
    firstError ??= String(e?.message ?? e);
  };

  const once = () =>
    new Promise((resolve) => {
      const begin = performance.now();
      const req = http.request(options, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const end = performance.now();
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          if (res.statusCode !== expectStatus) {
            unexpected++;
            firstError ??= `HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`;
          } else if (end >= measureFrom && end <= measureTo) {
            // Throughput counts completions inside the window, whenever they started.
            measured++;
            record(hist, end - begin);
          }
          resolve();
        });
        res.on('error', (e) => {
          fail(e);
          resolve();
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.on('error', (e) => {
        fail(e);
        resolve();
      });
      req.end(body ?? undefined);
    });

  const worker = async () => {
    // Bounded in time and count; a slice that keeps failing stops early (it is an error anyway).
    while (performance.now() < measureTo && started < maxRequests && errors + unexpected < 50) {
      started++;
      await once();
    }
  };
  // The loader's own CPU over the measured window, to tell whether the loader set the pace.
  const a = setTimeout(() => (cpuAtStart = process.cpuUsage()), warmupMs);
  const b = setTimeout(() => (cpuWindow = cpuAtStart && process.cpuUsage(cpuAtStart)), warmupMs + durationMs);
  await Promise.all(Array.from({ length: connections }, worker));
  clearTimeout(a);
  clearTimeout(b);
  const cpu = cpuWindow ?? (cpuAtStart ? process.cpuUsage(cpuAtStart) : null);
  const total = process.cpuUsage(cpu0);
  return {
    connections,
    warmup_ms: warmupMs,
    duration_ms: durationMs,
    requests: measured,
    requests_total: started,
    errors,
    unexpected_status: unexpected,
    statuses,
    first_error: firstError,
    hist,
    loader_window_cpu_ms: cpu ? Math.round((cpu.user + cpu.system) / 1000) : null,
    loader_cpu_total_ms: Math.round((total.user + total.system) / 1000),
    hit_max_requests: started >= maxRequests,
  };
}

const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
if (process.argv[2] === '--serve') {
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    try {
      out(await slice(JSON.parse(line)));
    } catch (e) {
      out({ fatal: String(e?.message ?? e) });
    }
  }
  for (const agent of agents.values()) agent.destroy();
} else {
  try {
    out(await slice(JSON.parse(process.argv[2] ?? '{}')));
  } catch (e) {
    console.error(`loader: ${e?.message ?? e}`);
    process.exitCode = 2;
  }
  for (const agent of agents.values()) agent.destroy();
}
