import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A local stand-in for a cloud's transfer API (Storage Transfer Service's REST surface, DataSync's JSON 1.1
 * protocol, ARM): it answers only the requests its routes describe, written from the services' published API
 * shapes (method, path, the body fields the service requires), and records every other request as a failure the
 * test asserts on. It proves what an SDK sends and how Skyferry reads the answers, not how the real service behaves.
 */
export interface StandInRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  match: RegExpExecArray;
}

export interface StandInReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface StandInRoute {
  /** The API operation this answers, for failure messages and `calls`. */
  name: string;
  method: string;
  path: RegExp;
  /** Header values that select the route (DataSync's X-Amz-Target). */
  headers?: Record<string, string>;
  /** Dotted paths of body fields the service requires (`transferJob.transferSpec.gcsDataSink.bucketName`). */
  required?: string[];
  /** Query parameters the service requires (ARM's `api-version`). */
  query?: string[];
  respond(req: StandInRequest): StandInReply;
}

function fieldAt(body: unknown, dotted: string): unknown {
  let v: unknown = body;
  for (const part of dotted.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export class TransferStandIn {
  /** Requests that matched no route or lacked a required field: a test expects this to stay empty. */
  readonly failures: string[] = [];
  /** The operations answered, in order. */
  readonly calls: { name: string; body: Record<string, unknown>; query: URLSearchParams }[] = [];
  private server: Server | TlsServer | undefined;
  private routes: StandInRoute[] = [];

  /** With `tls`, it serves HTTPS (Azure's bearer-token policy refuses to send a token over plain HTTP). */
  constructor(
    routes: StandInRoute[],
    private readonly tls?: { key: string; cert: string },
  ) {
    this.routes = routes;
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    if (!addr) throw new Error('The stand-in is not started');
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${addr.port}`;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** The names of the operations called, in order. */
  names(): string[] {
    return this.calls.map((c) => c.name);
  }

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://stand-in');
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        if (text) {
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            this.failures.push(`${req.method} ${url.pathname}: the body is not JSON`);
          }
        }
        const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
          const out = payload === undefined || status === 204 ? '' : JSON.stringify(payload);
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(out);
        };
        const method = req.method ?? 'GET';
        const route = this.routes.find(
          (r) => r.method === method && r.path.test(url.pathname) && Object.entries(r.headers ?? {}).every(([h, v]) => String(req.headers[h.toLowerCase()] ?? '').toLowerCase() === v.toLowerCase()),
        );
        if (!route) {
          const target = req.headers['x-amz-target'];
          this.failures.push(`no route for ${method} ${url.pathname}${target ? ` (${String(target)})` : ''}`);
          send(404, { error: { code: 404, message: 'The stand-in has no such operation', status: 'NOT_FOUND' } });
          return;
        }
        const missing = [
          ...(route.required ?? []).filter((f) => {
            const v = fieldAt(body, f);
            return v === undefined || v === null || v === '';
          }),
          ...(route.query ?? []).filter((q) => !url.searchParams.get(q)).map((q) => `?${q}`),
        ];
        if (missing.length > 0) {
          this.failures.push(`${route.name}: missing ${missing.join(', ')}`);
          send(400, { error: { code: 400, message: `Missing ${missing.join(', ')}`, status: 'INVALID_ARGUMENT' }, __type: 'InvalidRequestException', message: `Missing ${missing.join(', ')}` });
          return;
        }
        const match = route.path.exec(url.pathname) as RegExpExecArray;
        this.calls.push({ name: route.name, body, query: url.searchParams });
        try {
          const reply = route.respond({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body, match });
          const status = reply.status ?? 200;
          send(status, 'body' in reply ? reply.body : status === 202 || status === 204 ? undefined : {}, reply.headers);
        } catch (e) {
          this.failures.push(`${route.name}: the stand-in threw ${(e as Error).message}`);
          send(500, { error: { code: 500, message: 'stand-in error' } });
        }
      });
    };
    this.server = this.tls ? createTlsServer({ key: this.tls.key, cert: this.tls.cert }, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** A throwaway self-signed certificate for 127.0.0.1 (made with the openssl command), for an HTTPS stand-in. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'skyferry-standin-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
