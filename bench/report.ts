/** Figures and ratios as printed; throughput in MB/s with MB = 10^6 bytes, memory in MB of 10^6 bytes too. */

export interface RunFigures {
  name: string;
  ok: boolean;
  /** The time the ratios use (see the notes printed with the table). */
  seconds: number;
  bytes: number;
  peakRssBytes: number;
  /** Anything worth printing beside the figures (process wall time, phases, verification problems). */
  notes: string[];
}

export interface Target {
  label: string;
  value: number;
  target: number;
  /** 'min': value >= target is met; 'max': value <= target is met. */
  kind: 'min' | 'max';
  unit: string;
  /** Why the figure does not count (e.g. the destination's own floor leaves the tools no room); printed instead of met. */
  void?: string;
}

export const MB = 1e6;

export function mbps(f: RunFigures): number {
  return f.seconds > 0 ? f.bytes / MB / f.seconds : 0;
}

export function met(t: Target): boolean {
  return t.void === undefined && Number.isFinite(t.value) && (t.kind === 'min' ? t.value >= t.target : t.value <= t.target);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function table(rows: RunFigures[]): string {
  const lines = [`${pad('run', 40)}${pad('verified', 10)}${pad('seconds', 10)}${pad('MB/s', 10)}peak RSS MB`];
  for (const r of rows) {
    lines.push(`${pad(r.name, 40)}${pad(r.ok ? 'yes' : 'NO', 10)}${pad(r.seconds.toFixed(2), 10)}${pad(mbps(r).toFixed(1), 10)}${(r.peakRssBytes / MB).toFixed(0)}`);
    for (const n of r.notes) lines.push(`    ${n}`);
  }
  return lines.join('\n');
}

/** Two decimals, or three where two would round a miss onto its target (0.996x printed as 1.00x, not met). */
function figure(t: Target): string {
  const two = t.value.toFixed(2);
  return !met(t) && Number(two) === Number(t.target.toFixed(2)) ? t.value.toFixed(3) : two;
}

export function targets(list: Target[]): string {
  return list
    .map((t) => `${pad(t.label, 84)}${pad(`${figure(t)}${t.unit}`, 12)}target ${t.kind === 'min' ? '>=' : '<='} ${Number(t.target.toFixed(2))}${t.unit}   ${t.void !== undefined ? `not counted (${t.void})` : met(t) ? 'met' : 'NOT MET'}`)
    .join('\n');
}
