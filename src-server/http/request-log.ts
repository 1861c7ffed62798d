import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import { redactRequestUrl } from './redact.ts';

/**
 * One short line per request, written when the response is done:
 * `{"level":30,"time":…,"msg":"GET /api/v2/me 200","ms":0.41,"ip":"127.0.0.1"}`.
 * Fastify's default writes two (incoming, completed) with the headers'
 * worth of detail, which cost about as much as the database work of a
 * `/me` request. The URL goes through the one redactor, so no invitation
 * token or other secret in a path or query reaches the log.
 */
const QUIET_LEVELS = new Set(['warn', 'error', 'fatal', 'silent']);

export class OneLineRequestLog extends LogController {
  /**
   * `sink`: the logger's own destination, when the caller made it (`serve`):
   * a completed request's line is then written there directly, in the
   * logger's JSON shape, instead of through its generic object serialization.
   * Without it, lines go through the logger.
   */
  constructor(private readonly sink: { write(line: string): unknown } | null = null) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // Routes logged at warn (the forward-auth check) skip building a line nobody writes.
    if (!error && QUIET_LEVELS.has(reply.log.level)) return;
    const msg = `${request.method} ${redactRequestUrl(request.url)} ${reply.statusCode}`;
    const ms = Math.round(reply.elapsedTime * 100) / 100;
    if (!error && this.sink) {
      this.sink.write(`{"level":30,"time":${Date.now()},"ms":${ms},"ip":${JSON.stringify(request.ip ?? null)},"msg":${JSON.stringify(msg)}}\n`);
      return;
    }
    const fields = { ms, ip: request.ip };
    if (error) reply.log.error({ ...fields, err: error }, msg);
    else reply.log.info(fields, msg);
  }
}

/**
 * Every request logs through the server's logger itself: a per-request child
 * logger (Fastify's default, to bind a request id) costs an allocation and a
 * bindings serialization per request, for an id no line needs any more.
 */
export function sameLoggerForRequests(logger: FastifyBaseLogger, bindings: object, options: object): FastifyBaseLogger {
  const keys = Object.keys(options);
  if (keys.length === 0) return logger;
  // A route with its own logLevel (the forward-auth check): one child per level, made once, not one per request.
  if (keys.length === 1 && keys[0] === 'level') {
    const level = String((options as { level: unknown }).level);
    let children = byLevel.get(logger);
    if (!children) byLevel.set(logger, (children = new Map()));
    let child = children.get(level);
    if (!child) children.set(level, (child = logger.child({}, { level })));
    return child;
  }
  return logger.child(bindings, options);
}
const byLevel = new WeakMap<FastifyBaseLogger, Map<string, FastifyBaseLogger>>();

/**
 * A log destination that gathers lines and writes them with one call: a line
 * arriving after a quiet spell is written when its event-loop turn ends
 * (setImmediate); under load, writes are spaced at least `intervalMs` apart,
 * or made at once when `maxChars` are waiting. One write then serves hundreds
 * of requests instead of one turn's handful: on `/me` at 10k req/s that is
 * about 50 hand-overs to the log thread a second instead of thousands (each
 * a message to serialise, wake the thread for and write). A line waits at
 * most `intervalMs`; whatever waits at exit is handed over before the
 * writer's own exit step runs.
 */
export function batchedLogStream(target: { write(chunk: string): unknown }, { intervalMs = 20, maxChars = 64 * 1024 } = {}) {
  let pending: string[] = [];
  let chars = 0;
  let immediate: NodeJS.Immediate | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastWrite = -Infinity;
  const flush = () => {
    if (immediate) clearImmediate(immediate);
    if (timer) clearTimeout(timer);
    immediate = timer = null;
    if (pending.length === 0) return;
    const text = pending.length === 1 ? pending[0]! : pending.join('');
    pending = [];
    chars = 0;
    lastWrite = performance.now();
    target.write(text);
  };
  // Before the writer's own exit listener (registered when it was made), which writes what it was handed.
  process.prependOnceListener('exit', flush);
  return {
    write(line: string) {
      pending.push(line);
      chars += line.length;
      if (chars >= maxChars) return flush();
      if (immediate || timer) return;
      const wait = lastWrite + intervalMs - performance.now();
      // Unref'd: a pending log line never keeps a finished process alive (the exit listener writes it).
      if (wait <= 0) immediate = setImmediate(flush).unref();
      else timer = setTimeout(flush, Math.ceil(wait)).unref();
    },
    flush,
  };
}
