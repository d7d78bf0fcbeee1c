import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tarOf } from '../tools/demo/tar';
import { expect, test } from './fixtures';
import { openPath } from './ui';

const BUCKET = 'scanned-listing';
const COUNT = 1_500;
const keyOf = (i: number): string => `s-${String(i).padStart(5, '0')}.txt`;

test.describe('a partial listing against its whole', () => {
  test('a bucket too big for one page says how many objects its last cost scan counted, and when', async ({ page, app, emulators }) => {
    const s3 = emulators.clients.s3;
    try {
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    } catch {
      // Made by an earlier run against the same emulators.
    }
    const have = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: keyOf(COUNT - 2) }));
    if ((have.KeyCount ?? 0) === 0) {
      // MinIO unpacks a tar itself (snowball auto-extract): one PUT instead of 1,500.
      const files = Array.from({ length: COUNT }, (_, i) => ({ name: keyOf(i), body: Buffer.from(`key ${i}\n`) }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'batch.tar', Body: tarOf(files), Metadata: { 'snowball-auto-extract': 'true' } }));
    }
    await app.saveAccounts(emulators.accounts);

    // No scan yet: the bar says only that there is more.
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', [BUCKET]);
    await expect(left.getByTestId('left-partial')).toContainText('1,000 names loaded; more in this listing.');

    // A cost scan of the bucket (as Costs > Bucket analytics runs it), then the listing again.
    const { id } = await app.invoke('costs:scan', { uri: `s3://minio/${BUCKET}/` });
    await expect.poll(async () => (await app.invoke('costs:scanResult', { id })).state, { timeout: 60_000 }).toBe('done');
    await page.reload();
    const again = await openPath(page, 'left', 'minio', [BUCKET]);
    const bar = again.getByTestId('left-partial');
    await expect(bar).toContainText(/1,000 of about 1,500 objects loaded \(scan of .*\d{4}.*\)\./);
    await bar.getByRole('button', { name: 'Load all' }).click();
    await expect(again.getByTestId('left-status')).toContainText('1,500 files', { timeout: 60_000 });
    await expect(bar).toHaveCount(0);
  });

  test('a local folder too big for one page says its real count of names', async ({ page, app }) => {
    const root = await mkdtemp(path.join(tmpdir(), 'skyferry-totals-'));
    try {
      const dir = path.join(root, 'many');
      await mkdir(path.join(dir, 'sub'), { recursive: true });
      await Promise.all(Array.from({ length: 1_199 }, (_, i) => writeFile(path.join(dir, `f-${String(i).padStart(4, '0')}.txt`), `file ${i}\n`)));
      await app.saveAccounts([{ kind: 'local', name: 'disk', root }]);
      await page.goto(app.url);
      const left = await openPath(page, 'left', 'disk', ['many']);
      const bar = left.getByTestId('left-partial');
      await expect(bar).toContainText('1,000 of 1,200 names loaded; more in this folder.');
      await expect(left.getByTestId('left-status')).toContainText('first 1,000 of 1,200 loaded');
      await bar.getByRole('button', { name: 'Load all' }).click();
      await expect(left.getByTestId('left-status')).toContainText('1 folder, 1,199 files', { timeout: 60_000 });
      await expect(bar).toHaveCount(0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
