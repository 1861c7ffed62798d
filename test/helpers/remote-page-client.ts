// A stand-in for the console's main process reading a Graphistry's admin site:
// run as its own Node process (`node --import tsx remote-page-client.ts URL
// OPERATION`), it signs in with the real RemoteGraphistryBackend and runs one
// operation, while watching its own event loop (loop-stalls.ts). It prints one
// JSON line: the operation's value or ConsoleError, the loop's longest stall,
// and the process's peak resident memory, which only a process of its own
// measures cleanly (a vitest worker carries the runner and other tests).
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import { createRemoteGraphistryBackend } from '../../src-main/backend/remote/remote-backend.ts';
import axios from 'axios';
import { MAX_PAGE_BYTES } from '../../src-main/backend/remote/admin-http.ts';
import { watchLoopStalls } from './loop-stalls.ts';

export const OPERATIONS = ['me', 'listUsers'] as const;
export type Operation = (typeof OPERATIONS)[number];

const [baseUrl, operation, username = 'admin', password = 'correct horse battery staple'] = process.argv.slice(2);
if (!baseUrl || !(OPERATIONS as readonly string[]).includes(operation ?? '')) {
  process.stderr.write(`usage: remote-page-client.ts BASE_URL ${OPERATIONS.join('|')} [USERNAME PASSWORD]\n`);
  process.exit(2);
}

const admin = createRemoteGraphistryBackend({ baseUrl, timeoutMs: 60_000 }).withAuth({ type: 'admin_password', username, password: async () => password });
// The modules are loaded and warm, and so is ICU, which the first date format of a process sets up (about 20 ms,
// once in the console's life): what is measured from here is the operation.
new Intl.DateTimeFormat('en-US', { timeZone: 'UTC' }).format(0);
// The machine's floor, measured beside the operation: how long merely receiving MAX_PAGE_BYTES of bytes over
// loopback holds this process's loop now (Node reads a socket's waiting data in one go, and joins it), from the
// server's /__floor__ (test/integration/hostile-admin-page.test.ts serves it). No parse, no page.
const floorWatch = watchLoopStalls();
const blob = await axios.get(new URL('/__floor__', baseUrl).toString(), { responseType: 'arraybuffer', proxy: false });
if ((blob.data as Buffer).length !== MAX_PAGE_BYTES) throw new Error(`the floor answer was ${(blob.data as Buffer).length} bytes`);
await new Promise((resolve) => setTimeout(resolve, 5));
const floor = floorWatch.stop();
const rssBefore = process.memoryUsage().rss;
const stalls = watchLoopStalls();
const started = performance.now();
let outcome: { value: unknown } | { error: unknown };
try {
  outcome = { value: operation === 'me' ? await admin.me() : await admin.listUsers({ ordering: 'username', page_size: 200 }) };
} catch (e) {
  outcome = { error: e instanceof ConsoleFailure ? e.error : { message: String(e) } };
}
const ms = Math.round(performance.now() - started);
process.stdout.write(
  `${JSON.stringify({
    ...outcome,
    ms,
    stalls: stalls.stop(),
    floor,
    rssBeforeMb: Math.round(rssBefore / 1048576),
    // resourceUsage().maxRSS is in KiB: the most this process ever held.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
  // Idle keep-alive sockets would keep the process waiting for nothing.
  () => process.exit(0),
);
