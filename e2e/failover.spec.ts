import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { expect, test } from './fixtures';
import { openPath, row, waitForJobs } from './ui';

test.describe('download with failover', () => {
  test('reads the GCS copy when the S3 one is gone, and the transfers panel says so', async ({ page, app, emulators, shot }) => {
    await app.saveAccounts(emulators.accounts);
    const folder = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-failover-'));
    const stamp = Date.now().toString(36);
    const prefix = `failover-${stamp}`;
    const key = `${prefix}/report.bin`;
    const bytes = randomBytes(200 * 1024);
    await emulators.clients.s3.send(new PutObjectCommand({ Bucket: emulators.buckets.s3, Key: key, Body: bytes }));
    await emulators.clients.gcs.bucket(emulators.buckets.gcs).file(key).save(bytes, { resumable: false });
    const alternate = `gs://${emulators.accountNames.gcs}/${emulators.buckets.gcs}/${key}`;

    await page.goto(app.url);
    const left = await openPath(page, 'left', emulators.accountNames.s3, [emulators.buckets.s3, prefix]);
    await row(left, 'report.bin').click();
    await page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: 'Download…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Download' });
    await dialog.getByLabel('Folder on this computer').fill(folder);
    const alternates = dialog.getByLabel('If this location fails, read from:');
    // A folder is refused at the field, before anything starts.
    await alternates.fill(`gs://${emulators.accountNames.gcs}/${emulators.buckets.gcs}/${prefix}/`);
    await dialog.getByRole('button', { name: 'Download' }).click();
    await expect(dialog.getByRole('alert')).toContainText('is not an object');
    await expect(alternates).toHaveAttribute('aria-invalid', 'true');
    await alternates.fill(alternate);
    await shot('dialog-with-alternate');

    // The S3 copy goes away after it was chosen: the read must fail over to GCS.
    await emulators.clients.s3.send(new DeleteObjectCommand({ Bucket: emulators.buckets.s3, Key: key }));
    await dialog.getByRole('button', { name: 'Download' }).click();
    await expect(dialog).toBeHidden();
    await waitForJobs(page);

    expect((await readFile(path.join(folder, 'report.bin'))).equals(bytes)).toBe(true);
    const transfers = page.getByRole('region', { name: 'Transfers' });
    await transfers.getByTestId('job').first().getByRole('button', { name: /^Files of / }).click();
    const notice = `Read from ${alternate} after s3://${emulators.accountNames.s3}/${emulators.buckets.s3}/${key} failed:`;
    await expect(transfers.getByText(notice)).toBeVisible();
    await shot('notice-in-transfers');
  });
});
