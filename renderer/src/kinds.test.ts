import { describe, expect, it } from 'vitest';
import { fileKind } from './kinds';

describe('fileKind', () => {
  it('names folders, buckets and files in one language', () => {
    expect(fileKind({ isPrefix: true, name: 'dir/' }).label).toBe('Folder');
    expect(fileKind({ isPrefix: true, name: 'b' }, true).label).toBe('Bucket');
    expect(fileKind({ isPrefix: false, name: 'a.png', contentType: 'image/png' }).label).toBe('PNG image');
    expect(fileKind({ isPrefix: false, name: 'a.png' }).label).toBe('PNG image');
    expect(fileKind({ isPrefix: false, name: 'notes.txt', contentType: 'text/plain; charset=utf-8' }).label).toBe('Text');
    expect(fileKind({ isPrefix: false, name: 'table.csv', contentType: 'text/plain' }).label).toBe('CSV table');
    expect(fileKind({ isPrefix: false, name: 'blob', contentType: 'image/webp' }).label).toBe('WEBP image');
    expect(fileKind({ isPrefix: false, name: 'a.tar', contentType: 'application/octet-stream' }).label).toBe('TAR archive');
    expect(fileKind({ isPrefix: false, name: 'a.qqq' }).label).toBe('QQQ file');
    expect(fileKind({ isPrefix: false, name: 'README' }).label).toBe('File');
  });
});
