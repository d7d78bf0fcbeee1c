import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Locator, Page } from '@playwright/test';
import { expect, test, type EmulatorSet } from './fixtures';
import { openPath, row, waitForJobs } from './ui';

/**
 * A folder of its own per run (the emulators' data lives for the whole run) holding one file, shown in the left
 * pane (MinIO demo-photos) with `right` open in the other, then F5 on it: the copy confirmation opens.
 */
async function f5Folder(page: Page, url: string, e: EmulatorSet, name: string, body: string, right: [string, string]): Promise<{ folder: string; left: Locator }> {
  const folder = `${name}-${Date.now()}`;
  await e.clients.s3.send(new PutObjectCommand({ Bucket: e.buckets.s3, Key: `${folder}/${name}.txt`, Body: body }));
  await page.goto(url);
  const left = await openPath(page, 'left', 'minio', ['demo-photos']);
  await openPath(page, 'right', right[0], [right[1]]);
  await row(left, folder).click();
  await left.locator('.table-body').focus();
  await page.keyboard.press('F5');
  return { folder, left };
}

/**
 * Issue 6 item 4: a copy between accounts that is large or holds folders asks first, with the cost estimate
 * (egress, requests) in front of the user; Cancel starts nothing, Copy runs the job.
 */
test.describe('copy confirmation with the cost estimate', () => {
  test.beforeEach(async ({ app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
  });

  test('F5 of a folder from S3 to Azure shows the estimate; Cancel copies nothing, Copy copies', async ({ page, app, emulators, shot }) => {
    const { folder, left } = await f5Folder(page, app.url, emulators, 'estimate', 'estimate me', ['azurite', 'demo-backups']);
    const blob = emulators.clients.azure.getContainerClient(emulators.buckets.azure).getBlobClient(`${folder}/estimate.txt`);

    const dialog = page.getByRole('dialog', { name: 'Copy between accounts' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('copy-estimate-summary')).toContainText('1 folder (size not known until listed)');
    await expect(dialog.getByTestId('copy-estimate-summary')).toContainText('minio/demo-photos');
    await expect(dialog.getByTestId('copy-estimate-summary')).toContainText('azurite/demo-backups');
    const table = dialog.getByRole('table', { name: 'Estimated cost per GB' });
    await expect(table.getByRole('rowheader', { name: /egress/i }).first()).toBeVisible();
    await expect(dialog.getByTestId('copy-estimate-total')).toHaveText(/\$\d+\.\d{2}/);
    await shot('estimate');

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    const transfers = page.getByRole('region', { name: 'Transfers' });
    await expect(transfers.getByTestId('job')).toHaveCount(0);
    expect(await blob.exists()).toBe(false);

    await left.locator('.table-body').focus();
    await page.keyboard.press('F5');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(dialog).toBeHidden();
    await waitForJobs(page);
    expect((await blob.downloadToBuffer()).toString()).toBe('estimate me');
  });

  test('a small file between accounts starts without asking', async ({ page, app, emulators }) => {
    await page.goto(app.url);
    const left = await openPath(page, 'left', 'minio', ['demo-photos', 'web']);
    await openPath(page, 'right', 'azurite', ['demo-backups']);
    await row(left, 'styles.css').click();
    await left.locator('.table-body').focus();
    await page.keyboard.press('F5');
    await waitForJobs(page);
    await expect(page.getByRole('dialog')).toHaveCount(0);
    expect(await emulators.clients.azure.getContainerClient(emulators.buckets.azure).getBlobClient('styles.css').exists()).toBe(true);
  });

  test('"Let the destination pull directly (Azure)" reaches the job: Azurite cannot pull, so the file is relayed and says why', async ({ page, app, emulators, shot }) => {
    // Azurite answers Put Blob From URL with 501: the job falls back to this computer and the file's notice says so.
    const { folder } = await f5Folder(page, app.url, emulators, 'pull', 'pull me', ['azurite', 'demo-backups']);
    const blob = emulators.clients.azure.getContainerClient(emulators.buckets.azure).getBlobClient(`${folder}/pull.txt`);
    const dialog = page.getByRole('dialog', { name: 'Copy between accounts' });
    const pull = dialog.getByRole('checkbox', { name: 'Let the destination pull directly (Azure)' });
    await expect(pull).not.toBeChecked();
    // The estimate follows the choice: the relay reads a GB-sized file in parallel 5 MiB ranges (one GET each), a
    // pull reads it by the destination's blocks from a signed link.
    const estimate = dialog.getByRole('table', { name: 'Estimated cost per GB' });
    await expect(estimate).toContainText('Ranged GET from Amazon S3, one per part of the large files read in parallel ranges');
    await pull.check();
    await expect(estimate).toContainText('Ranged GET from Amazon S3, one per part');
    await expect(estimate).not.toContainText('read in parallel ranges');
    await shot('pull-choice');
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
    await waitForJobs(page);
    expect((await blob.downloadToBuffer()).toString()).toBe('pull me');

    const job = page.getByRole('region', { name: 'Transfers' }).getByTestId('job').first();
    await expect(job).toContainText('through this computer');
    await job.getByRole('button', { name: /^Files of / }).click();
    await expect(job.locator('.job-file-notice')).toContainText('The destination could not pull it directly');
    await expect(job.locator('.job-file-notice')).not.toContainText(/X-Amz-Signature|X-Amz-Credential/);
  });

  test('no pull choice when the destination is not Azure', async ({ page, app, emulators }) => {
    await f5Folder(page, app.url, emulators, 'nopull', 'x', ['gcs', 'demo-archive']);
    const dialog = page.getByRole('dialog', { name: 'Copy between accounts' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('checkbox')).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
