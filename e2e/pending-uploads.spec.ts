import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { expect, test } from './fixtures';
import { openPath, row } from './ui';

async function openUploads(client: S3Client, bucket: string): Promise<Array<{ key: string; uploadId: string; initiated: string }>> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (out.Uploads ?? []).map((u) => ({ key: u.Key ?? '', uploadId: u.UploadId ?? '', initiated: u.Initiated?.toISOString() ?? '' }));
}

test.describe('unfinished uploads', () => {
  test.beforeEach(async ({ app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
  });

  test('lists abandoned multipart uploads of a bucket and aborts them', async ({ page, app, emulators, shot }) => {
    const s3 = emulators.clients.s3;
    // A bucket of its own: the emulators' data is shared by every spec of the run.
    const bucket = `pending-${Date.now().toString(36)}`;
    const crashed = 'videos/half <b>uploaded</b> & "quoted".mp4';
    const other = 'backup/db.dump';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'finished.txt', Body: 'kept' }));
    const first = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: crashed }));
    await s3.send(new UploadPartCommand({ Bucket: bucket, Key: crashed, UploadId: first.UploadId, PartNumber: 1, Body: Buffer.alloc(5 * 1024 * 1024, 7) }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: other }));
    const before = await openUploads(s3, bucket);
    expect(before.map((u) => u.key).sort()).toEqual([other, crashed].sort());

    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', [bucket]);
    await expect(row(left, 'finished.txt')).toBeVisible();
    await left.getByRole('button', { name: 'Unfinished uploads' }).click();
    const dialog = page.getByRole('dialog', { name: 'Unfinished uploads' });
    const rows = dialog.getByTestId('pending-upload');
    await expect(rows).toHaveCount(2);

    // The key is shown as text (no markup runs), with its start time in the user's locale and an age.
    const crashedRow = rows.filter({ hasText: 'half <b>uploaded</b>' });
    await expect(crashedRow).toHaveCount(1);
    await expect(crashedRow.locator('td').nth(1)).toHaveText(crashed);
    await expect(dialog.locator('b')).toHaveCount(0);
    const initiated = before.find((u) => u.key === crashed)?.initiated ?? '';
    const localTime = await page.evaluate(
      (iso) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
      initiated,
    );
    await expect(crashedRow.locator('td').nth(2)).toHaveText(localTime);
    await expect(crashedRow.locator('td').nth(3)).toHaveText(/now|minute/);
    await shot('listed');

    // Abort one: only that upload goes.
    const abort = dialog.getByRole('button', { name: /^Abort/ });
    await expect(abort).toBeDisabled();
    await dialog.getByRole('checkbox', { name: `Select ${crashed}` }).check();
    await abort.click();
    await expect(dialog.getByTestId('abort-result')).toHaveText('Aborted 1 upload. Their stored parts are deleted.');
    await expect(rows).toHaveCount(1);
    await expect(rows.first().locator('td').nth(1)).toHaveText(other);
    expect((await openUploads(s3, bucket)).map((u) => u.key)).toEqual([other]);

    // Then all that are left.
    await dialog.getByRole('checkbox', { name: 'Select all' }).check();
    await abort.click();
    await expect(dialog.getByTestId('abort-result')).toHaveText('Aborted 1 upload. Their stored parts are deleted.');
    await expect(dialog.getByText(`No unfinished uploads in ${bucket}.`)).toBeVisible();
    await shot('all-aborted');
    expect(await openUploads(s3, bucket)).toEqual([]);

    // The finished object is untouched; the row menu opens the same dialog, which now finds nothing.
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await expect(dialog).toBeHidden();
    await row(left, 'finished.txt').click({ button: 'right' });
    await page.getByRole('menu', { name: 'Object actions' }).getByRole('menuitem', { name: 'Unfinished uploads…' }).click();
    await expect(dialog.getByText(`No unfinished uploads in ${bucket}.`)).toBeVisible();
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'finished.txt' }))).ContentLength).toBe(4);
  });
});
