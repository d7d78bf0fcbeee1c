import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { SHIPPED_CATALOG } from '../electron/engine/costs/catalog';
import { findClass, findRegion } from '../electron/engine/costs/lookup';
import { formatSize } from '../renderer/src/format';
import { expect, test } from './fixtures';

/**
 * Issue 6 item 5, retention: in Costs > Retention the user previews the objects older than N days under a prefix,
 * reads the count, size and monthly saving in the confirmation, confirms, and the objects are gone (MinIO) or in
 * the new class (Azurite), checked with the SDKs. MinIO and Azurite cannot date an object in the past, so the age
 * is 0 days: everything written before the preview.
 */
test.use({ locale: 'en-US' });

const GiB = 2 ** 30;
const usd = (v: number): string =>
  v !== 0 && Math.abs(v) < 0.01
    ? new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 }).format(v)
    : new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);
const storagePrice = (provider: string, region: string, cls?: string): number =>
  findClass(findRegion(SHIPPED_CATALOG, provider, region), cls).storageUsdPerGbMonth[0]?.usdPerGb.value ?? NaN;

async function openRetention(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Costs' }).click();
  await page.getByRole('tab', { name: 'Retention' }).click();
}

async function fill(page: Page, account: string, bucket: string, prefix: string, days: number): Promise<void> {
  await page.getByRole('combobox', { name: 'Account', exact: true }).selectOption(account);
  await expect(page.getByRole('combobox', { name: 'Bucket', exact: true }).locator('option', { hasText: bucket })).toHaveCount(1);
  await page.getByRole('combobox', { name: 'Bucket', exact: true }).selectOption(bucket);
  await page.getByRole('textbox', { name: 'Prefix (optional)' }).fill(prefix);
  await page.getByRole('spinbutton', { name: 'Older than (days)' }).fill(String(days));
}

