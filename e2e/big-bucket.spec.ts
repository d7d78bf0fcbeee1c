import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { tarOf } from '../tools/demo/tar';
import { expect, test } from './fixtures';
import { openPath, row } from './ui';

const BUCKET = 'big-listing';
const COUNT = 12_000;
const keyOf = (i: number): string => `k-${String(i).padStart(6, '0')}.txt`;

/**
 * Holds each `objects:list` request for a while on its way to the engine, so that a whole-listing load takes long
 * enough to watch its progress and cancel it.
 */
async function slowListings(page: Page, ms: number): Promise<void> {
  await page.routeWebSocket(/\/ws\?/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (typeof message === 'string' && message.includes('"objects:list"')) setTimeout(() => server.send(message), ms);
      else server.send(message);
    });
  });
}

test.describe('big buckets, honestly', () => {
  test.beforeAll(async ({ emulators }) => {
    const s3 = emulators.clients.s3;
    try {
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    } catch {
      // Made by an earlier test of this run.
    }
    const have = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: keyOf(COUNT - 2) }));
    if ((have.KeyCount ?? 0) > 0) return;
    // MinIO unpacks tar batches itself (snowball auto-extract): three PUTs instead of 12,000.
    for (let b = 0; b < 3; b++) {
      const files = [];
      for (let i = b * 4000; i < (b + 1) * 4000; i++) files.push({ name: keyOf(i), body: Buffer.from(`key ${i}\n`) });
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `batch-${b}.tar`, Body: tarOf(files), Metadata: { 'snowball-auto-extract': 'true' } }));
    }
  });

  test('a partial listing says so; Load all shows progress, can be cancelled, and finishes', async ({ page, app, emulators, shot }) => {
    await app.saveAccounts(emulators.accounts);
    await slowListings(page, 300);
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', [BUCKET]);
    const bar = left.getByTestId('left-partial');
    await expect(bar).toContainText('1,000 names loaded; more in this listing.');
    await expect(left.getByTestId('left-status')).toContainText('first 1,000 loaded');
    await bar.getByRole('button', { name: 'Load all' }).click();
    await expect(bar.getByRole('progressbar')).toBeVisible();
    await expect(bar).toContainText(/Loading the whole listing… [\d,]+ names so far/);
    await shot('loading-all');
    await bar.getByRole('button', { name: 'Cancel' }).click();
    await expect(bar).toContainText(/Stopped at [\d,]+ names\./);
    await expect(left.getByTestId('left-status')).not.toContainText('12,000 files');
    await bar.getByRole('button', { name: 'Load all' }).click();
    await expect(left.getByTestId('left-status')).toContainText('12,000 files', { timeout: 60_000 });
    await expect(bar).toHaveCount(0);
  });

  test('End over a partial listing loads the rest and goes to the real last key', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await slowListings(page, 150);
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', [BUCKET]);
    await left.getByRole('grid').focus();
    await page.keyboard.press('End');
    await expect(left.getByTestId('left-partial')).toContainText('Loading the rest of the listing to go to its end');
    await expect(row(left, keyOf(COUNT - 1))).toBeVisible({ timeout: 60_000 });
    await expect(row(left, keyOf(COUNT - 1))).toHaveAttribute('aria-selected', 'true');
    await expect(left.getByTestId('left-status')).toContainText('12,000 files');
  });

  test('sorting a partial listing says it sorted only what is loaded', async ({ page, app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', [BUCKET]);
    await left.getByRole('button', { name: 'Sort by Name' }).click();
    await expect(left.getByTestId('left-partial')).toContainText('Sorted only what is loaded.');
    await expect(left.getByTestId('left-partial').getByRole('button', { name: 'Load all' })).toBeVisible();
  });

  test('Contains searches the whole listing while it loads pages, and can be cancelled', async ({ page, app, emulators, shot }) => {
    await app.saveAccounts(emulators.accounts);
    await slowListings(page, 300);
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', [BUCKET]);
    const filter = left.getByLabel('Filter loaded names containing');
    const bar = left.getByTestId('left-partial');
    await filter.fill('k-0119');
    await expect(bar).toContainText('Searching the whole listing for “k-0119”…');
    await shot('searching');
    await bar.getByRole('button', { name: 'Cancel' }).click();
    await expect(bar).toContainText('The filter covers only what is loaded.');
    // Asked again, it runs to the end and finds keys far past the first page.
    await bar.getByRole('button', { name: 'Load all' }).click();
    await expect(row(left, keyOf(11_900))).toBeVisible({ timeout: 60_000 });
    await expect(left.getByTestId('left-status')).toContainText('showing 100 of 12,000');
    await expect(bar).toHaveCount(0);
  });
});
