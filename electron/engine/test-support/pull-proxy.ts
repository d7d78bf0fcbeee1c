import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobServiceClient, StorageSharedKeyCredential, type BlobHTTPHeaders } from '@azure/storage-blob';

/**
 * Azurite 3.35 answers Put Blob From URL and Put Block From URL with 501 NotImplemented (BlockBlobHandler
 * putBlobFromUrl / stageBlockFromURL), and its Copy Blob accepts only sources in the same instance. This loopback
 * proxy stands in front of Azurite and does what Azure does for those two requests: it GETs the x-ms-copy-source
 * URL (with x-ms-source-range), checks x-ms-source-content-md5, and writes the bytes into Azurite (Put Blob / Put
 * Block with the request's headers and metadata); every other request passes through unchanged. So a test sees
 * the exact requests the provider sent, and the source link is proven usable by a third party. The proxy does not
 * check the request's own signature (Azurite checks every request it forwards).
 */
export interface PullRequestSeen {
  op: 'put-blob-from-url' | 'put-block-from-url';
  /** x-ms-copy-source as sent. */
  source: string;
  range?: string;
  sourceMd5?: string;
  /** HTTP status of the proxy's own GET of the source. */
  sourceStatus: number;
}

export interface PullProxy {
  /** Blob service URL through the proxy, including the account (as AzuriteHandle.endpoint). */
  endpoint: string;
  seen: PullRequestSeen[];
  /** Every request in the order it came, the From-URL ones included: method and path (the query left out). */
  passed: Array<{ method: string; path: string }>;
  /** The most From-URL requests that were being answered at once. */
  readonly peakFromUrl: number;
  /** The next this many From-URL requests are refused as Azure does when it cannot read the source. */
  refuse: number;
  /** Each From-URL request waits this long before fetching (to cancel one in flight). */
  holdMs: number;
  reset(): void;
  close(): Promise<void>;
}

function errorXml(res: http.ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code, 'content-length': Buffer.byteLength(body) }).end(body);
}

/** x-ms-meta-* with the names as sent (node lowercases req.headers). */
function metadataOf(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (/^x-ms-meta-/i.test(name)) out[name.slice('x-ms-meta-'.length)] = raw[i + 1] ?? '';
  }
  return out;
}

/** What the stand-in read from a source link: the status and the whole body. */
export interface SourceRead {
  status: number;
  body: Buffer;
}
export type FetchSource = (url: string, range: string | undefined) => Promise<SourceRead>;

async function fetchSource(url: string, range: string | undefined): Promise<SourceRead> {
  const got = await fetch(url, range ? { headers: { range } } : {});
  return { status: got.status, body: Buffer.from(await got.arrayBuffer()) };
}

