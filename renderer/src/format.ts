/** Display helpers: binary units with one decimal, the user's locale for dates, middle truncation for long names. */

export { formatDuration, formatSize } from '../../shared/format';
import { formatSize as sizeText } from '../../shared/format';

let dateFormat: Intl.DateTimeFormat | undefined;

export function formatDate(iso: string | undefined | null, locale?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  if (locale) return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return dateFormat.format(d);
}

const shortFormats = new Map<string, Intl.DateTimeFormat>();
function shortFormat(kind: 'dateTime' | 'date' | 'time', locale?: string): Intl.DateTimeFormat {
  const options: Intl.DateTimeFormatOptions =
    kind === 'dateTime' ? { dateStyle: 'short', timeStyle: 'short' } : kind === 'date' ? { dateStyle: 'short' } : { timeStyle: 'short' };
  if (locale) return new Intl.DateTimeFormat(locale, options);
  let f = shortFormats.get(kind);
  if (!f) shortFormats.set(kind, (f = new Intl.DateTimeFormat(undefined, options)));
  return f;
}

/**
 * A date in the locale's short form for narrow columns: with the time ("12/7/26, 7:08 AM"), or, narrower, the date
 * alone ("12/7/26") except for a time today, which shows as the time ("7:08 AM"), as Finder and Explorer do: a
 * change made today stays visible.
 */
export function formatDateShort(iso: string | undefined | null, withTime = true, locale?: string, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  if (withTime) return shortFormat('dateTime', locale).format(d);
  const today = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return shortFormat(today ? 'time' : 'date', locale).format(d);
}

/** "very-long-name-of-a-file.tar.gz" -> "very-long-…file.tar.gz": keeps the start and the extension visible. */
export function truncateMiddle(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return '…';
  const tail = Math.ceil((max - 1) * 0.45);
  const head = max - 1 - tail;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString();
}

/** The type column: a folder, else the content type, else the extension. */
export function describeType(entry: { isPrefix: boolean; name: string; contentType?: string | undefined }): string {
  if (entry.isPrefix) return 'Folder';
  if (entry.contentType) return entry.contentType;
  const dot = entry.name.lastIndexOf('.');
  return dot > 0 ? `${entry.name.slice(dot + 1).toUpperCase()} file` : 'File';
}

/** "Delete 2 objects (3.0 KiB) and 1 folder with everything in it?": only the parts there are. */
export function deleteSummary(files: number, bytes: number, folders: number): string {
  const parts = [
    ...(files > 0 ? [`${formatCount(files)} ${files === 1 ? 'object' : 'objects'} (${sizeText(bytes)})`] : []),
    ...(folders > 0 ? [`${formatCount(folders)} ${folders === 1 ? 'folder with everything in it' : 'folders with everything in them'}`] : []),
  ];
  return `Delete ${parts.join(' and ')}?`;
}
