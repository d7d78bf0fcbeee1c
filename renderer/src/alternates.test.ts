import { describe, expect, it } from 'vitest';
import { parseAlternates } from './alternates';

describe('parseAlternates', () => {
  it('takes one object location a line, skipping blank lines and repeats', () => {
    expect(parseAlternates('  gs://gcs/b/k.txt \n\naz://az/c/dir/k.txt\ngs://gcs/b/k.txt\n')).toEqual({ uris: ['gs://gcs/b/k.txt', 'az://az/c/dir/k.txt'] });
    expect(parseAlternates('   ')).toEqual({ uris: [] });
  });

  it('names the line of a folder, a bucket or a malformed location', () => {
    expect(parseAlternates('gs://gcs/b/k\ngs://gcs/b/dir/')).toEqual({ problem: expect.stringMatching(/^Line 2: "gs:\/\/gcs\/b\/dir\/" is not an object/) as unknown });
    expect(parseAlternates('gs://gcs/b')).toEqual({ problem: expect.stringMatching(/^Line 1: .* is not an object/) as unknown });
    expect(parseAlternates('bucket/key')).toEqual({ problem: expect.stringMatching(/^Line 1: .*not a location/) as unknown });
    expect(parseAlternates('ftp://x/b/k')).toEqual({ problem: expect.stringMatching(/^Line 1: Unknown scheme/) as unknown });
  });

  it('allows at most 16', () => {
    const many = Array.from({ length: 17 }, (_, i) => `s3://m/b/k${i}`).join('\n');
    expect(parseAlternates(many)).toEqual({ problem: 'Give at most 16 other locations.' });
  });
});
