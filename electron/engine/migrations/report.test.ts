import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from './report';

describe('CSV export quoting (RFC 4180)', () => {
  it('quotes fields with commas, quotes, CR/LF or edge spaces, doubling inner quotes', () => {
    expect(csvField('plain.txt')).toBe('plain.txt');
    expect(csvField('a,b.txt')).toBe('"a,b.txt"');
    expect(csvField('say "hi".txt')).toBe('"say ""hi"".txt"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(' lead')).toBe('" lead"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(42)).toBe('42');
  });

  it('writes a row in column order with empty optional fields', () => {
    const line = csvLine({ destination: 'gs://g/b/', source: 's3://s/b/x,"y"\n.txt', target: 'gs://g/b/x', outcome: 'copied', size: 3, checksum: 'md5' });
    expect(line).toBe('gs://g/b/,"s3://s/b/x,""y""\n.txt",gs://g/b/x,copied,3,,,md5,');
  });
});
