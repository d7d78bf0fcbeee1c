import { describe, expect, it } from 'vitest';
import { deleteSummary, describeType, formatDateShort, formatSize, truncateMiddle } from './format';

describe('formatSize', () => {
  it('uses binary units with one decimal', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1.0 KiB');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(5 * 1024 ** 3)).toBe('5.0 GiB');
  });
  it('never prints 1024.0 of a unit', () => {
    expect(formatSize(1024 * 1024 - 1)).toBe('1.0 MiB');
  });
});

describe('truncateMiddle', () => {
  it('keeps short names whole', () => {
    expect(truncateMiddle('photo.jpg', 20)).toBe('photo.jpg');
  });
  it('keeps the start and the extension of long names', () => {
    const out = truncateMiddle('a-very-long-name-of-a-holiday-photo-2024.jpeg', 20);
    expect(Array.from(out)).toHaveLength(20);
    expect(out.startsWith('a-very-lon')).toBe(true);
    expect(out.endsWith('2024.jpeg')).toBe(true);
    expect(out).toContain('…');
  });
  it('does not split a surrogate pair', () => {
    const out = truncateMiddle('😀'.repeat(30), 9);
    expect(Array.from(out).every((c) => c === '😀' || c === '…')).toBe(true);
  });
});

describe('describeType', () => {
  it('prefers the content type, then the extension', () => {
    expect(describeType({ isPrefix: true, name: 'dir' })).toBe('Folder');
    expect(describeType({ isPrefix: false, name: 'a.png', contentType: 'image/png' })).toBe('image/png');
    expect(describeType({ isPrefix: false, name: 'a.tar' })).toBe('TAR file');
  });
});

describe('deleteSummary', () => {
  it('names only what is there, in words', () => {
    expect(deleteSummary(2, 3072, 0)).toBe('Delete 2 objects (3.0 KiB)?');
    expect(deleteSummary(0, 0, 1)).toBe('Delete 1 folder with everything in it?');
    expect(deleteSummary(1, 10, 2)).toBe('Delete 1 object (10 B) and 2 folders with everything in them?');
  });
});

describe('formatDateShort', () => {
  const now = new Date(2026, 11, 7, 15, 0);
  it('gives the date and time, or the date alone, or for a time today the time alone', () => {
    const today = new Date(2026, 11, 7, 13, 50).toISOString();
    const earlier = new Date(2026, 10, 30, 13, 50).toISOString();
    expect(formatDateShort(today, true, 'en-US', now)).toBe('12/7/26, 1:50 PM');
    expect(formatDateShort(today, false, 'en-US', now)).toBe('1:50 PM');
    expect(formatDateShort(earlier, false, 'en-US', now)).toBe('11/30/26');
    expect(formatDateShort('not a date', false, 'en-US', now)).toBe('');
  });
});
