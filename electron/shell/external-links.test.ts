import { describe, expect, it } from 'vitest';
import { ExternalLinks } from './external-links';

describe('links the shell may open outside the app', () => {
  it('opens no URL a page merely navigates to, https or not', () => {
    const links = new ExternalLinks();
    for (const url of ['https://example.com/', 'https://evil.example/login', 'http://127.0.0.1:9000/x', 'file:///etc/passwd', 'ms-msdt:/id', 'javascript:alert(1)', 'not a url']) {
      expect(links.mayOpen(url), url).toBe(false);
    }
  });

  it('opens a share link the engine made, exactly that one, until it expires', () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const links = new ExternalLinks(() => now);
    const url = 'https://bucket.s3.amazonaws.com/a.txt?X-Amz-Expires=3600&X-Amz-Signature=abc';
    links.noteResult('objects:presign', { ok: true, value: { url, expires: '2030-01-01T01:00:00Z' } });
    expect(links.mayOpen(url)).toBe(true);
    expect(links.mayOpen(`${url}x`)).toBe(false);
    expect(links.mayOpen('https://bucket.s3.amazonaws.com/a.txt')).toBe(false);
    now = Date.parse('2030-01-01T01:00:01Z');
    expect(links.mayOpen(url)).toBe(false);
  });

  it('remembers nothing from other channels, failures or non-web schemes', () => {
    const links = new ExternalLinks(() => 0);
    links.noteResult('objects:stat', { ok: true, value: { url: 'https://a.example/', expires: '2100-01-01T00:00:00Z' } });
    links.noteResult('objects:presign', { ok: false, error: { code: 'unsupported', message: 'no' } });
    links.noteResult('objects:presign', { ok: true, value: { url: 'file:///etc/passwd', expires: '2100-01-01T00:00:00Z' } });
    expect(links.mayOpen('https://a.example/')).toBe(false);
    expect(links.mayOpen('file:///etc/passwd')).toBe(false);
  });

  it('keeps the most recent links only', () => {
    const links = new ExternalLinks(() => 0);
    for (let i = 0; i < 250; i++) links.remember(`https://a.example/${i}`, 1000);
    expect(links.mayOpen('https://a.example/0')).toBe(false);
    expect(links.mayOpen('https://a.example/249')).toBe(true);
  });
});
