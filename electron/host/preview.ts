import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { toErrorInfo } from '../../shared/errors';
import type { ByteRange, Engine, PreviewBody } from '../engine/dispatch';
import { createLogger } from '../engine/log';

const log = createLogger('host.preview');

/** `/preview/<id>`: the id of a link made by `objects:preview` (base64url), or null for any other path. */
export function previewId(pathname: string): string | null {
  const m = /^\/preview\/([A-Za-z0-9_-]{16,128})$/.exec(pathname);
  return m?.[1] ?? null;
}

/** One `bytes=a-b` or `bytes=a-` range; suffix ranges and lists are answered whole (a 200 is always allowed). */
export function parseRange(header: string | undefined): ByteRange | undefined {
  const m = header ? /^bytes=(\d+)-(\d*)$/.exec(header.trim()) : null;
  if (!m?.[1]) return undefined;
  const start = Number(m[1]);
  return m[2] ? { start, end: Number(m[2]) } : { start };
}

/**
 * The headers of a preview answer. The bytes are shown inside the app's own page (an <img>, <video>, or a
 * sandboxed <iframe>), so framing is allowed for this origin only, the type is never sniffed, and everything but a
 * PDF (whose viewer a sandbox would block) is served with a sandboxing CSP: an SVG or a text file that holds
 * markup runs no script even when opened on its own.
 */
export function previewHeaders(p: Pick<PreviewBody, 'contentType' | 'start' | 'end' | 'total' | 'partial' | 'pdf'>): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': p.contentType,
    'content-length': String(p.end - p.start + 1),
    'accept-ranges': 'bytes',
    'cache-control': 'no-store',
    'content-disposition': 'inline',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'content-security-policy': p.pdf
      ? "default-src 'none'; frame-ancestors 'self'"
      : "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'",
  };
  if (p.partial) headers['content-range'] = `bytes ${p.start}-${p.end}/${p.total}`;
  return headers;
}

/** Serves a preview link's bytes on the served host; an unknown or expired id is a 404. */
export async function servePreview(engine: Engine, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  let body: PreviewBody | null;
  try {
    body = engine.openPreview ? await engine.openPreview(id, parseRange(req.headers.range), abort.signal) : null;
  } catch (e) {
    const info = toErrorInfo(e);
    res.writeHead(info.code === 'invalid_input' ? 416 : 502, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(info.message);
    return;
  }
  if (!body) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('This preview link has expired. Open the preview again.');
    return;
  }
  res.writeHead(body.partial ? 206 : 200, previewHeaders(body));
  if (req.method === 'HEAD') {
    body.body.destroy();
    res.end();
    return;
  }
  try {
    await pipeline(body.body, res);
  } catch (e) {
    // A closed tab or a seek abandons the read: nothing to report.
    if (!abort.signal.aborted) log.warn(`preview read failed: ${toErrorInfo(e).message}`);
  }
}
