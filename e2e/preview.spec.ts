import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openPath, row } from './ui';

const PREFIX = 'preview-e2e';
// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from(
  '%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/** A short silent WAV (8 kHz, 8-bit mono). */
function wav(samples: number): Buffer {
  const b = Buffer.alloc(44 + samples, 128);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + samples, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(8000, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write('data', 36);
  b.writeUInt32LE(samples, 40);
  return b;
}

async function focusedGrid(page: Page): Promise<string | null> {
  // The e2e side has no DOM types: the check runs in the page from a script string.
  return page.evaluate<string | null>(`document.activeElement?.closest('[role="grid"]')?.getAttribute('aria-label') ?? null`);
}

test.describe('preview', () => {
  test.beforeEach(async ({ app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    const put = (Key: string, Body: Buffer | string, ContentType?: string) =>
      emulators.clients.s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: `${PREFIX}/${Key}`, Body, ...(ContentType ? { ContentType } : {}) }));
    await put('hello.ts', 'export function hello(name: string): string {\n  return `hello ${name}`;\n}\n', 'application/octet-stream');
    await put('notes.txt', 'Plain <b>notes</b>, shown as text.\n');
    await put('pixel.png', PNG, 'image/png');
    await put('doc.pdf', PDF, 'application/pdf');
    await put('beep.wav', wav(800), 'audio/wav');
    await put('big.log', 'x'.repeat(2 * 1024 * 1024 + 10));
    await put('blob.bin', Buffer.from([0, 1, 2, 3]));
    await put('sub/inner.txt', 'inside');
  });

  test('double-click and Enter open a preview; code is highlighted; Escape returns focus', async ({ page, app, shot }) => {
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', PREFIX]);
    await row(left, 'hello.ts').dblclick();
    const dialog = page.getByRole('dialog', { name: 'hello.ts' });
    await expect(dialog.getByLabel('Contents of hello.ts')).toContainText('export function hello');
    await expect(dialog.locator('.hljs-keyword').first()).toBeVisible();
    await shot('preview-code');
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect.poll(() => focusedGrid(page)).toBe('Left pane objects');

    // Markup in a text file is text.
    await row(left, 'notes.txt').click();
    await page.keyboard.press('Enter');
    const notes = page.getByRole('dialog', { name: 'notes.txt' });
    await expect(notes.getByLabel('Contents of notes.txt')).toHaveText('Plain <b>notes</b>, shown as text.');
    await page.keyboard.press('Escape');

    // A folder still opens as a folder.
    await row(left, 'sub').dblclick();
    await expect(left.getByRole('navigation', { name: 'Location' }).locator('[aria-current]')).toHaveText('sub');
    await expect(page.getByRole('dialog')).toHaveCount(0);
  });

  test('Space toggles a quick look; images, PDF and audio come from a same-origin link', async ({ page, app }) => {
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', PREFIX]);
    await row(left, 'pixel.png').click();
    if ((await focusedGrid(page)) === null) await left.locator('.table-body').focus();
    await page.keyboard.press(' ');
    const dialog = page.getByRole('dialog', { name: 'pixel.png' });
    const img = dialog.getByRole('img', { name: 'pixel.png' });
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
    const src = await img.getAttribute('src');
    expect(src).toMatch(/^\/preview\/[A-Za-z0-9_-]+$/);
    await page.keyboard.press(' ');
    await expect(dialog).toHaveCount(0);
    await expect.poll(() => focusedGrid(page)).toBe('Left pane objects');

    // The link serves ranges (video seeking) and is refused once unknown.
    const probe = await page.evaluate(async (url) => {
      const whole = await fetch(url);
      const part = await fetch(url, { headers: { range: 'bytes=1-3' } });
      const bad = await fetch('/preview/AAAAAAAAAAAAAAAAAAAAAAAA');
      return { whole: whole.status, type: whole.headers.get('content-type'), part: part.status, range: part.headers.get('content-range'), len: (await part.arrayBuffer()).byteLength, bad: bad.status };
    }, src ?? '');
    expect(probe).toEqual({ whole: 200, type: 'image/png', part: 206, range: `bytes 1-3/${PNG.length}`, len: 3, bad: 404 });

    await row(left, 'doc.pdf').dblclick();
    const pdf = page.getByRole('dialog', { name: 'doc.pdf' });
    await expect(pdf.locator('iframe[title="PDF doc.pdf"]')).toHaveAttribute('src', /^\/preview\//);
    await page.keyboard.press('Escape');

    await row(left, 'beep.wav').dblclick();
    const audio = page.getByRole('dialog', { name: 'beep.wav' }).locator('audio');
    await expect(audio).toHaveAttribute('src', /^\/preview\//);
    await expect.poll(() => audio.evaluate((el) => (el as unknown as { duration: number }).duration)).toBeCloseTo(0.1, 2);
    await page.keyboard.press('Escape');
  });

  test('too large or unknown files show details and Download', async ({ page, app }) => {
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', PREFIX]);
    await row(left, 'big.log').dblclick();
    const big = page.getByRole('dialog', { name: 'big.log' });
    await expect(big).toContainText('too large to preview');
    await expect(big).toContainText('2.0 MiB');
    await page.keyboard.press('Escape');

    await row(left, 'blob.bin').dblclick();
    const blob = page.getByRole('dialog', { name: 'blob.bin' });
    await expect(blob).toContainText('There is no preview for this type of file.');
    await blob.getByRole('button', { name: 'Download…' }).click();
    await expect(page.getByRole('dialog', { name: 'Download' })).toBeVisible();
  });
});
