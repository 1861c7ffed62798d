import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.ts';
import { redactRequestUrl } from '../lib/redact.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Graphistry's clients read Django REST Framework error bodies
     * (`non_field_errors`, per-field lists), so token routes answer in that
     * shape as well as ours.
     */
    drfErrors?: boolean;
    /**
     * pygraphistry's single sign-on calls read `status` first: `"ERR"` with
     * a `message` is raised as that sentence (anything else as the whole
     * body's text), so those routes' errors carry it as well as ours.
     */
    statusErrors?: boolean;
  }
}

/** Fastify's own error codes mapped to ours; anything not listed with a 4xx status becomes VALIDATION. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'VALIDATION',
  FST_ERR_MAX_PARAM_LENGTH: 'VALIDATION',
};

const BY_STATUS: Record<number, ErrorCode> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'THROTTLED',
};

function toAppError(err: FastifyError | Error, bodyLimit?: number): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError;
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped === 'PAYLOAD_TOO_LARGE') {
    // A route may take more than the app's 64 KiB (the user import takes a file): the sentence names the limit that applied.
    const limit = bodyLimit && bodyLimit >= 1024 * 1024 ? `${Math.round(bodyLimit / 1024 / 1024)} MiB` : '64 KiB';
    return new AppError(mapped, `The request body is too large (${limit} at most).`);
  }
  if (mapped === 'UNSUPPORTED_MEDIA_TYPE') return new AppError(mapped, 'Send the body as application/json.');
  if (fe.code === 'FST_ERR_BAD_URL' || fe.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    // Fastify's own text echoes the raw path back; ours does not (and 414 is for the whole URI, not one segment).
    return new AppError('VALIDATION', 'The request path is malformed or one of its parts is too long.');
  }
  if (mapped === 'INVALID_JSON' || (err instanceof SyntaxError && status === 400)) {
    return new AppError('INVALID_JSON', 'The request body is not valid JSON.');
  }
  if (status >= 400 && status < 500) {
    const code = BY_STATUS[status] ?? 'VALIDATION';
    return new AppError(code, 'The request could not be processed.', { status });
  }
  return new AppError('INTERNAL', 'Internal server error.');
}

export function drfBody(e: AppError): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (e.fields?.length) {
    for (const f of e.fields) body[f.field] = [f.message === 'is required' ? 'This field is required.' : f.message];
  } else {
    body.non_field_errors = [e.message];
  }
  return body;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, e: AppError): FastifyReply {
  if (e.headers) reply.headers(e.headers);
  const body: Record<string, unknown> = { error: e.code, message: e.message };
  if (e.fields?.length) body.fields = e.fields;
  const drf = request.routeOptions?.config?.drfErrors ? drfBody(e) : {};
  const status = request.routeOptions?.config?.statusErrors ? { status: 'ERR' } : {};
  return reply
    .status(e.status)
    .type('application/json; charset=utf-8')
    .send({ ...status, ...drf, ...body });
}

/**
 * For Fastify's `frameworkErrors` server option: errors the router raises
 * before any route, hook or error handler runs (an undecodable %-escape in the
 * path, a path parameter longer than maxParamLength). Without it Fastify
 * answers `{"error":"Bad Request","code":"FST_ERR_BAD_URL",...}` with the path
 * echoed back, outside our `{error: CODE, message}` format. No route matched,
 * so there is no route config (and no DRF shape) to consult.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = toAppError(err);
  // The app's onSend hook does not run on this path, so set its headers here.
  reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
  return reply.status(e.status).type('application/json; charset=utf-8').send({ error: e.code, message: e.message });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const e = toAppError(err as Error, request.routeOptions?.bodyLimit);
    if (e.status >= 500) {
      // The client gets a generic sentence; the log gets the cause (never request bodies).
      request.log.error({ err, code: e.code, url: redactRequestUrl(request.url) }, 'request failed');
    }
    return sendError(request, reply, e);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new AppError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}.`)),
  );
}
