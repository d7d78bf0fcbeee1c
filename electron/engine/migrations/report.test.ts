import { describe, expect, it } from 'vitest';
import { csvDocument, csvField } from '../../../shared/csv';
import { csvLine } from './report';

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
    expect(csvField(-3)).toBe('-3');
  });

  it('keeps a name that a spreadsheet would run as a formula as text (leading apostrophe)', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('+1+2')).toBe("'+1+2");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tcmd')).toBe("'\tcmd");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('ends every line, the last included, with CRLF', () => {
    expect(csvDocument(['a', 'b'], [['x', 1], ['=y', undefined]])).toBe("a,b\r\nx,1\r\n'=y,\r\n");
  });

  it('writes a row in column order with empty optional fields', () => {
    const line = csvLine({ destination: 'gs://g/b/', source: 's3://s/b/x,"y"\n.txt', target: 'gs://g/b/x', outcome: 'copied', size: 3, checksum: 'md5' });
    expect(line).toBe('gs://g/b/,"s3://s/b/x,""y""\n.txt",gs://g/b/x,copied,3,,,md5,');
  });
});
