// Baseline for `npm run bench`: the cheapest possible node:http server, so
// the account server's figures can be read as a fraction of what Node itself
// does on this machine. Prints its URL on stdout (same line shape as `serve`).
// Stops on SIGTERM/SIGINT, or when its stdin closes (so it never outlives the bench).
import http from 'node:http';

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('hello world\n');
});
server.keepAliveTimeout = 72_000; // same as Fastify's default
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`Baseline server listening on http://127.0.0.1:${server.address().port}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop).on('error', stop).resume();
