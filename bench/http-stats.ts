import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

/** Per kind of request (host port, method, and the query's verb such as `comp=block`): how many, and their time. */
export type HttpStats = Record<string, { count: number; totalMs: number; maxMs: number }>;

function kindOf(req: ClientRequest): string {
  const host = String(req.getHeader('host') ?? req.host);
  const [pathname = '', query = ''] = req.path.split('?');
  // Name the operation, not the object: Azure's comp=/restype=, S3's uploads/partNumber, the rest by method only.
  const op = query
    .split('&')
    .map((p) => p.split('=')[0] ?? '')
    .filter((k) => ['comp', 'restype', 'uploads', 'uploadId', 'partNumber', 'list-type'].includes(k))
    .sort()
    .join('&');
  const depth = pathname.split('/').filter(Boolean).length;
  return `${host} ${req.method} ${op || (depth <= 2 ? 'bucket' : 'object')}`;
}

/**
 * Times every HTTP request the process makes, from Node's own diagnostics channels (no SDK is touched): enough
 * to see how many round trips a copy costs per file and where the time goes.
 */
export function collectHttpStats(): () => HttpStats {
  const started = new WeakMap<ClientRequest, number>();
  const stats: HttpStats = {};
  subscribe('http.client.request.start', (message) => {
    const { request } = message as { request: ClientRequest };
    started.set(request, performance.now());
  });
  const end = (request: ClientRequest): void => {
    const t = started.get(request);
    if (t === undefined) return;
    started.delete(request);
    const ms = performance.now() - t;
    const k = kindOf(request);
    const s = (stats[k] ??= { count: 0, totalMs: 0, maxMs: 0 });
    s.count++;
    s.totalMs += ms;
    s.maxMs = Math.max(s.maxMs, ms);
  };
  subscribe('http.client.response.finish', (message) => {
    const { request } = message as { request: ClientRequest; response: IncomingMessage };
    end(request);
  });
  return () => stats;
}
