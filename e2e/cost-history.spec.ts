import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { DEFAULT_MULTIPART } from '../electron/engine/providers/provider';
import { expect, test } from './fixtures';

/**
 * Costs > History in the served mode against the demo data: empty at first; two scans of demo-photos show as two
 * points with the objects and monthly cost the S3 SDK's listing gives; a copy to Azurite shows the bytes the Azure
 * SDK finds and one PUT per small object, one multipart upload (and its parts) per large one.
 */
test.use({ locale: 'en-US' });

/** The providers' default multipart sizing: the served mode keeps it. */
const THRESHOLD = DEFAULT_MULTIPART.thresholdBytes;
const PART = DEFAULT_MULTIPART.partSizeBytes;
const count = (n: number): string => n.toLocaleString('en-US');
const usd = (v: number): string =>
  v !== 0 && Math.abs(v) < 0.01
    ? new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 }).format(v)
    : new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v);

async function listSizes(s3: S3Client, bucket: string): Promise<{ sizes: number[]; classes: Set<string> }> {
  const sizes: number[] = [];
  const classes = new Set<string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      sizes.push(o.Size ?? 0);
      classes.add(o.StorageClass ?? '(default)');
    }
    token = page.NextContinuationToken;
  } while (token);
  return { sizes, classes };
}

async function openHistory(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Costs' }).click();
  await page.getByRole('tab', { name: 'History' }).click();
}

async function scanOnce(page: Page, account: string, bucket: string, objects: number): Promise<void> {
  await page.getByRole('tab', { name: 'Bucket analytics' }).click();
  await page.getByRole('combobox', { name: 'Account', exact: true }).selectOption(account);
  await expect(page.getByRole('combobox', { name: 'Bucket', exact: true }).locator('option', { hasText: bucket })).toHaveCount(1);
  await page.getByRole('combobox', { name: 'Bucket', exact: true }).selectOption(bucket);
  await page.getByRole('button', { name: 'Scan', exact: true }).click();
  await expect(page.getByTestId('scan-objects')).toHaveText(count(objects), { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Scan', exact: true })).toBeEnabled();
}

test('History: empty, then two scans of demo-photos, a copy to Azurite and its deletion, with their figures', async ({ page, app, emulators, shot }) => {
  const csp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  await app.saveAccounts(emulators.accounts);
  await page.goto(app.url);
  await openHistory(page);
  await expect(page.getByTestId('history-empty')).toHaveText('Nothing is recorded yet. Finished bucket scans, copies, moves, migrations and deletes appear here.');

  // Two scans of the same bucket: two rows, each with the SDK's object count and the monthly cost at S3 Standard.
  const { sizes, classes } = await listSizes(emulators.clients.s3, emulators.buckets.s3);
  const bytes = sizes.reduce((n, s) => n + s, 0);
  await scanOnce(page, emulators.accountNames.s3, emulators.buckets.s3, sizes.length);
  await scanOnce(page, emulators.accountNames.s3, emulators.buckets.s3, sizes.length);
  await page.getByRole('tab', { name: 'History' }).click();
  const uri = `s3://${emulators.accountNames.s3}/${emulators.buckets.s3}/`;
  const scans = page.getByRole('table', { name: `Scans of ${uri}` });
  await expect(scans.locator('tbody tr')).toHaveCount(2);
  for (const row of await scans.locator('tbody tr').all()) {
    await expect(row.locator('td').nth(0)).toHaveText(count(sizes.length));
    // S3 Standard in us-east-1: $0.023 per GB-month, GB = 2^30 bytes.
    await expect(row.locator('td').last()).toHaveText(usd((bytes / 2 ** 30) * 0.023));
  }
  await expect(page.getByRole('figure', { name: `Monthly storage cost by class of ${uri}` }).locator('.recharts-line-dot')).toHaveCount(2 * classes.size);
  await expect(page.getByText('No copy, move, migration or delete has finished yet.')).toBeVisible();
  await shot('scans');

  // A copy of the whole bucket to Azurite, started as the Browse view starts one.
  const prefix = `history-${Date.now()}/`;
  const { id } = await app.invoke('jobs:start', { kind: 'copy', sources: [uri], destination: `az://${emulators.accountNames.azure}/${emulators.buckets.azure}/${prefix}` });
  await expect
    .poll(async () => (await app.invoke('jobs:list', {})).find((j) => j.id === id)?.state, { timeout: 120_000 })
    .toBe('completed');
  let copied = 0;
  let blobs = 0;
  for await (const b of emulators.clients.azure.getContainerClient(emulators.buckets.azure).listBlobsFlat({ prefix })) {
    blobs++;
    copied += b.properties.contentLength ?? 0;
  }
  expect(blobs).toBe(sizes.length);
  const small = sizes.filter((s) => s < THRESHOLD).length;
  const large = sizes.filter((s) => s >= THRESHOLD);
  const parts = large.reduce((n, s) => n + Math.ceil(s / PART), 0);
  // An object of four parts or more is read in parallel ranged GETs, one per part (as AzCopy and s5cmd read them).
  const gets = sizes.reduce((n, s) => n + (s > 3 * PART ? Math.ceil(s / PART) : 1), 0);

  // The panel stayed open: the job's end refreshed it, no click needed.
  const runs = page.getByRole('table', { name: 'Finished transfers' });
  await expect(runs.locator('tbody tr')).toHaveCount(1);
  const header = await runs.locator('thead th').allTextContents();
  const cell = (name: string) => runs.locator('tbody tr').first().locator('th, td').nth(header.indexOf(name));
  await expect(cell('Transfer')).toContainText('Copy "demo-photos" to az://');
  await expect(cell('State')).toHaveText('completed');
  await expect(cell('Estimated bytes')).toHaveText(count(bytes));
  await expect(cell('Moved bytes')).toHaveText(count(copied));
  await expect(cell('GET')).toHaveText(count(gets));
  await expect(cell('PUT')).toHaveText(count(small));
  await expect(cell('Multipart uploads')).toHaveText(count(large.length));
  await expect(cell('Parts')).toHaveText(count(parts));
  await expect(cell('COPY')).toHaveText('0');
  await expect(cell('Estimated cost')).toHaveText(/^\$/);
  await expect(cell('Actual cost')).toHaveText(/^\$/);
  await expect(page.getByRole('figure', { name: 'Estimated and actual cost' }).locator('.recharts-bar-rectangle')).toHaveCount(2);
  await runs.scrollIntoViewIfNeeded();
  await shot('copy');

  // Deleting the copy: a row of its own that says what it removed, and the blobs are gone (read with the SDK).
  const del = await app.invoke('jobs:start', { kind: 'delete', sources: [`az://${emulators.accountNames.azure}/${emulators.buckets.azure}/${prefix}`] });
  await expect
    .poll(async () => (await app.invoke('jobs:list', {})).find((j) => j.id === del.id)?.state, { timeout: 120_000 })
    .toBe('completed');
  await expect(runs.locator('tbody tr')).toHaveCount(2);
  const deleteRow = runs.locator('tbody tr').filter({ hasText: 'Delete' });
  await expect(deleteRow.locator('th')).toContainText(`Deleted ${count(blobs)} files`);
  await expect(deleteRow.locator('td').nth(header.indexOf('Moved bytes') - 1)).toHaveText('0');
  let left = 0;
  for await (const _ of emulators.clients.azure.getContainerClient(emulators.buckets.azure).listBlobsFlat({ prefix })) left++;
  expect(left).toBe(0);
  expect(csp, 'no CSP violation while the charts draw').toEqual([]);
});
