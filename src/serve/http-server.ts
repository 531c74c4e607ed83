// `strata serve`'s HTTP server (node:http): read-only, GET and HEAD only, the page's files and the JSON API.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StrataError } from '../errors.js';
import { answerApi, type ApiResponse, type LakeReaders } from './api-routes.js';
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

/**
 * Whatever a file makes the page show, the browser runs only strata's own scripts: no inline script or style,
 * no plugin, nothing fetched from elsewhere, no framing.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

const sendError = (res: ServerResponse, status: number, error: string, extra: Record<string, string> = {}) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify({ error }), extra);

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

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/**
 * Bound to this machine only, the server answers only requests addressed to this machine: a web page elsewhere
 * that points its own host name at 127.0.0.1 (DNS rebinding) gets nothing.
 */
function hostAllowed(req: IncomingMessage, boundHost: string): boolean {
  if (!LOOPBACK.test(boundHost)) return true;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return LOOPBACK.test(host);
}

async function handle(lake: LakeReaders, queue: { last: Promise<unknown> }, boundHost: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, 'strata serve is read-only: only GET and HEAD.', { allow: 'GET, HEAD' });
    return;
  }
  if (!hostAllowed(req, boundHost)) {
    sendError(res, 421, `strata serve answers requests to this machine only, not to host '${req.headers.host ?? ''}'.`);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname.startsWith('/api/') || url.pathname === '/api') {
    const segments = segmentsOf(url.pathname);
    if (segments === null) {
      sendError(res, 404, `no API route ${url.pathname}.`);
      return;
    }
    // One DuckDB connection behind the view: API calls take turns.
    const answer = queue.last.then(() => answerApi(lake, segments.slice(1), url.searchParams));
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

/** Why the server could not listen, as a sentence that says what to do. */
function listenError(error: NodeJS.ErrnoException, options: ServeOptions): unknown {
  const where = `${options.host}:${options.port}`;
  const context = { host: options.host, port: options.port };
  if (error.code === 'EADDRINUSE') {
    return new StrataError('config', `port ${options.port} on ${options.host} is already in use (another strata serve?): stop what holds it, or pass --port with another number (--port 0 picks a free one)`, context, { cause: error });
  }
  if (error.code === 'EACCES') {
    return new StrataError('config', `this user may not listen on ${where} (ports below 1024 need privileges): pass --port with a number from 1024 up`, context, { cause: error });
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
    return new StrataError('config', `cannot listen on host ${options.host}: it is not an address of this machine (--host 127.0.0.1 is the default)`, context, { cause: error });
  }
  return error;
}

/** Starts listening; port 0 picks a free port (tests). */
export async function startServer(lake: LakeReaders, options: ServeOptions): Promise<RunningServer> {
  const queue = { last: Promise.resolve() as Promise<unknown> };
  const server = createServer((req, res) => {
    handle(lake, queue, options.host, req, res).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) sendError(res, 500, `strata could not answer: ${(error as Error).message}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, options)));
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
