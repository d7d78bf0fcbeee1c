import type { CompareMode, MigrationMode, MigrationRequestInput } from '../../../../shared/contract';
import { LocationParseError, parseLocation } from '../../../../shared/location';

/** The Migrations form as the user types it: text everywhere, turned into a request (or errors) on submit. */
export interface MigrationFormState {
  name: string;
  source: string;
  destinations: string[];
  mode: MigrationMode;
  compare: CompareMode;
  include: string;
  exclude: string;
  minSize: string;
  maxSize: string;
  minAgeDays: string;
  maxAgeDays: string;
  preserveMetadata: boolean;
  storageClass: string;
  allowServerSide: boolean;
  allowCloudPull: boolean;
  deletionsEnabled: boolean;
  maxCount: string;
  maxPercent: string;
  quarantinePrefix: string;
}

export const EMPTY_FORM: MigrationFormState = {
  name: '',
  source: '',
  destinations: [''],
  mode: 'copy',
  compare: 'size+checksum',
  include: '',
  exclude: '',
  minSize: '',
  maxSize: '',
  minAgeDays: '',
  maxAgeDays: '',
  preserveMetadata: true,
  storageClass: '',
  allowServerSide: true,
  allowCloudPull: false,
  deletionsEnabled: false,
  maxCount: '',
  maxPercent: '',
  quarantinePrefix: '',
};

export type FormErrors = Partial<Record<keyof MigrationFormState | `destination-${number}`, string>>;

const UNIT: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** "1.5 MiB", "200k", "42" (bytes) -> bytes; binary units, as the app shows sizes. null when not a size. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const factor = UNIT[(m[2] ?? '').toLowerCase()];
  if (factor === undefined) return null;
  return Math.round(Number(m[1]) * factor);
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** A location the planner takes as a prefix: a bucket root, or a folder ending in `/`. */
export function asPrefixUri(uri: string): string {
  const loc = parseLocation(uri.trim());
  return loc.key === '' || loc.key.endsWith('/') ? uri.trim() : `${uri.trim()}/`;
}

function checkLocation(uri: string, what: string): string | undefined {
  if (!uri.trim()) return `Choose the ${what}.`;
  try {
    const loc = parseLocation(uri.trim());
    if (!loc.bucket) return `The ${what} is an account: choose a bucket (or a folder) in it.`;
  } catch (e) {
    return e instanceof LocationParseError ? e.message : `The ${what} is not a location.`;
  }
  return undefined;
}

function numberField(text: string, errors: FormErrors, key: keyof MigrationFormState, label: string, opts: { max?: number; int?: boolean } = {}): number | undefined {
  if (!text.trim()) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (opts.int && !Number.isInteger(n)) || (opts.max !== undefined && n > opts.max)) {
    errors[key] = `${label}: enter ${opts.int ? 'a whole number' : 'a number'}${opts.max !== undefined ? ` from 0 to ${opts.max}` : ' of 0 or more'}.`;
    return undefined;
  }
  return n;
}

function sizeField(text: string, errors: FormErrors, key: keyof MigrationFormState, label: string): number | undefined {
  if (!text.trim()) return undefined;
  const n = parseSize(text);
  if (n === null) errors[key] = `${label}: enter a size such as 512 KiB, 10 MiB or 2 GiB.`;
  return n ?? undefined;
}

/** The form as a `plans:create` request, or the problems to show beside each field. */
export function toRequest(f: MigrationFormState): { request: MigrationRequestInput; errors: FormErrors } {
  const errors: FormErrors = {};
  const srcProblem = checkLocation(f.source, 'source');
  if (srcProblem) errors.source = srcProblem;
  const destinations = f.destinations.map((d) => d.trim());
  destinations.forEach((d, i) => {
    const problem = checkLocation(d, `destination ${i + 1}`);
    if (problem) errors[`destination-${i}`] = problem;
    else if (!srcProblem && asPrefixUri(d) === asPrefixUri(f.source)) errors[`destination-${i}`] = 'A destination cannot be the source itself.';
  });
  const minSize = sizeField(f.minSize, errors, 'minSize', 'Smallest size');
  const maxSize = sizeField(f.maxSize, errors, 'maxSize', 'Largest size');
  if (minSize !== undefined && maxSize !== undefined && minSize > maxSize) errors.maxSize = 'The largest size is below the smallest.';
  const minAgeDays = numberField(f.minAgeDays, errors, 'minAgeDays', 'Older than');
  const maxAgeDays = numberField(f.maxAgeDays, errors, 'maxAgeDays', 'Newer than');
  const maxCount = numberField(f.maxCount, errors, 'maxCount', 'Most deletions', { int: true });
  const maxPercent = numberField(f.maxPercent, errors, 'maxPercent', 'Most deletions in %', { max: 100 });
  const include = lines(f.include);
  const exclude = lines(f.exclude);
  const quarantine = f.quarantinePrefix.trim();
  const storageClass = f.storageClass.trim();
  const request: MigrationRequestInput = {
    source: errors.source ? f.source.trim() : asPrefixUri(f.source),
    destinations: destinations.map((d, i) => (errors[`destination-${i}`] ? d : asPrefixUri(d))),
    mode: f.mode,
    compare: f.compare,
    filters: {
      ...(include.length ? { include } : {}),
      ...(exclude.length ? { exclude } : {}),
      ...(minSize === undefined ? {} : { minSize }),
      ...(maxSize === undefined ? {} : { maxSize }),
      ...(minAgeDays === undefined ? {} : { minAgeDays }),
      ...(maxAgeDays === undefined ? {} : { maxAgeDays }),
    },
    options: {
      preserveMetadata: f.preserveMetadata,
      allowServerSide: f.allowServerSide,
      allowCloudPull: f.allowCloudPull,
      ...(storageClass ? { storageClass } : {}),
    },
    deletions: {
      enabled: f.mode === 'mirror' && f.deletionsEnabled,
      ...(maxCount === undefined ? {} : { maxCount }),
      ...(maxPercent === undefined ? {} : { maxPercent }),
      ...(quarantine ? { quarantinePrefix: quarantine.endsWith('/') ? quarantine : `${quarantine}/` } : {}),
    },
  };
  return { request, errors };
}

const text = (n: number | undefined): string => (n === undefined ? '' : String(n));

/** A saved request back into the form (a profile opened for editing). */
export function fromRequest(r: MigrationRequestInput, name = ''): MigrationFormState {
  return {
    ...EMPTY_FORM,
    name,
    source: r.source,
    destinations: r.destinations.length ? [...r.destinations] : [''],
    mode: r.mode ?? 'copy',
    compare: r.compare ?? 'size+checksum',
    include: (r.filters?.include ?? []).join('\n'),
    exclude: (r.filters?.exclude ?? []).join('\n'),
    minSize: text(r.filters?.minSize),
    maxSize: text(r.filters?.maxSize),
    minAgeDays: text(r.filters?.minAgeDays),
    maxAgeDays: text(r.filters?.maxAgeDays),
    preserveMetadata: r.options?.preserveMetadata ?? true,
    storageClass: r.options?.storageClass ?? '',
    allowServerSide: r.options?.allowServerSide ?? true,
    allowCloudPull: r.options?.allowCloudPull ?? false,
    deletionsEnabled: r.deletions?.enabled ?? false,
    maxCount: text(r.deletions?.maxCount),
    maxPercent: text(r.deletions?.maxPercent),
    quarantinePrefix: r.deletions?.quarantinePrefix ?? '',
  };
}
