// The raw request body of an agent page, or a MISSING_PARAMETER error naming the page.
import type { FastifyRequest } from 'fastify';
import { smpError } from '../../../shared/errors.js';

export function bodyOf(req: FastifyRequest, page: string): Buffer {
  const b = req.body;
  if (!Buffer.isBuffer(b) || b.length === 0) throw smpError('MISSING_PARAMETER', `${page} needs a request body (application/xml)`);
  return b;
}
