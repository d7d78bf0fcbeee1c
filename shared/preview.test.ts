import { describe, expect, it } from 'vitest';
import { previewKindOf } from './preview';

describe('previewKindOf', () => {
  it('decides by extension first, then by the stored type', () => {
    expect(previewKindOf('a/b/photo.JPG', 'application/octet-stream')).toEqual({ kind: 'image', contentType: 'image/jpeg' });
    expect(previewKindOf('main.ts', undefined)).toEqual({ kind: 'text', contentType: 'text/plain; charset=utf-8', language: 'typescript' });
    expect(previewKindOf('notes.txt', undefined)).toEqual({ kind: 'text', contentType: 'text/plain; charset=utf-8' });
    expect(previewKindOf('page.html', 'text/html')).toMatchObject({ kind: 'text', contentType: 'text/plain; charset=utf-8' });
    expect(previewKindOf('doc.pdf', undefined)).toEqual({ kind: 'pdf', contentType: 'application/pdf' });
    expect(previewKindOf('clip.webm', undefined)).toEqual({ kind: 'video', contentType: 'video/webm' });
    expect(previewKindOf('README', 'text/markdown')).toMatchObject({ kind: 'text' });
    expect(previewKindOf('blob', 'image/png')).toEqual({ kind: 'image', contentType: 'image/png' });
    expect(previewKindOf('data.bin', 'application/octet-stream')).toMatchObject({ kind: 'none' });
  });
});
