// One mapping from errors to HTTP answers for every NS page: SmpErrors keep their status and code,
// fastify's own 4xx (body too large, bad media type) keep theirs, anything else is a 500 that is
// logged with its stack. Agent pages answer XML (EvilAltiris-style clients look for "error").
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, SmpError } from '../../shared/errors.js';
import { escapeXml } from '../../shared/protocol/xml.js';

export interface HttpProblem {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ERRORS.TOO_LARGE.code,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ERRORS.BAD_INPUT.code,
  FST_ERR_CTP_EMPTY_JSON_BODY: ERRORS.BAD_INPUT.code,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ERRORS.BAD_INPUT.code,
  FST_ERR_VALIDATION: ERRORS.BAD_INPUT.code,
};

export function toProblem(err: unknown): HttpProblem {
  if (err instanceof SmpError) return { status: err.status, code: err.code, message: err.message };
  const fe = err as Partial<FastifyError>;
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = (fe.code && FASTIFY_CODES[fe.code]) ?? ERRORS.BAD_INPUT.code;
    return { status, code, message: fe.message ?? 'bad request' };
  }
  return { status: 500, code: ERRORS.INTERNAL.code, message: 'internal error; see the NS log' };
}

function logProblem(req: FastifyRequest, p: HttpProblem, err: unknown): void {
  if (p.status >= 500) req.log.error({ err, code: p.code }, 'request failed');
  else req.log.warn({ code: p.code, status: p.status, reason: p.message, url: req.url }, 'request refused');
}

export function xmlErrorBody(p: HttpProblem): string {
  return `<error code="${p.code}" status="${p.status}">${escapeXml(p.message)}</error>`;
}

/** Error handler for agent pages: XML body `<error code status>reason</error>`. */
export function xmlErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const p = toProblem(err);
  logProblem(req, p, err);
  void reply.code(p.status).type('text/xml; charset=utf-8').send(xmlErrorBody(p));
}

/** Error handler for JSON APIs: `{ "error": { code, status, message } }`. */
export function jsonErrorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const p = toProblem(err);
  logProblem(req, p, err);
  void reply.code(p.status).type('application/json; charset=utf-8').send({ error: p });
}
