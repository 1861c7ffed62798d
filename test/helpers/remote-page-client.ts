// A stand-in for the console's main process reading a Graphistry's admin site:
// run as its own Node process (`node --import tsx remote-page-client.ts URL
// OPERATION`), it signs in with the real RemoteGraphistryBackend and runs one
// operation, while watching its own event loop (loop-stalls.ts). It prints one
// JSON line: the operation's value or ConsoleError, the loop's longest stall,
// and the process's peak resident memory, which only a process of its own
// measures cleanly (a vitest worker carries the runner and other tests).
import { ConsoleFailure } from '../../src-shared/console-errors.ts';
import { createRemoteGraphistryBackend } from '../../src-main/backend/remote/remote-backend.ts';
import { watchLoopStalls } from './loop-stalls.ts';

export const OPERATIONS = ['me', 'listUsers'] as const;
export type Operation = (typeof OPERATIONS)[number];

const [baseUrl, operation, username = 'admin', password = 'correct horse battery staple'] = process.argv.slice(2);
if (!baseUrl || !(OPERATIONS as readonly string[]).includes(operation ?? '')) {
  process.stderr.write(`usage: remote-page-client.ts BASE_URL ${OPERATIONS.join('|')} [USERNAME PASSWORD]\n`);
  process.exit(2);
}

const admin = createRemoteGraphistryBackend({ baseUrl, timeoutMs: 60_000 }).withAuth({ type: 'admin_password', username, password: async () => password });
// The modules are loaded and warm: what is measured from here is the operation.
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
    rssBeforeMb: Math.round(rssBefore / 1048576),
    // resourceUsage().maxRSS is in KiB: the most this process ever held.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
  // Idle keep-alive sockets would keep the process waiting for nothing.
  () => process.exit(0),
);
