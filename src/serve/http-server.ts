// `strata serve`'s HTTP server (node:http): read-only, GET and HEAD only, the page's files and the JSON API.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerApi, type ApiResponse } from './api-routes.js';
import type { LakeView } from './lake-view.js';
import { staticFile } from './static-files.js';

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  /** Called with each request that failed inside strata (the CLI prints it). */
  readonly onError?: (error: unknown) => void;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function sendApi(res: ServerResponse, answer: ApiResponse): void {
  if (answer.kind === 'csv') {
    send(res, 200, 'text/csv; charset=utf-8', answer.body, { 'content-disposition': `attachment; filename="${answer.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"` });
    return;
  }
  send(res, answer.status, 'application/json; charset=utf-8', JSON.stringify(answer.body));
}

/** The path's parts, decoded; null when a part does not decode or holds a slash, a backslash or a NUL once decoded. */
function segmentsOf(pathname: string): string[] | null {
  const parts: string[] = [];
  for (const raw of pathname.split('/').filter((p) => p !== '')) {
    let part: string;
    try {
      part = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (/[/\\\0]/.test(part) || part === '..' || part === '.') return null;
    parts.push(part);
  }
  return parts;
}

async function handle(view: LakeView, queue: { last: Promise<unknown> }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'application/json; charset=utf-8', JSON.stringify({ error: 'strata serve is read-only: only GET and HEAD.' }), { allow: 'GET, HEAD' });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname.startsWith('/api/') || url.pathname === '/api') {
    const segments = segmentsOf(url.pathname);
    if (segments === null) {
      send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ error: `no API route ${url.pathname}.` }));
      return;
    }
    // One DuckDB connection behind the view: API calls take turns.
    const answer = queue.last.then(() => answerApi(view, segments.slice(1), url.searchParams));
    queue.last = answer.catch(() => undefined);
    sendApi(res, await answer);
    return;
  }
  const file = staticFile(url.pathname);
  if (file === null) {
    send(res, 404, 'text/plain; charset=utf-8', `no page ${url.pathname}\n`);
    return;
  }
  send(res, 200, file.type, file.body);
}

/** Starts listening; port 0 picks a free port (tests). */
export async function startServer(view: LakeView, options: ServeOptions): Promise<RunningServer> {
  const queue = { last: Promise.resolve() as Promise<unknown> };
  const server = createServer((req, res) => {
    handle(view, queue, req, res).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) send(res, 500, 'application/json; charset=utf-8', JSON.stringify({ error: `strata could not answer: ${(error as Error).message}` }));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
