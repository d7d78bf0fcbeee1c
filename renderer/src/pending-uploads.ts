/** Display and result helpers for the unfinished-uploads dialog; pure, so that they are unit-tested. */

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 days ago", "5 hours ago", "now" in the user's locale; '' when the backend gave no start time. */
export function formatAge(iso: string | undefined, now: number, locale?: string): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const seconds = Math.max(0, (now - t) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (seconds >= size) return rtf.format(-Math.floor(seconds / size), unit);
  }
  return rtf.format(0, 'second');
}

/** A row's identity: Azure's uncommitted blocks have no upload id, so the key is part of it. */
export function uploadRowId(u: { key: string; uploadId: string }): string {
  return `${u.uploadId}\u0000${u.key}`;
}

export interface AbortOutcome {
  aborted: number;
  failed: Array<{ key: string; message: string }>;
}

/** The one-line result shown after "Abort": what happened and, if something failed, what to do. */
export function describeAbort(r: AbortOutcome): string {
  const n = (count: number): string => `${count.toLocaleString()} ${count === 1 ? 'upload' : 'uploads'}`;
  if (r.failed.length === 0) return `Aborted ${n(r.aborted)}. Their stored parts are deleted.`;
  const head = r.aborted > 0 ? `Aborted ${n(r.aborted)}; ` : '';
  return `${head}${n(r.failed.length)} could not be aborted (see below). Check your permissions on the bucket and try again.`;
}
