import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../../../shared/errors';
import { IMAGE_PREVIEW_MAX_BYTES, previewKindOf, TEXT_PREVIEW_MAX_BYTES, type PreviewInfo, type PreviewKind } from '../../../shared/preview';
import type { EngineContext } from '../context';
import type { ByteRange, Handler, PreviewBody } from '../dispatch';

/** A link stays usable this long after its last read (a video keeps reading ranges while it plays)… */
const IDLE_MS = 10 * 60_000;
/** …and never longer than this after it was made. */
const MAX_LIFE_MS = 60 * 60_000;
/** Links kept at once; the oldest goes first. */
const MAX_LINKS = 64;

interface Link {
  uri: string;
  contentType: string;
  kind: PreviewKind;
  size: number;
  etag?: string;
  made: number;
  used: number;
}

export interface PreviewHandlers {
  'objects:preview': Handler<'objects:preview'>;
}

function describeSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/**
 * Previews of objects through short-lived links that the engine serves itself (`/preview/<id>` on the served host
 * and the desktop's app scheme): one way for every provider (local folders have no URLs, and a provider's signed
 * URL would be another origin that the renderer's CSP refuses), and no credential or provider URL reaches the
 * renderer. An id is 32 random bytes naming one object; it expires when idle and after an hour at most.
 */
export function createPreviews(ctx: Pick<EngineContext, 'providers'>, now: () => number = Date.now) {
  const links = new Map<string, Link>();

  const live = (id: string): Link | undefined => {
    const link = links.get(id);
    if (!link) return undefined;
    const t = now();
    if (t - link.used > IDLE_MS || t - link.made > MAX_LIFE_MS) {
      links.delete(id);
      return undefined;
    }
    link.used = t;
    return link;
  };

  const handlers: PreviewHandlers = {
    'objects:preview': async ({ uri }, { signal }) => {
      const { provider, location } = ctx.providers.resolve(uri);
      if (!location.bucket || !location.key || location.key.endsWith('/')) throw new InvalidInputError(`${uri} is not a file: choose a file to preview`);
      const meta = await provider.stat(location.bucket, location.key, signal);
      const base = { size: meta.size, ...(meta.modified ? { modified: meta.modified } : {}), ...(meta.storageClass ? { storageClass: meta.storageClass } : {}) };
      const how = previewKindOf(location.key, meta.contentType);
      const limit = how.kind === 'text' ? TEXT_PREVIEW_MAX_BYTES : how.kind === 'image' ? IMAGE_PREVIEW_MAX_BYTES : Infinity;
      if (how.kind === 'none') {
        return { ...base, kind: 'none', contentType: meta.contentType ?? 'application/octet-stream', reason: 'There is no preview for this type of file.' } satisfies PreviewInfo;
      }
      if (meta.size > limit) {
        return { ...base, kind: 'none', contentType: meta.contentType ?? how.contentType, reason: `This file is too large to preview (more than ${describeSize(limit)}).` } satisfies PreviewInfo;
      }
      for (const [id] of links) {
        if (links.size < MAX_LINKS) break;
        links.delete(id);
      }
      const id = randomBytes(32).toString('base64url');
      const t = now();
      links.set(id, { uri, contentType: how.contentType, kind: how.kind, size: meta.size, ...(meta.etag ? { etag: meta.etag } : {}), made: t, used: t });
      return {
        ...base,
        kind: how.kind,
        contentType: how.contentType,
        url: `/preview/${id}`,
        expires: new Date(t + IDLE_MS).toISOString(),
        ...(how.language ? { language: how.language } : {}),
      } satisfies PreviewInfo;
    },
  };

  /** The bytes of a live link, or null; a range is clamped to the object, and one that starts past its end is refused. */
  const open = async (id: string, range: ByteRange | undefined, signal: AbortSignal): Promise<PreviewBody | null> => {
    const link = live(id);
    if (!link) return null;
    const { provider, location } = ctx.providers.resolve(link.uri);
    const total = link.size;
    const start = range?.start ?? 0;
    if (range && (start >= total || (range.end !== undefined && range.end < start))) throw new InvalidInputError(`Range ${start}-${range.end ?? ''} is outside the object (${total} bytes)`);
    const end = Math.min(range?.end ?? total - 1, total - 1);
    const length = Math.max(0, end - start + 1);
    const body = await provider.open(location.bucket, location.key, { offset: start, length, signal, ...(link.etag && provider.features.conditionalRead ? { ifMatch: link.etag } : {}) });
    return { body, contentType: link.contentType, start, end, total, partial: range !== undefined, pdf: link.kind === 'pdf' };
  };

  return { handlers, open };
}
