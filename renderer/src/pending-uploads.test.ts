import { describe, expect, it } from 'vitest';
import { describeAbort, formatAge, uploadRowId } from './pending-uploads';

const now = Date.parse('2025-03-10T12:00:00Z');

describe('formatAge', () => {
  it('says how long ago an upload started, in the largest whole unit', () => {
    expect(formatAge('2025-03-10T11:59:30Z', now, 'en')).toBe('now');
    expect(formatAge('2025-03-10T11:55:00Z', now, 'en')).toBe('5 minutes ago');
    expect(formatAge('2025-03-10T07:00:00Z', now, 'en')).toBe('5 hours ago');
    expect(formatAge('2025-03-09T10:00:00Z', now, 'en')).toBe('yesterday');
    expect(formatAge('2025-03-01T12:00:00Z', now, 'en')).toBe('9 days ago');
    expect(formatAge('2024-01-01T00:00:00Z', now, 'en')).toBe('last year');
    expect(formatAge('2025-03-01T12:00:00Z', now, 'de')).toBe('vor 9 Tagen');
  });

  it('is empty without a usable start time, and a clock skew into the future reads as now', () => {
    expect(formatAge(undefined, now, 'en')).toBe('');
    expect(formatAge('not a date', now, 'en')).toBe('');
    expect(formatAge('2025-03-10T12:00:05Z', now, 'en')).toBe('now');
  });
});

describe('describeAbort', () => {
  it('counts what was aborted and says what to do when some failed', () => {
    expect(describeAbort({ aborted: 1, failed: [] })).toBe('Aborted 1 upload. Their stored parts are deleted.');
    expect(describeAbort({ aborted: 2, failed: [{ key: 'a', message: 'denied' }] })).toBe(
      'Aborted 2 uploads; 1 upload could not be aborted (see below). Check your permissions on the bucket and try again.',
    );
    expect(describeAbort({ aborted: 0, failed: [{ key: 'a', message: 'x' }, { key: 'b', message: 'y' }] })).toMatch(/^2 uploads could not be aborted/);
  });
});

describe('uploadRowId', () => {
  it('keeps two Azure uploads (no upload id) of different blobs apart', () => {
    expect(uploadRowId({ key: 'a', uploadId: '' })).not.toBe(uploadRowId({ key: 'b', uploadId: '' }));
  });
});
