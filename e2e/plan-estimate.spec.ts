import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * Issue 6: "open a migration plan and see its estimate, edit a price and see the estimate change". A plan from
 * MinIO (priced as S3 us-east-1) to Azurite (Azure Blob East US, Hot) of three new small objects; then the Hot
 * write price is edited in Costs > Price catalog and the same plan, built again, shows the new figure.
 *
 * By hand, before: LIST at each side 1 x $0.005/1,000, 3 GET x $0.0004/1,000, 3 Put Blob x $0.005/1,000, egress
 * of 17 bytes inside the free tier: $0.0000262, shown as "$0.0000". After the write price goes to $50 per 1,000:
 * 3 x $0.05 = $0.15 instead of $0.000015, total $0.1500112, shown as "$0.15".
 */
const SRC = 'plan-estimate-src';
const ADST = 'plan-estimate-dst';

async function buildPlan(page: Page, url: string, source: string, dest: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Migrations' }).click();
  await page.getByLabel('Source location', { exact: true }).fill(source);
  await page.getByLabel('Destination 1 location', { exact: true }).fill(dest);
  await page.getByRole('button', { name: 'Build plan' }).click();
  await expect(page.getByTestId('migration-state')).toHaveText('Planned: nothing written yet', { timeout: 90_000 });
}

test('a migration plan shows its estimate, and a price edited in the catalog changes it', async ({ page, app, emulators, shot }) => {
  await app.saveAccounts(emulators.accounts);
  const { s3, azure } = emulators.clients;
  await s3.send(new CreateBucketCommand({ Bucket: SRC })).catch((err: unknown) => {
    if (!(err instanceof Error) || !/BucketAlready/.test(err.name)) throw err;
  });
  await azure.getContainerClient(ADST).createIfNotExists();
  const run = Date.now().toString(36);
  for (const [i, body] of ['one', 'two 2', 'three 333'].entries()) await s3.send(new PutObjectCommand({ Bucket: SRC, Key: `p-${run}/f${i}.txt`, Body: body }));
  const source = `s3://minio/${SRC}/p-${run}/`;
  const dest = `az://azurite/${ADST}/d-${run}/`;

  await buildPlan(page, app.url, source, dest);
  const estimate = page.getByRole('table', { name: `Estimated cost for ${dest}` });
  await expect(estimate).toBeVisible();
  const writes = estimate.getByRole('row', { name: /Write at Azure Blob/ });
  await expect(writes).toContainText(': 3 requests');
  await expect(writes).toContainText('$0.0050');
  await expect(estimate.getByTestId('cost-total')).toHaveText('$0.0000');
  await shot('plan-estimate-before');

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Costs' }).click();
  await page.getByRole('tab', { name: 'Price catalog' }).click();
  await page.getByRole('combobox', { name: 'Provider', exact: true }).selectOption('azure-blob');
  await page.getByRole('combobox', { name: 'Region', exact: true }).selectOption('eastus');
  const hot = page.getByRole('table', { name: 'Prices of Hot (Hot)' });
  const writeRow = hot.getByRole('row', { name: /Writes per 1,000/ });
  await expect(writeRow.getByTestId('price-value')).toHaveText('$0.005');
  await writeRow.getByRole('button', { name: /^Edit/ }).click();
  await writeRow.getByRole('textbox').fill('50');
  await writeRow.getByRole('button', { name: 'Save' }).click();
  await expect(writeRow.getByTestId('price-value')).toHaveText('$50.00');
  expect((await app.invoke('costs:catalog', {})).overlay.edits).toEqual([expect.objectContaining({ provider: 'azure-blob', region: 'eastus', class: 'Hot', field: 'write', value: 50 })]);

  await buildPlan(page, app.url, source, dest);
  await expect(estimate.getByTestId('cost-total')).toHaveText('$0.15');
  await expect(writes).toContainText('$50.00');
  await shot('plan-estimate-after');
});
