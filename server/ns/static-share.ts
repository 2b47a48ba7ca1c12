// Serving a known set of files the way IIS serves a static virtual directory: case-insensitive
// names, strong IIS-style ETags, Last-Modified, single byte ranges (206/416) and conditional GETs
// (304/412), through @fastify/static's sendFile. Only files in the share's index are ever served:
// no directory listing, no path that leaves the root, no dotfile.
import type { Stats } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { smpError } from '../../shared/errors.js';

/** Longest wildcard path a share accepts. */
const MAX_PATH = 1024;

/**
 * Splits and checks the decoded wildcard path of a share request. Traversal (`..`, `.`), empty
 * segments, backslashes, drive letters and control characters are BAD_INPUT (answered 400).
 */
export function sharePathSegments(decoded: string): string[] {
  if (decoded.length > MAX_PATH) throw smpError('TOO_LARGE', `path longer than ${MAX_PATH} characters`);
  const segments = decoded.split('/');
  for (const s of segments) {
    // eslint-disable-next-line no-control-regex
    if (s === '.' || s === '..' || s === '' || /[\u0000-\u001f\\:*?"<>|]/.test(s) || s.startsWith('.')) {
      throw smpError('BAD_INPUT', `path ${JSON.stringify(decoded.slice(0, 120))} is refused: traversal, empty or reserved segment`, {
        reason: 'path-traversal',
      });
    }
  }
  return segments;
}

/** IIS ETag: the file's last-write FILETIME in hex and a change number, quoted (strong). */
export function iisEtag(mtime: Date): string {
  const filetime = (BigInt(mtime.getTime()) + 11_644_473_600_000n) * 10_000n;
  return `"${filetime.toString(16)}:0"`;
}

function etagList(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).filter((t) => t !== '');
}

/** Registers @fastify/static (reply.sendFile) in this encapsulated context with IIS-like headers. */
export async function registerShareSender(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: '/',
    serve: false,
    etag: false,
    cacheControl: false,
    lastModified: true,
    acceptRanges: true,
    dotfiles: 'deny',
    index: false,
    setHeaders: (reply: FastifyReply, _path: string, stat: Stats) => {
      void reply.header('ETag', iisEtag(stat.mtime));
    },
  });
}

/**
 * Applies the ETag preconditions @fastify/send cannot see (its own weak ETag is off): If-Match
 * (412), If-None-Match (304) and If-Range by ETag. Returns true when it answered the request.
 */
export function answerPreconditions(request: FastifyRequest, reply: FastifyReply, stat: Stats): boolean {
  const etag = iisEtag(stat.mtime);
  const h = request.headers;
  const ifMatch = h['if-match'];
  if (typeof ifMatch === 'string' && ifMatch.trim() !== '*' && !etagList(ifMatch).includes(etag)) {
    void reply.code(412).header('ETag', etag).type('text/html').send(iisErrorPage(412, 'Precondition Failed'));
    return true;
  }
  const ifNoneMatch = h['if-none-match'];
  if (typeof ifNoneMatch === 'string') {
    if (ifNoneMatch.trim() === '*' || etagList(ifNoneMatch).includes(etag)) {
      void reply.code(304).header('ETag', etag).header('Last-Modified', stat.mtime.toUTCString()).send();
      return true;
    }
    // RFC 9110: If-Modified-Since is ignored when If-None-Match is present.
    delete h['if-modified-since'];
  }
  const ifRange = h['if-range'];
  if (typeof ifRange === 'string' && ifRange.includes('"')) {
    if (ifRange.trim() === etag) delete h['if-range'];
    else delete h['range'];
  }
  // An unsatisfiable single range gets 416 with `Content-Range: bytes */size` (as IIS and RFC 9110 say).
  const m = typeof h['range'] === 'string' ? /^bytes=(\d*)-(\d*)$/.exec(h['range'].trim()) : null;
  if (m !== null && ((m[1] !== '' && Number(m[1]) >= stat.size) || (m[1] === '' && m[2] === '0'))) {
    void reply.code(416).header('Content-Range', `bytes */${stat.size}`).type('text/html')
      .send(iisErrorPage(416, 'Requested Range Not Satisfiable'));
    return true;
  }
  return false;
}

export function sendShareFile(reply: FastifyReply, root: string, rel: string): FastifyReply {
  return reply.sendFile(rel, root);
}

/** A small HTML error body in the shape IIS uses for its detailed-errors-off pages. */
export function iisErrorPage(status: number, title: string, detail = ''): string {
  return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n` +
    `<html xmlns="http://www.w3.org/1999/xhtml"><head><title>${status} - ${title}</title></head>` +
    `<body><h2>${status} - ${title}</h2>${detail === '' ? '' : `<p>${escapeHtml(detail)}</p>`}</body></html>\r\n`;
}

const escapeHtml = (s: string): string => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? c);
