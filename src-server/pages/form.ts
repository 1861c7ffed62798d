import type { FastifyRequest } from 'fastify';

/** A form field as sent: absent and repeated fields read as undefined. */
export function formValue(request: FastifyRequest, name: string): unknown {
  const body = request.body as Record<string, unknown> | undefined;
  const v = body && typeof body === 'object' ? body[name] : undefined;
  return Array.isArray(v) ? undefined : v;
}

/** A form field as text: absent, repeated or non-text fields read as empty. */
export function formText(request: FastifyRequest, name: string): string {
  const v = formValue(request, name);
  return typeof v === 'string' ? v : '';
}
