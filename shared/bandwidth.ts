/**
 * Bandwidth limits in rclone's `--bwlimit` syntax, read the same way by the engine and the settings dialog:
 *
 * - one rate for both directions: `512k`, `10M`, `off` (a bare number is KiB/s, as in rclone);
 * - upload and download apart: `UP:DOWN`, e.g. `512k:2M`, `off:1M`;
 * - a timetable of `[Day-]HH:MM,RATE` entries separated by spaces, e.g. `08:00,512k 19:00,off` or
 *   `Mon-08:00,512k Sat-00:00,off`: each entry holds from its time until the next one (the last wraps around to
 *   the first); an entry without a day holds every day.
 *
 * Rates are bytes per second; `null` is no limit.
 */

export interface Rates {
  up: number | null;
  down: number | null;
}

export interface TimetableEntry {
  /** Minute of the week the entry starts at, Sunday 00:00 = 0 (local time). */
  minute: number;
  rates: Rates;
}

export class BandwidthSyntaxError extends Error {
  override readonly name = 'BandwidthSyntaxError';
}

const UNITS: Readonly<Record<string, number>> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** One rate: `off`, or a number with an optional binary unit (B, K, M, G, T, P; KiB when none). */
export function parseRate(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === '') return null;
  const m = /^(\d+(?:\.\d+)?)([bkmgtp])?(?:i?b)?$/.exec(t);
  if (!m) throw new BandwidthSyntaxError(`"${text}" is not a rate: write a number with a unit (512k, 10M) or off`);
  const value = Number(m[1]) * (UNITS[m[2] ?? 'k'] ?? 1024);
  if (!Number.isFinite(value)) throw new BandwidthSyntaxError(`"${text}" is too large`);
  // Zero would stop every transfer for good: rclone reads 0 as no limit too.
  return value <= 0 ? null : Math.round(value);
}

/** `RATE` or `UP:DOWN`. */
export function parseRates(text: string): Rates {
  const parts = text.split(':');
  if (parts.length > 2) throw new BandwidthSyntaxError(`"${text}" has more than one ":": write UP:DOWN (512k:2M)`);
  const up = parseRate(parts[0] ?? '');
  return { up, down: parts.length === 2 ? parseRate(parts[1] ?? '') : up };
}

/** The whole setting: one rate (or `UP:DOWN`) for all times, or a timetable. Empty is off. */
export function parseBandwidth(text: string): TimetableEntry[] {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [{ minute: 0, rates: { up: null, down: null } }];
  if (words.length === 1 && !(words[0] ?? '').includes(',')) return [{ minute: 0, rates: parseRates(words[0] ?? '') }];
  const entries: TimetableEntry[] = [];
  for (const word of words) {
    const m = /^(?:([a-z]{3})-)?(\d{1,2}):(\d{2}),(.+)$/i.exec(word);
    if (!m) throw new BandwidthSyntaxError(`"${word}" is not a timetable entry: write HH:MM,RATE or Day-HH:MM,RATE (08:00,512k)`);
    const hour = Number(m[2]);
    const min = Number(m[3]);
    if (hour > 23 || min > 59) throw new BandwidthSyntaxError(`"${word}": ${m[2]}:${m[3]} is not a time of day`);
    const rates = parseRates(m[4] ?? '');
    if (m[1] === undefined) {
      for (let day = 0; day < 7; day++) entries.push({ minute: day * 1440 + hour * 60 + min, rates });
    } else {
      const day = DAYS.indexOf(m[1].toLowerCase());
      if (day < 0) throw new BandwidthSyntaxError(`"${word}": ${m[1]} is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)`);
      entries.push({ minute: day * 1440 + hour * 60 + min, rates });
    }
  }
  // A later entry for the same minute wins, as the user wrote it last.
  const byMinute = new Map<number, Rates>();
  for (const e of entries) byMinute.set(e.minute, e.rates);
  return [...byMinute].map(([minute, rates]) => ({ minute, rates })).sort((a, b) => a.minute - b.minute);
}

/** The rates that hold at `at` (local time): the last entry at or before it, wrapping to the week's last. */
export function ratesAt(table: readonly TimetableEntry[], at: Date): Rates {
  const minute = at.getDay() * 1440 + at.getHours() * 60 + at.getMinutes();
  let current = table[table.length - 1];
  for (const e of table) if (e.minute <= minute) current = e;
  return current?.rates ?? { up: null, down: null };
}

/** When the rates next change after `at` (for a timer), or undefined for a single rate. */
export function nextChange(table: readonly TimetableEntry[], at: Date): Date | undefined {
  if (table.length < 2) return undefined;
  const minute = at.getDay() * 1440 + at.getHours() * 60 + at.getMinutes();
  const next = table.find((e) => e.minute > minute) ?? table[0];
  if (!next) return undefined;
  const ahead = next.minute > minute ? next.minute - minute : next.minute + 7 * 1440 - minute;
  const d = new Date(at);
  d.setSeconds(0, 0);
  d.setMinutes(d.getMinutes() + ahead);
  return d;
}

/** A rate for people: `1 MiB/s`, `off`. */
export function formatRate(rate: number | null): string {
  if (rate === null) return 'off';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = rate;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i] ?? 'B'}/s`;
}