/** `fetchSource`: how the stand-in reads a source link (default: fetch), e.g. over another network path. */
export async function startPullProxy(azurite: { endpoint: string; accountName: string; accountKey: string }, options: { fetchSource?: FetchSource } = {}): Promise<PullProxy> {
  const upstream = new URL(azurite.endpoint);
  const sdk = new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const state = { seen: [] as PullRequestSeen[], passed: [] as Array<{ method: string; path: string }>, refuse: 0, holdMs: 0, fromUrl: 0, peakFromUrl: 0 };

  const fromUrl = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, op: PullRequestSeen['op']): Promise<void> => {
    req.resume();
    const source = String(req.headers['x-ms-copy-source']);
    const range = req.headers['x-ms-source-range'] as string | undefined;
    const sourceMd5 = req.headers['x-ms-source-content-md5'] as string | undefined;
    if (state.holdMs > 0) await new Promise((r) => setTimeout(r, state.holdMs));
    if (res.destroyed || req.socket.destroyed) return;
    if (state.refuse > 0) {
      state.refuse--;
      state.seen.push({ op, source, ...(range ? { range } : {}), ...(sourceMd5 ? { sourceMd5 } : {}), sourceStatus: 0 });
      errorXml(res, 403, 'CannotVerifyCopySource', 'This request is not authorized to perform this operation.');
      return;
    }
    const { status, body } = await (options.fetchSource ?? fetchSource)(source, range);
    state.seen.push({ op, source, ...(range ? { range } : {}), ...(sourceMd5 ? { sourceMd5 } : {}), sourceStatus: status });
    if (status < 200 || status > 299) {
      errorXml(res, status, 'CannotVerifyCopySource', `The source answered ${status}.`);
      return;
    }
    // Azure hashes what it fetched when it is to check an MD5 or to answer a whole blob's Content-MD5; a block
    // without x-ms-source-content-md5 is taken by its length.
    const md5 = sourceMd5 !== undefined || op === 'put-blob-from-url' ? createHash('md5').update(body).digest('base64') : undefined;
    if (sourceMd5 !== undefined && sourceMd5 !== md5) {
      errorXml(res, 400, 'Md5Mismatch', 'The MD5 value specified in the request did not match with the MD5 value calculated by the server.');
      return;
    }
    if (res.destroyed || req.socket.destroyed) return;
    // /account/container/blob…
    const [, container = '', ...blob] = url.pathname.split('/').filter((p, i) => i > 0 || p !== '');
    const client = sdk.getContainerClient(decodeURIComponent(container)).getBlockBlobClient(blob.map(decodeURIComponent).join('/'));
    try {
      if (op === 'put-block-from-url') {
        await client.stageBlock(url.searchParams.get('blockid') ?? '', body, body.length);
        res.writeHead(201, { 'x-ms-request-id': 'pull-proxy', 'x-ms-version': '2025-01-05', 'x-ms-request-server-encrypted': 'true', 'content-length': 0 }).end();
        return;
      }
      const h = req.headers;
      const headers: BlobHTTPHeaders = {};
      if (h['x-ms-blob-content-type']) headers.blobContentType = String(h['x-ms-blob-content-type']);
      if (h['x-ms-blob-cache-control']) headers.blobCacheControl = String(h['x-ms-blob-cache-control']);
      if (h['x-ms-blob-content-disposition']) headers.blobContentDisposition = String(h['x-ms-blob-content-disposition']);
      if (h['x-ms-blob-content-encoding']) headers.blobContentEncoding = String(h['x-ms-blob-content-encoding']);
      if (h['x-ms-blob-content-language']) headers.blobContentLanguage = String(h['x-ms-blob-content-language']);
      if (h['x-ms-blob-content-md5']) headers.blobContentMD5 = Buffer.from(String(h['x-ms-blob-content-md5']), 'base64');
      const tier = h['x-ms-access-tier'] ? String(h['x-ms-access-tier']) : undefined;
      const out = await client.upload(body, body.length, { blobHTTPHeaders: headers, metadata: metadataOf(req.rawHeaders), ...(tier ? { tier } : {}) });
      res
        .writeHead(201, {
          etag: out.etag ?? '',
          'last-modified': out.lastModified?.toUTCString() ?? new Date().toUTCString(),
          'content-md5': md5 ?? '',
          'x-ms-request-id': 'pull-proxy',
          'x-ms-version': '2025-01-05',
          'x-ms-request-server-encrypted': 'true',
          'content-length': 0,
        })
        .end();
    } catch (e) {
      const err = e as { statusCode?: number; code?: string };
      errorXml(res, err.statusCode ?? 500, err.code ?? 'InternalError', 'Azurite refused the write.');
    }
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://proxy');
    state.passed.push({ method, path: url.pathname });
    const copySource = req.headers['x-ms-copy-source'];
    const sync = req.headers['x-ms-requires-sync'];
    if (method === 'PUT' && copySource !== undefined && sync === undefined) {
      const comp = url.searchParams.get('comp');
      const op = comp === 'block' ? 'put-block-from-url' : comp === null && req.headers['x-ms-blob-type'] === 'BlockBlob' ? 'put-blob-from-url' : undefined;
      if (op) {
        state.peakFromUrl = Math.max(state.peakFromUrl, ++state.fromUrl);
        res.on('close', () => state.fromUrl--);
        fromUrl(req, res, url, op).catch(() => errorXml(res, 500, 'InternalError', 'pull proxy failure'));
        return;
      }
    }
    const out = http.request({ host: upstream.hostname, port: upstream.port, method, path: req.url, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.socket?.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${upstream.pathname}`,
    get seen() {
      return state.seen;
    },
    get passed() {
      return state.passed;
    },
    get peakFromUrl() {
      return state.peakFromUrl;
    },
    get refuse() {
      return state.refuse;
    },
    set refuse(n: number) {
      state.refuse = n;
    },
    get holdMs() {
      return state.holdMs;
    },
    set holdMs(ms: number) {
      state.holdMs = ms;
    },
    reset: () => {
      state.seen = [];
      state.passed = [];
      state.peakFromUrl = 0;
      state.refuse = 0;
      state.holdMs = 0;
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
