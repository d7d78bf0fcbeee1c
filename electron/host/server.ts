import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { toErrorInfo } from '../../shared/errors';
import type { Engine } from '../engine/dispatch';
import { createLogger, registerSecret } from '../engine/log';
import { hasPageKey, hostAllowed, newToken, originAllowed, pageCookie, tokenSource } from './auth';
import { contentSecurityPolicy } from './csp';
import { previewId, servePreview } from './preview';
import { serveStatic } from './static';
import { DEFAULT_MAX_UPLOAD_BYTES, UploadStaging } from './upload';
import { bridgeSocket } from './ws-bridge';

const log = createLogger('host');

export interface ServerOptions {
  engine: Engine;
  dataDir: string;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** Tests may fix the token; otherwise a fresh random one per run. */
  token?: string;
  maxUploadBytes?: number;
  /** Tests lower these; see DEFAULT_TIMEOUTS. */
  timeouts?: Partial<HostTimeouts>;
}

export interface HostTimeouts {
  /** How long a request may take to send its headers (a slow-headers client holds no socket for ever). */
  headersMs: number;
  /** How long a connection may stay silent, mid-upload included, before it is closed. */
  idleMs: number;
}

/**
 * No limit on a request's total time: a browser upload of many GB over a slow link takes hours, and Node's default
 * `requestTimeout` (300 s) would cut it. What is bounded instead is silence: headers that never finish, and a
 * connection (an upload whose sender stalled) that sends nothing for two minutes.
 */
export const DEFAULT_TIMEOUTS: HostTimeouts = { headersMs: 60_000, idleMs: 120_000 };

export interface RunningServer {
  /** http://127.0.0.1:PORT/?token=… : the only way in. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_WS_MESSAGE = 4 * 1024 * 1024;

/**
 * The browser-served host: the engine over HTTP + WebSocket on 127.0.0.1 only. The WebSocket and the uploads need
 * the per-run token, which the page sends itself; the page and its assets need the token or the page-key cookie
 * set on the first load (see auth.ts). Host headers other than our own are refused (DNS rebinding), and so are
 * WebSocket upgrades from another Origin.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const pageKey = newToken();
  registerSecret(token);
  registerSecret(pageKey);
  const staging = new UploadStaging(path.join(options.dataDir, 'staging'), options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES);
  await staging.reset();

  let port = 0;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE });
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const server = http.createServer({
    requestTimeout: 0,
    headersTimeout: timeouts.headersMs,
    // Node checks the headers limit on this period (30 s by default): half the limit keeps a short one honest.
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(timeouts.headersMs / 2))),
  });
  server.setTimeout(timeouts.idleMs);

  const securityHeaders = (): Record<string, string> => ({
    'content-security-policy': contentSecurityPolicy({ connectSrc: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] }),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // The token sits in the first URL: never let it leave in a Referer.
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  });

  const refuse = (res: ServerResponse, status: number, message: string): void => {
    res.writeHead(status, { ...securityHeaders(), 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ ok: false, error: { code: status === 401 || status === 403 ? 'access_denied' : 'invalid_input', message } }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req, port)) return refuse(res, 403, 'This server answers only to 127.0.0.1 and localhost.');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const source = tokenSource(req, url, token);
    const engineRequest = url.pathname.startsWith('/api/') || url.pathname === '/ws';
    if (!source && (engineRequest || !hasPageKey(req, port, pageKey))) {
      return refuse(res, 401, 'Open Skyferry with the URL it printed (it carries a per-run token).');
    }
    for (const [k, v] of Object.entries(securityHeaders())) res.setHeader(k, v);
    if (source === 'query' && !engineRequest) res.setHeader('set-cookie', pageCookie(port, pageKey));

    if (url.pathname === '/api/upload') {
      if (req.method !== 'POST') return refuse(res, 405, 'Use POST to upload.');
      try {
        const staged = await staging.receive(req, url);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(JSON.stringify(staged));
      } catch (e) {
        const error = toErrorInfo(e);
        log.warn(`upload refused: ${error.message}`);
        // Whatever is left of the body is not ours to read: close the connection after answering.
        res.writeHead(error.code === 'fatal' ? 500 : 400, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
        res.end(JSON.stringify({ ok: false, error }));
      }
      return;
    }
    if (engineRequest) return refuse(res, 404, 'No such endpoint.');
    const preview = previewId(url.pathname);
    if (preview) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
      return servePreview(options.engine, preview, req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
    await serveStatic(options.rendererDir, url.pathname, res, req.method === 'HEAD');
  };

  server.on('request', (req, res) => {
    handle(req, res).catch((e: unknown) => {
      log.error('request failed', e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const deny = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req, port)) return deny('403 Forbidden');
    if (!tokenSource(req, url, token)) return deny('401 Unauthorized');
    if (!originAllowed(req, port)) return deny('403 Forbidden');
    if (url.pathname !== '/ws') return deny('404 Not Found');
    // A page's socket may be quiet for hours between jobs: the idle limit is for HTTP requests only.
    socket.setTimeout(0);
    wss.handleUpgrade(req, socket, head, (ws) => bridgeSocket(ws, options.engine));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  log.info(`listening on 127.0.0.1:${port}`);

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const ws of wss.clients) ws.close(1001, 'Skyferry is shutting down');
      wss.close();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Lingering keep-alive or upload connections must not hold the shutdown.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
    })();
    return closing;
  };

  return { url: `http://127.0.0.1:${port}/?token=${token}`, port, token, close };
}
