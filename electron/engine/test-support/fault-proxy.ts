import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * A loopback HTTP proxy to put between a provider and its emulator, injecting the faults a real network has:
 * a connection dropped mid-body, 503 or 429 answers with Retry-After, a corrupted byte, a slow link, added latency,
 * a connection that goes silent. Every fault is bounded by a count so a test always ends; bodies are streamed,
 * never buffered. It also records how many requests it held at once (peakInFlight, requests[].inFlight).
 */
export interface FaultRule {
  /** Which requests the rule applies to (default: all); headers as Node gives them (lowercase names). */
  match?: (method: string, url: string, headers: http.IncomingHttpHeaders) => boolean;
  /** How many matching requests it hits, then it is spent. */
  times: number;
  fault:
    | { kind: 'drop-response'; afterBytes: number }
    | { kind: 'status'; status: 503 | 429 | 500 | 501; retryAfterSeconds?: number }
    | { kind: 'corrupt-response'; atByte: number }
    | { kind: 'slow-response'; bytesPerSecond: number }
    /** Sends the first bytes of the body, then nothing more on an open connection (a silent, dead peer). */
    | { kind: 'stall-response'; afterBytes: number }
    /** Takes the first bytes of the request body, then reads nothing more and never answers. */
    | { kind: 'stall-request'; afterBytes: number }
    /**
     * Takes the whole request body, then passes the request on after `ms`, whether or not the client is still
     * there: bytes already on their way still reach the service after the client gave up (held in memory).
     */
    | { kind: 'delay-request'; ms: number }
    /** Passes the request on after `ms`, streamed: a link with that much more latency. */
    | { kind: 'latency'; ms: number };
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT, to use as the provider's endpoint. */
  endpoint: string;
  /** Faults that actually fired, by kind. */
  fired: Record<string, number>;
  /**
   * Every request passed on or answered, in order (method and path with query), to count what a client sent, with
   * how many requests were at the proxy when it arrived (itself included) and its Range header if any.
   */
  requests: Array<{ method: string; url: string; inFlight: number; range?: string }>;
  /** The most requests at the proxy at once since the start or the last reset. */
  peakInFlight(): number;
  add(rule: FaultRule): void;
  /** Forgets every rule and count (between tests). */
  reset(): void;
  /** Resolves once every request taken by a delay-request fault so far has been answered upstream (or failed). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const SLOW_DOWN_XML = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
/** What S3 answers for a header asking for something the store does not do. */
const NOT_IMPLEMENTED_XML = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented</Message></Error>';

function bodyTransform(fault: FaultRule['fault'], onFire: () => void, kill: () => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback) {
      const start = seen;
      seen += chunk.length;
      if (fault.kind === 'drop-response' && seen > fault.afterBytes) {
        this.push(chunk.subarray(0, Math.max(0, fault.afterBytes - start)));
        onFire();
        kill();
        cb();
        return;
      }
      if (fault.kind === 'stall-response' && seen > fault.afterBytes) {
        if (start <= fault.afterBytes) {
          this.push(chunk.subarray(0, Math.max(0, fault.afterBytes - start)));
          onFire();
        }
        // Never calls back: the upstream is held by backpressure and the client hears nothing more, until it
        // gives up and closes (or the proxy closes).
        return;
      }
      if (fault.kind === 'corrupt-response' && fault.atByte >= start && fault.atByte < seen) {
        const copy = Buffer.from(chunk);
        copy[fault.atByte - start] = (copy[fault.atByte - start] ?? 0) ^ 0x01;
        onFire();
        cb(null, copy);
        return;
      }
      if (fault.kind === 'slow-response') {
        setTimeout(() => cb(null, chunk), (chunk.length / fault.bytesPerSecond) * 1000);
        return;
      }
      cb(null, chunk);
    },
  });
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules: FaultRule[] = [];
  const fired: Record<string, number> = {};
  const requests: FaultProxy['requests'] = [];
  let inFlight = 0;
  let peak = 0;
  const fire = (kind: string): void => {
    fired[kind] = (fired[kind] ?? 0) + 1;
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  // Delayed requests from the moment they are taken until the service answered them (or the call failed).
  const delayed = new Set<Promise<void>>();

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    inFlight++;
    peak = Math.max(peak, inFlight);
    res.once('close', () => inFlight--);
    const range = req.headers.range;
    requests.push({ method, url, inFlight, ...(range === undefined ? {} : { range }) });
    const rule = rules.find((r) => r.times > 0 && (r.match?.(method, url, req.headers) ?? true));
    if (rule) rule.times--;
    const fault = rule?.fault;
    if (fault?.kind === 'latency') {
      fire('latency');
      req.pause();
      setTimeout(() => forward(req, res, undefined), fault.ms);
      return;
    }
    if (fault?.kind === 'status') {
      fire('status');
      req.resume();
      const body = fault.status === 501 ? NOT_IMPLEMENTED_XML : SLOW_DOWN_XML;
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      res.writeHead(fault.status, headers).end(body);
      return;
    }
    if (fault?.kind === 'stall-request') {
      let seen = 0;
      const onData = (chunk: Buffer): void => {
        seen += chunk.length;
        if (seen <= fault.afterBytes) return;
        req.off('data', onData);
        req.pause();
        fire('stall-request');
      };
      req.on('data', onData);
      return;
    }
    if (fault?.kind === 'delay-request') {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.once('end', () => {
        fire('delay-request');
        const call = new Promise<void>((resolve) => {
          setTimeout(() => {
            const out = http.request({ host: upstream.hostname, port: upstream.port, method, path: url, headers: req.headers, agent }, (up) => {
              up.once('end', resolve);
              if (res.destroyed) {
                up.resume();
                return;
              }
              res.writeHead(up.statusCode ?? 502, up.headers);
              up.pipe(res);
            });
            out.on('error', () => {
              res.socket?.destroy();
              resolve();
            });
            out.end(Buffer.concat(body));
          }, fault.ms);
        }).finally(() => delayed.delete(call));
        delayed.add(call);
      });
      return;
    }
    forward(req, res, fault);
  });
  /** Passes the request on to the service, the response through the fault's body transform if any. */
  function forward(req: http.IncomingMessage, res: http.ServerResponse, fault: FaultRule['fault'] | undefined): void {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method, path: url, headers: req.headers, agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!fault || (up.statusCode ?? 500) >= 300) {
          up.pipe(res);
          return;
        }
        const t = bodyTransform(fault, () => fire(fault.kind), () => {
          // Cut the client's connection mid-body, as a dying endpoint does.
          up.destroy();
          res.socket?.destroy();
        });
        res.on('close', () => up.destroy());
        up.pipe(t).pipe(res);
      },
    );
    out.on('error', () => res.socket?.destroy());
    req.pipe(out);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    fired,
    requests,
    peakInFlight: () => peak,
    add: (rule) => rules.push(rule),
    reset: () => {
      rules.length = 0;
      for (const k of Object.keys(fired)) delete fired[k];
      requests.length = 0;
      peak = inFlight;
    },
    settled: async () => {
      while (delayed.size > 0) await Promise.all([...delayed]);
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
