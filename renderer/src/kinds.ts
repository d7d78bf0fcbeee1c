import type { ObjectEntry } from '../../shared/model';

/** The broad families a file kind falls in; the table picks its icon by family. */
export type KindFamily = 'folder' | 'bucket' | 'image' | 'text' | 'code' | 'data' | 'document' | 'archive' | 'audio' | 'video' | 'file';

export interface FileKind {
  /** What the Type column says: "PNG image", "Folder", "Text". */
  label: string;
  family: KindFamily;
}

/** Extensions the app names, with the content type they usually travel with. */
const BY_EXTENSION: Record<string, FileKind> = {
  png: { label: 'PNG image', family: 'image' },
  jpg: { label: 'JPEG image', family: 'image' },
  jpeg: { label: 'JPEG image', family: 'image' },
  gif: { label: 'GIF image', family: 'image' },
  webp: { label: 'WebP image', family: 'image' },
  svg: { label: 'SVG image', family: 'image' },
  heic: { label: 'HEIC image', family: 'image' },
  bmp: { label: 'BMP image', family: 'image' },
  ico: { label: 'Icon', family: 'image' },
  tif: { label: 'TIFF image', family: 'image' },
  tiff: { label: 'TIFF image', family: 'image' },
  txt: { label: 'Text', family: 'text' },
  log: { label: 'Log', family: 'text' },
  md: { label: 'Markdown', family: 'text' },
  csv: { label: 'CSV table', family: 'data' },
  tsv: { label: 'TSV table', family: 'data' },
  json: { label: 'JSON', family: 'data' },
  ndjson: { label: 'JSON lines', family: 'data' },
  xml: { label: 'XML', family: 'data' },
  yaml: { label: 'YAML', family: 'data' },
  yml: { label: 'YAML', family: 'data' },
  parquet: { label: 'Parquet data', family: 'data' },
  sql: { label: 'SQL', family: 'code' },
  html: { label: 'HTML page', family: 'code' },
  htm: { label: 'HTML page', family: 'code' },
  css: { label: 'CSS', family: 'code' },
  js: { label: 'JavaScript', family: 'code' },
  ts: { label: 'TypeScript', family: 'code' },
  py: { label: 'Python', family: 'code' },
  sh: { label: 'Shell script', family: 'code' },
  pdf: { label: 'PDF document', family: 'document' },
  doc: { label: 'Word document', family: 'document' },
  docx: { label: 'Word document', family: 'document' },
  xls: { label: 'Excel workbook', family: 'data' },
  xlsx: { label: 'Excel workbook', family: 'data' },
  ppt: { label: 'PowerPoint', family: 'document' },
  pptx: { label: 'PowerPoint', family: 'document' },
  zip: { label: 'ZIP archive', family: 'archive' },
  tar: { label: 'TAR archive', family: 'archive' },
  gz: { label: 'Gzip archive', family: 'archive' },
  tgz: { label: 'Gzip archive', family: 'archive' },
  bz2: { label: 'Bzip2 archive', family: 'archive' },
  xz: { label: 'XZ archive', family: 'archive' },
  '7z': { label: '7-Zip archive', family: 'archive' },
  bak: { label: 'Backup', family: 'archive' },
  mp3: { label: 'MP3 audio', family: 'audio' },
  wav: { label: 'WAV audio', family: 'audio' },
  flac: { label: 'FLAC audio', family: 'audio' },
  mp4: { label: 'MP4 video', family: 'video' },
  mov: { label: 'QuickTime video', family: 'video' },
  webm: { label: 'WebM video', family: 'video' },
  mkv: { label: 'MKV video', family: 'video' },
};

/** Content types whose name says more than the extension would. */
const BY_CONTENT_TYPE: Record<string, FileKind> = {
  'text/plain': { label: 'Text', family: 'text' },
  'text/csv': { label: 'CSV table', family: 'data' },
  'text/markdown': { label: 'Markdown', family: 'text' },
  'text/html': { label: 'HTML page', family: 'code' },
  'application/json': { label: 'JSON', family: 'data' },
  'application/pdf': { label: 'PDF document', family: 'document' },
  'application/zip': { label: 'ZIP archive', family: 'archive' },
  'application/gzip': { label: 'Gzip archive', family: 'archive' },
  'application/x-gzip': { label: 'Gzip archive', family: 'archive' },
  'application/x-tar': { label: 'TAR archive', family: 'archive' },
  'application/xml': { label: 'XML', family: 'data' },
  'image/jpeg': { label: 'JPEG image', family: 'image' },
  'image/svg+xml': { label: 'SVG image', family: 'image' },
};

/** Types that say nothing about the content: the extension is the better witness. */
const GENERIC = new Set(['application/octet-stream', 'binary/octet-stream', 'application/x-www-form-urlencoded', '']);

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : '';
}

function fromContentType(raw: string): FileKind | null {
  const type = raw.split(';')[0]?.trim().toLowerCase() ?? '';
  if (GENERIC.has(type)) return null;
  const known = BY_CONTENT_TYPE[type];
  if (known) return known;
  const [top, sub = ''] = type.split('/');
  const subName = sub.replace(/^(x-|vnd\.)/, '').split(/[+.]/)[0]?.toUpperCase() ?? '';
  if (top === 'image') return { label: `${subName} image`, family: 'image' };
  if (top === 'video') return { label: `${subName} video`, family: 'video' };
  if (top === 'audio') return { label: `${subName} audio`, family: 'audio' };
  if (top === 'text') return { label: 'Text', family: 'text' };
  return null;
}

/**
 * The one friendly name of what an entry is, used by the Type column, its sort and its icon: the content type when
 * it names something, else the extension, else "File".
 */
export function fileKind(entry: Pick<ObjectEntry, 'isPrefix' | 'name'> & { contentType?: string | undefined }, atRoot = false): FileKind {
  if (atRoot) return { label: 'Bucket', family: 'bucket' };
  if (entry.isPrefix) return { label: 'Folder', family: 'folder' };
  const ext = extensionOf(entry.name);
  const byExt = BY_EXTENSION[ext];
  const byType = entry.contentType ? fromContentType(entry.contentType) : null;
  // The extension is the more specific witness unless the type names another family ("text/plain" on a .csv is a CSV).
  if (byExt && (!byType || byType.family === byExt.family || byType.family === 'text')) return byExt;
  if (byType) return byType;
  return ext ? { label: `${ext.toUpperCase()} file`, family: 'file' } : { label: 'File', family: 'file' };
}