test.describe('retention in the Costs view', () => {
  test.beforeEach(async ({ app, emulators }) => {
    await app.saveAccounts(emulators.accounts);
  });

  test('deletes the objects older than 0 days on MinIO after a confirmation that states count, size and saving', async ({ page, app, emulators, shot }) => {
    const s3 = emulators.clients.s3;
    const bucket = emulators.buckets.s3;
    const folder = `retention-${Date.now()}/`;
    const sizes = [1200, 3400, 560];
    for (const [i, size] of sizes.entries()) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}old-${i}.log`, Body: Buffer.alloc(size, 1) }));
    // Object dates are whole seconds on S3: the preview's cutoff must come after them.
    await new Promise((r) => setTimeout(r, 1100));

    await openRetention(page, app.url);
    await fill(page, emulators.accountNames.s3, bucket, folder, 0);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const total = sizes.reduce((a, b) => a + b, 0);
    await expect(page.getByTestId('retention-matched')).toHaveText(`3 (${formatSize(total)})`);
    const saving = (total / GiB) * storagePrice('aws-s3', 'us-east-1');
    await expect(page.getByTestId('retention-saving')).toHaveText(`${usd(saving)} a month`);
    await expect(page.getByRole('table', { name: 'Largest matching objects' }).getByRole('rowheader')).toHaveText([`${folder}old-1.log`, `${folder}old-0.log`, `${folder}old-2.log`]);

    // Written after the preview: the run must leave it alone and say so.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}old-2.log`, Body: 'rewritten' }));

    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete old objects' });
    await expect(dialog.getByTestId('retention-confirm-text')).toHaveText(`Delete 3 objects (${formatSize(total)}) older than 0 days: saves ${usd(saving)}/month`);
    await shot('confirm-delete');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(dialog).toBeHidden();

    await expect(page.getByTestId('retention-report')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('retention-report-done')).toHaveText(`2 (${formatSize(1200 + 3400)})`);
    await expect(page.getByTestId('retention-report-skipped')).toHaveText('1');
    await expect(page.getByRole('table', { name: 'Objects skipped or failed' })).toContainText('changed since the preview');
    await expect(page.getByRole('region', { name: 'Transfers' }).getByTestId('job').first()).toContainText('Retention: delete 3 objects');
    await shot('report');

    const left = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder }));
    expect((left.Contents ?? []).map((o) => o.Key)).toEqual([`${folder}old-2.log`]);
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${folder}old-2.log` }))).ContentLength).toBe('rewritten'.length);
  });

  test('moves Hot blobs to Cool on Azurite, read back with the Azure SDK', async ({ page, app, emulators }) => {
    const container = emulators.clients.azure.getContainerClient(emulators.buckets.azure);
    const folder = `retention-${Date.now()}/`;
    for (const i of [0, 1]) await container.getBlockBlobClient(`${folder}b-${i}.dat`).upload(Buffer.alloc(4096), 4096, { tier: 'Hot' });
    await new Promise((r) => setTimeout(r, 1100));

    await openRetention(page, app.url);
    await fill(page, emulators.accountNames.azure, emulators.buckets.azure, folder, 0);
    await page.getByRole('combobox', { name: 'Action' }).selectOption('set-class');
    await page.getByRole('combobox', { name: 'Storage class' }).fill('Cool');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect(page.getByTestId('retention-matched')).toHaveText(`2 (${formatSize(8192)})`);
    const saving = (8192 / GiB) * (storagePrice('azure-blob', 'eastus', 'Hot') - storagePrice('azure-blob', 'eastus', 'Cool'));
    await expect(page.getByTestId('retention-saving')).toHaveText(`${usd(saving)} a month`);
    await expect(page.getByTestId('retention-one-time')).toContainText('Change of class to Cool');

    await page.getByRole('button', { name: 'Move…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change storage class' });
    await expect(dialog.getByTestId('retention-confirm-text')).toHaveText(`Move 2 objects (${formatSize(8192)}) older than 0 days to Cool: saves ${usd(saving)}/month`);
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();

    await expect(page.getByTestId('retention-report')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('retention-report-done')).toHaveText(`2 (${formatSize(8192)})`);
    for (const i of [0, 1]) expect((await container.getBlobClient(`${folder}b-${i}.dat`).getProperties()).accessTier).toBe('Cool');
  });

  test('flags the Archive and Cool blobs that need care, per object and in counts, before anything runs (Azurite)', async ({ page, app, emulators, shot }) => {
    const container = emulators.clients.azure.getContainerClient(emulators.buckets.azure);
    const folder = `retention-care-${Date.now()}/`;
    for (const [name, size, tier] of [['hot.dat', 1000, 'Hot'], ['cool.dat', 2000, 'Cool'], ['arch.dat', 3000, 'Hot']] as const) {
      await container.getBlockBlobClient(`${folder}${name}`).upload(Buffer.alloc(size), size, { tier });
    }
    await container.getBlobClient(`${folder}arch.dat`).setAccessTier('Archive');
    await new Promise((r) => setTimeout(r, 1100));

    await openRetention(page, app.url);
    await fill(page, emulators.accountNames.azure, emulators.buckets.azure, folder, 0);
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect(page.getByTestId('retention-matched')).toHaveText(`3 (${formatSize(6000)})`);
    // A delete: Cool (30 days) and Archive (180 days) were written just now, so deleting them pays early deletion.
    await expect(page.getByTestId('retention-caution-early-deletion')).toHaveText(`2 (${formatSize(5000)})`);
    await expect(page.getByTestId('retention-caution-rehydration')).toHaveCount(0);
    const largest = page.getByRole('table', { name: 'Largest matching objects' });
    await expect(largest.getByRole('row', { name: new RegExp(`${folder}cool\\.dat`) })).toContainText('Under its minimum storage time: early-deletion fee');
    await expect(largest.getByRole('row', { name: new RegExp(`${folder}hot\\.dat`) }).getByRole('cell').last()).toHaveText('');
    await expect(page.getByRole('table', { name: 'Matching objects that need care' }).getByRole('rowheader')).toHaveText([`${folder}arch.dat`, `${folder}cool.dat`]);

    // A move to Cool: the Cool blob is left out, the Archive blob rehydrates for hours.
    await page.getByRole('combobox', { name: 'Action' }).selectOption('set-class');
    await page.getByRole('combobox', { name: 'Storage class' }).fill('Cool');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect(page.getByTestId('retention-matched')).toHaveText(`2 (${formatSize(4000)})`);
    await expect(page.getByTestId('retention-caution-rehydration')).toHaveText(`1 (${formatSize(3000)})`);
    await expect(page.getByTestId('retention-caution-early-deletion')).toHaveText(`1 (${formatSize(3000)})`);
    await expect(page.getByTestId('retention-preview')).toContainText('1 blob is in the Archive tier: setting Cool starts a rehydration that takes up to 15 hours');
    await expect(page.getByRole('table', { name: 'Largest matching objects' }).getByRole('row', { name: new RegExp(`${folder}arch\\.dat`) }))
      .toContainText('In Archive: rehydrates for hours after the change; Under its minimum storage time: early-deletion fee');
    await page.getByRole('button', { name: 'Move…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change storage class' });
    await expect(dialog.getByTestId('retention-confirm-cautions')).toHaveText('Needs care: 1 rehydrating from Archive for hours, 1 with an early-deletion fee (see the preview).');
    await shot('confirm-cautions');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
  });
});
