import { z } from 'zod';

/** What a preview shows: `none` means details and Download only (unknown type, or too large to show). */
export const PreviewKindSchema = z.enum(['image', 'text', 'pdf', 'audio', 'video', 'none']);
export type PreviewKind = z.infer<typeof PreviewKindSchema>;

/** Text and code above this are not previewed: the details and Download are shown instead. */
export const TEXT_PREVIEW_MAX_BYTES = 2 * 1024 * 1024;
/** Images above this are not previewed (a browser decodes the whole image in memory). */
export const IMAGE_PREVIEW_MAX_BYTES = 64 * 1024 * 1024;

export const PreviewInfoSchema = z.object({
  kind: PreviewKindSchema,
  /** The type the link serves the bytes as (text is always text/plain, whatever the object says). */
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  modified: z.string().optional(),
  storageClass: z.string().optional(),
  /** Same-origin path, `/preview/<id>`; absent when `kind` is `none`. */
  url: z.string().optional(),
  /** When the link stops working (it is renewed while it is being read). */
  expires: z.string().optional(),
  /** Why there is no preview, in words, when `kind` is `none`. */
  reason: z.string().optional(),
  /** A language name highlight.js knows, for text that is code. */
  language: z.string().optional(),
});
export type PreviewInfo = z.infer<typeof PreviewInfoSchema>;

const IMAGE: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif',
  bmp: 'image/bmp', ico: 'image/x-icon', svg: 'image/svg+xml',
};
const AUDIO: Record<string, string> = { mp3: 'audio/mpeg', m4a: 'audio/mp4', aac: 'audio/aac', wav: 'audio/wav', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg', flac: 'audio/flac' };
const VIDEO: Record<string, string> = { mp4: 'video/mp4', m4v: 'video/mp4', webm: 'video/webm', ogv: 'video/ogg', mov: 'video/quicktime' };
/** Text by extension, with the highlight.js language for code (empty: plain text). */
const TEXT: Record<string, string> = {
  txt: '', log: '', text: '', md: 'markdown', markdown: 'markdown', csv: '', tsv: '', json: 'json', jsonl: 'json', ndjson: 'json',
  yaml: 'yaml', yml: 'yaml', toml: 'ini', ini: 'ini', cfg: 'ini', conf: 'ini', env: 'bash', xml: 'xml', html: 'xml', htm: 'xml',
  css: 'css', scss: 'scss', js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript', ts: 'typescript',
  tsx: 'typescript', py: 'python', rb: 'ruby', go: 'go', rs: 'rust', java: 'java', kt: 'kotlin', swift: 'swift', c: 'c', h: 'c',
  cc: 'cpp', cpp: 'cpp', hpp: 'cpp', cs: 'csharp', php: 'php', sh: 'bash', bash: 'bash', zsh: 'bash', ps1: 'powershell',
  sql: 'sql', r: 'r', lua: 'lua', pl: 'perl', dockerfile: 'dockerfile', makefile: 'makefile', gitignore: '', diff: 'diff', patch: 'diff',
};

function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot === -1 ? base : base.slice(dot + 1);
}

/**
 * How to preview an object of this name and stored content type, before any size limit. The extension decides
 * first (stored types are often application/octet-stream); a stored text/*, image/*, audio/* or video/* type
 * decides for names without a known extension.
 */
export function previewKindOf(name: string, storedType: string | undefined): { kind: PreviewKind; contentType: string; language?: string } {
  const ext = extensionOf(name);
  const image = IMAGE[ext];
  if (image) return { kind: 'image', contentType: image };
  if (ext === 'pdf') return { kind: 'pdf', contentType: 'application/pdf' };
  const audio = AUDIO[ext];
  if (audio) return { kind: 'audio', contentType: audio };
  const video = VIDEO[ext];
  if (video) return { kind: 'video', contentType: video };
  const lang = TEXT[ext];
  if (lang !== undefined) return { kind: 'text', contentType: 'text/plain; charset=utf-8', ...(lang ? { language: lang } : {}) };
  const type = (storedType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type.startsWith('text/') || type === 'application/json' || type === 'application/xml') return { kind: 'text', contentType: 'text/plain; charset=utf-8' };
  const known = Object.values(IMAGE).includes(type) ? 'image' : Object.values(AUDIO).includes(type) ? 'audio' : Object.values(VIDEO).includes(type) ? 'video' : type === 'application/pdf' ? 'pdf' : null;
  if (known) return { kind: known, contentType: type };
  return { kind: 'none', contentType: 'application/octet-stream' };
}
