// Raw uploads for body-limit tests: a request whose body is sent in pieces (Content-Length or chunked)
// that may be answered, refused or cut off before the body is done. Resolves with what the client saw.
import { request } from 'node:http';

export interface UploadResult {
  readonly status: number | null;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** Body bytes the client wrote before the answer or the end. */
  readonly written: number;
  /** A socket error, when the server closed the connection under the upload. */
  readonly error?: string;
}

export interface UploadPlan {
  readonly headers?: Record<string, string>;
  /** Content-Length to announce; omitted: chunked. */
  readonly contentLength?: number;
  /** Pieces written one after the other (stops early once the answer arrives). */
  readonly pieces: readonly Buffer[];
  /** Destroy the request after the pieces instead of ending it (a client that gives up mid-body). */
  readonly abort?: boolean;
}

export function upload(base: string, path: string, plan: UploadPlan): Promise<UploadResult> {
  const url = new URL(path, base);
  return new Promise((resolve) => {
    let written = 0;
    let answered = false;
    const headers = { 'content-type': 'application/xml', ...plan.headers,
      ...(plan.contentLength !== undefined ? { 'content-length': String(plan.contentLength) } : {}) };
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const done = (): void => resolve({ status: res.statusCode ?? 0, headers: res.headers,
        text: Buffer.concat(chunks).toString('utf8'), written });
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', (err) => {
      if (!answered) resolve({ status: null, headers: {}, text: '', written, error: err.message });
    });
    const next = (i: number): void => {
      if (answered || req.destroyed) return;
      const piece = plan.pieces[i];
      if (piece === undefined) {
        if (plan.abort) {
          req.destroy();
          resolve({ status: null, headers: {}, text: '', written, error: 'aborted by the client' });
        } else req.end();
        return;
      }
      req.write(piece, () => {
        written += piece.length;
        next(i + 1);
      });
    };
    if (plan.pieces.length === 0 && plan.contentLength !== undefined && plan.contentLength > 0 && !plan.abort) {
      req.flushHeaders();
      return;
    }
    next(0);
  });
}

/** The value of one unlabelled metric in a Prometheus text page. */
export function metricValue(page: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(page);
  if (!m?.[1]) throw new Error(`no metric ${name}`);
  return Number(m[1]);
}
