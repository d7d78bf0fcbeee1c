import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { expect, test } from './fixtures';
import { openPath, row, waitForJobs } from './ui';

async function s3Bytes(client: import('@aws-sdk/client-s3').S3Client, bucket: string, key: string): Promise<Buffer> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new Error(`${key}: no body`);
  return Buffer.from(await res.Body.transformToByteArray());
}

async function s3Exists(client: import('@aws-sdk/client-s3').S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

test.describe('actions on objects', () => {
  test.beforeEach(async ({ app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
  });

  test('upload by dropping files on a pane', async ({ page, app, emulators, shot }) => {
    await page.goto(app.url);
    const right = await openPath(page, 'right', 'minio', ['demo-photos']);
    await right.getByLabel('Names starting with (asks the server)').fill('');
    const stamp = Date.now().toString(36);
    // The e2e side has no DOM types: the DataTransfer is built in the page from a script string.
    const dt = await page.evaluateHandle(`(() => {
      const d = new DataTransfer();
      d.items.add(new File(['dropped ${stamp}\\n'], 'dropped-${stamp}.txt', { type: 'text/plain' }));
      d.items.add(new File([new Uint8Array([0, 1, 2, 250, 255])], 'bytes-${stamp}.bin'));
      return d;
    })()`);
    await right.dispatchEvent('dragover', { dataTransfer: dt });
    await right.dispatchEvent('drop', { dataTransfer: dt });
    await expect(row(right, `dropped-${stamp}.txt`)).toBeVisible({ timeout: 60_000 });
    await expect(row(right, `bytes-${stamp}.bin`)).toBeVisible();
    await shot('after-drop');
    expect((await s3Bytes(emulators.clients.s3, emulators.buckets.s3, `dropped-${stamp}.txt`)).toString()).toBe(`dropped ${stamp}\n`);
    expect([...(await s3Bytes(emulators.clients.s3, emulators.buckets.s3, `bytes-${stamp}.bin`))]).toEqual([0, 1, 2, 250, 255]);
  });

  test('download to a chosen folder gives the same bytes', async ({ page, app, emulators }) => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-dl-'));
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'data', 'csv']);
    await row(left, 'table-3.csv').click();
    await row(left, 'table-4.csv').click({ modifiers: ['ControlOrMeta'] });
    await page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: 'Download…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Download' });
    await dialog.getByLabel('Folder on this computer').fill(folder);
    await dialog.getByRole('button', { name: 'Download' }).click();
    await waitForJobs(page);
    for (const name of ['table-3.csv', 'table-4.csv']) {
      const expected = await s3Bytes(emulators.clients.s3, emulators.buckets.s3, `data/csv/${name}`);
      expect((await readFile(path.join(folder, name))).equals(expected)).toBe(true);
    }
  });

  test('F5 copies from an S3 pane to an Azure pane; the blob is there for the Azure SDK', async ({ page, app, emulators, shot }) => {
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'web']);
    const right = await openPath(page, 'right', 'azurite', ['demo-backups']);
    await row(left, 'index.html').click();
    await left.locator('.table-body').focus();
    await page.keyboard.press('F5');
    await waitForJobs(page);
    await expect(row(right, 'index.html')).toBeVisible();
    await shot('after-copy');
    const blob = emulators.clients.azure.getContainerClient(emulators.buckets.azure).getBlobClient('index.html');
    const copied = await blob.downloadToBuffer();
    expect(copied.equals(await s3Bytes(emulators.clients.s3, emulators.buckets.s3, 'web/index.html'))).toBe(true);
    expect((await blob.getProperties()).contentType).toContain('text/html');
  });

  test('drag a selection to the other pane copies it', async ({ page, app, emulators }) => {
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'web']);
    const right = await openPath(page, 'right', 'azurite', ['demo-backups']);
    await row(left, 'logo.svg').dragTo(right.locator('.table-body'));
    await waitForJobs(page);
    await expect(row(right, 'logo.svg')).toBeVisible();
    expect(await emulators.clients.azure.getContainerClient(emulators.buckets.azure).getBlobClient('logo.svg').exists()).toBe(true);
  });

  test('rename an object', async ({ page, app, emulators }) => {
    const { s3 } = emulators.clients;
    const bucket = emulators.buckets.s3;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'rename-me.txt', Body: 'rename me' }));
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos']);
    await row(left, 'rename-me.txt').click();
    await left.locator('.table-body').focus();
    await page.keyboard.press('F2');
    const dialog = page.getByRole('dialog', { name: 'Rename or move' });
    await dialog.getByLabel('New name').fill('renamed.txt');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await waitForJobs(page);
    await expect(row(left, 'renamed.txt')).toBeVisible();
    await expect(row(left, 'rename-me.txt')).toHaveCount(0);
    expect((await s3Bytes(s3, bucket, 'renamed.txt')).toString()).toBe('rename me');
    expect(await s3Exists(s3, bucket, 'rename-me.txt')).toBe(false);
  });

  test('delete asks with count and size, then removes', async ({ page, app, emulators, shot }) => {
    const { s3 } = emulators.clients;
    const bucket = emulators.buckets.s3;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'trash/one.txt', Body: 'x'.repeat(2048) }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'trash/two.txt', Body: 'y'.repeat(1024) }));
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'trash']);
    await left.locator('.table-body').focus();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    const dialog = page.getByRole('dialog', { name: 'Delete' });
    await expect(dialog.getByTestId('delete-summary')).toContainText('Delete 2 objects (3.0 KiB)');
    await shot('delete-confirm');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await waitForJobs(page);
    await expect(row(left, 'one.txt')).toHaveCount(0);
    expect(await s3Exists(s3, bucket, 'trash/one.txt')).toBe(false);
    expect(await s3Exists(s3, bucket, 'trash/two.txt')).toBe(false);
  });

  test('edit metadata and read it back with the SDK', async ({ page, app, emulators, shot }) => {
    const { s3 } = emulators.clients;
    const bucket = emulators.buckets.s3;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'meta.txt', Body: 'meta', ContentType: 'text/plain' }));
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos']);
    await row(left, 'meta.txt').click();
    const details = page.getByRole('complementary', { name: 'Object details' });
    await expect(details.getByText('text/plain').first()).toBeVisible();
    await details.getByLabel('Cache control').fill('max-age=60');
    await details.getByLabel('Content disposition').fill('attachment; filename="m.txt"');
    await details.getByRole('button', { name: '+ Add metadata' }).click();
    await details.getByLabel('Metadata name 1').fill('owner');
    await details.getByLabel('Metadata value 1').fill('e2e <team>');
    await details.getByRole('button', { name: 'Save metadata' }).click();
    await expect(details.getByRole('status')).toHaveText('Metadata saved.');
    await shot('metadata-saved');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta.txt' }));
    expect(head.CacheControl).toBe('max-age=60');
    expect(head.ContentDisposition).toBe('attachment; filename="m.txt"');
    expect(head.ContentType).toBe('text/plain');
    expect(head.Metadata?.['owner']).toBe('e2e <team>');
    expect((await s3Bytes(s3, bucket, 'meta.txt')).toString()).toBe('meta');
  });
});
