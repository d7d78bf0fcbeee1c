import { describe, expect, it } from 'vitest';
import { parseRange, previewHeaders, previewId } from './preview';

describe('preview route helpers', () => {
  it('accepts only /preview/<id>', () => {
    expect(previewId('/preview/abcdefghijklmnop_-12')).toBe('abcdefghijklmnop_-12');
    expect(previewId('/preview/short')).toBeNull();
    expect(previewId('/preview/abcdefghijklmnop/../x')).toBeNull();
    expect(previewId('/api/preview/abcdefghijklmnopq')).toBeNull();
  });

  it('parses one byte range and answers lists and suffixes whole', () => {
    expect(parseRange('bytes=0-99')).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-')).toEqual({ start: 100 });
    expect(parseRange('bytes=-100')).toBeUndefined();
    expect(parseRange('bytes=0-1,5-6')).toBeUndefined();
    expect(parseRange(undefined)).toBeUndefined();
  });

  it('sandboxes everything but PDF, frames for this origin only, never sniffs', () => {
    const png = previewHeaders({ contentType: 'image/svg+xml', start: 0, end: 9, total: 10, partial: false, pdf: false });
    expect(png['content-security-policy']).toMatch(/^sandbox;/);
    expect(png['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(png['x-content-type-options']).toBe('nosniff');
    expect(png['content-length']).toBe('10');
    expect(png['content-range']).toBeUndefined();
    const pdf = previewHeaders({ contentType: 'application/pdf', start: 2, end: 4, total: 10, partial: true, pdf: true });
    expect(pdf['content-security-policy']).not.toContain('sandbox');
    expect(pdf['content-range']).toBe('bytes 2-4/10');
    expect(pdf['content-length']).toBe('3');
  });
});
