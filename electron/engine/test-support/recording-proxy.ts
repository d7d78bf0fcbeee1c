import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy that forwards every request unchanged (headers included, so S3 signatures still verify)
 * to one upstream and records its method and path: the proof that planning sends the destination reads only.
 */
export interface RecordingProxy {
  /** http://127.0.0.1:PORT: use as the account's endpoint. */
  endpoint: string;
  /** `authorization`: the header as sent (tests of bearer-token accounts check it arrived). */
  requests: Array<{ method: string; path: string; authorization?: string }>;
  /** Body bytes through the proxy so far: sent to the upstream (up) and answered by it (down). */
  bytes: { up: number; down: number };
  close(): Promise<void>;
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const requests: RecordingProxy['requests'] = [];
  const bytes = { up: 0, down: 0 };
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const out = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.on('data', (chunk: Buffer) => (bytes.down += chunk.length));
        up.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.on('data', (chunk: Buffer) => (bytes.up += chunk.length));
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    bytes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
