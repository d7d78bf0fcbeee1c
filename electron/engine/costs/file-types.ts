import type { FileCategory } from '../../../shared/contract/costs.scan';

/** The seeds' categories by extension. Ambiguous ones (.bin, .ts, .dat) stay "other" rather than guess. */
const TABLE: Record<Exclude<FileCategory, 'other'>, string[]> = {
  models: ['safetensors', 'ckpt', 'pt', 'pth', 'onnx', 'gguf', 'ggml', 'h5', 'keras', 'pb', 'tflite', 'mlmodel', 'pkl', 'pickle', 'joblib', 'mar', 'params', 'caffemodel'],
  datasets: ['csv', 'tsv', 'parquet', 'arrow', 'feather', 'jsonl', 'ndjson', 'avro', 'orc', 'tfrecord', 'npy', 'npz', 'hdf5', 'nc', 'sqlite', 'db', 'dta', 'sav', 'xpt'],
  configs: ['json', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf', 'env', 'xml', 'properties', 'tf', 'tfvars', 'hcl', 'plist'],
  logs: ['log', 'out', 'err', 'trace', 'evtx', 'journal'],
  backups: ['bak', 'backup', 'tar', 'tgz', 'tbz2', 'zip', '7z', 'rar', 'dump', 'sql', 'vhd', 'vhdx', 'vmdk', 'qcow2', 'img', 'iso', 'snap', 'old'],
  documents: ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp', 'rtf', 'txt', 'md', 'html', 'htm', 'epub', 'tex', 'pages', 'numbers'],
  images: ['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp', 'tif', 'tiff', 'svg', 'heic', 'heif', 'avif', 'raw', 'cr2', 'nef', 'dng', 'arw', 'psd', 'ico', 'exr'],
  audio: ['mp3', 'wav', 'flac', 'aac', 'ogg', 'oga', 'm4a', 'opus', 'wma', 'aiff', 'aif', 'mid', 'midi', 'amr'],
  video: ['mp4', 'mkv', 'mov', 'avi', 'webm', 'wmv', 'flv', 'm4v', 'mpg', 'mpeg', 'm2ts', 'mts', '3gp', 'vob', 'ogv'],
};

const BY_EXT = new Map<string, FileCategory>();
for (const [category, exts] of Object.entries(TABLE) as Array<[FileCategory, string[]]>) for (const e of exts) BY_EXT.set(e, category);

/** A compression suffix says nothing by itself: `app.log.gz` is a log, `x.csv.zst` a dataset; a bare `.gz` a backup. */
const COMPRESSION = new Set(['gz', 'bz2', 'xz', 'zst', 'lz4', 'br', 'z']);

export function categoryOf(key: string): FileCategory {
  const name = key.slice(key.lastIndexOf('/') + 1).toLowerCase();
  const parts = name.split('.');
  if (parts.length < 2) return 'other';
  const last = parts[parts.length - 1] ?? '';
  if (COMPRESSION.has(last)) {
    const inner = parts.length >= 3 ? BY_EXT.get(parts[parts.length - 2] ?? '') : undefined;
    return inner ?? 'backups';
  }
  return BY_EXT.get(last) ?? 'other';
}
