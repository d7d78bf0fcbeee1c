import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, generateAccountSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { expect, test } from './fixtures';

async function openNewAccount(page: Page, kind: string, name: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Accounts' });
  await dialog.getByRole('button', { name: '+ New account' }).click();
  await dialog.getByLabel('Kind').selectOption({ label: kind });
  await dialog.getByLabel('Account name', { exact: true }).fill(name);
}

async function testAndSave(page: Page, name: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Accounts' });
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByTestId('account-test-result')).toHaveClass(/ok/, { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByRole('list', { name: 'Saved accounts' })).toContainText(name);
}

test.describe('accounts dialog', () => {
  test('adds S3, GCS, Azure and local accounts, each tested first', async ({ page, app, emulators, shot }) => {
    const { minio, gcs, azurite } = emulators.handles;
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Accounts' }).click();
    const dialog = page.getByRole('dialog', { name: 'Accounts' });

    await openNewAccount(page, 'Amazon S3 / S3-compatible', 'ui-s3');
    await dialog.getByLabel('Endpoint URL').fill(minio.endpoint);
    await dialog.getByLabel(/Path-style addressing/).check();
    await dialog.getByLabel('Access key ID').fill(minio.accessKeyId);
    await dialog.getByLabel('Secret access key').fill(minio.secretAccessKey);
    await shot('s3-form');
    await testAndSave(page, 'ui-s3');

    await openNewAccount(page, 'Google Cloud Storage', 'ui-gcs');
    await dialog.getByLabel('Project ID (optional)').fill(gcs.projectId);
    await dialog.getByLabel('Endpoint URL (optional)').fill(gcs.endpoint);
    await testAndSave(page, 'ui-gcs');

    await openNewAccount(page, 'Azure Blob Storage', 'ui-azure');
    await dialog.getByLabel('Sign in with').selectOption('sharedKey');
    await dialog.getByLabel('Storage account name').fill(azurite.accountName);
    await dialog.getByLabel('Blob service URL').fill(azurite.endpoint);
    await dialog.getByLabel('Account key').fill(azurite.accountKey);
    await testAndSave(page, 'ui-azure');

    const folder = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-local-'));
    await openNewAccount(page, 'Local folder', 'ui-local');
    await dialog.getByLabel('Folder', { exact: true }).fill(folder);
    await testAndSave(page, 'ui-local');
    await shot('all-saved');

    const saved = await app.invoke('accounts:list', {});
    expect(saved.map((a) => a.settings.name)).toEqual(expect.arrayContaining(['ui-s3', 'ui-gcs', 'ui-azure', 'ui-local']));
    // Secrets stay in the engine: the renderer only learns that there are some.
    expect(JSON.stringify(saved)).not.toContain(minio.secretAccessKey);
    expect(JSON.stringify(saved)).not.toContain(azurite.accountKey);

    await dialog.getByRole('button', { name: 'Close' }).click();
    const picker = page.getByRole('combobox', { name: 'Left pane account' });
    await picker.selectOption('ui-s3');
    await expect(page.getByRole('region', { name: 'Left pane' }).getByRole('gridcell', { name: 'demo-photos', exact: true })).toBeVisible();
  });

  test('a wrong key gives a clear error and no secret is shown', async ({ page, app, emulators, shot }) => {
    const { minio } = emulators.handles;
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Accounts' }).click();
    const dialog = page.getByRole('dialog', { name: 'Accounts' });
    await openNewAccount(page, 'Amazon S3 / S3-compatible', 'wrong-key');
    await dialog.getByLabel('Endpoint URL').fill(minio.endpoint);
    await dialog.getByLabel(/Path-style addressing/).check();
    await dialog.getByLabel('Access key ID').fill(minio.accessKeyId);
    await dialog.getByLabel('Secret access key').fill('not-the-secret-123');
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const result = dialog.getByTestId('account-test-result');
    await expect(result).toHaveClass(/fail/, { timeout: 30_000 });
    await expect(result).toContainText(/key|secret|credential|denied|rejected|signature/i);
    await expect(result).not.toContainText('not-the-secret-123');
    await shot('wrong-key');
  });

  test('invalid input is explained at the fields', async ({ page, app }) => {
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Accounts' }).click();
    const dialog = page.getByRole('dialog', { name: 'Accounts' });
    await openNewAccount(page, 'Amazon S3 / S3-compatible', 'bad name!');
    await dialog.getByLabel('Endpoint URL').fill('not a url');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(dialog.getByLabel('Account name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog).toContainText('Use letters, digits, dot, dash and underscore');
    await expect(dialog).toContainText('Enter a full URL');
    await expect(dialog).toContainText('Enter the access key ID');
    expect((await app.invoke('accounts:list', {})).map((a) => a.settings.name)).not.toContain('bad name!');
  });

  test('a pasted SAS URL becomes endpoint, container and token; a moved endpoint asks for the secrets again', async ({ page, app, emulators, shot }) => {
    const { azurite, minio } = emulators.handles;
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3600_000),
        permissions: AccountSASPermissions.parse('rl'),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        services: AccountSASServices.parse('b').toString(),
      },
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    ).toString();
    await page.goto(app.url);
    await page.getByRole('button', { name: 'Accounts' }).click();
    const dialog = page.getByRole('dialog', { name: 'Accounts' });

    await openNewAccount(page, 'Azure Blob Storage', 'pasted-sas');
    await dialog.getByLabel('Blob service URL').fill(`${azurite.endpoint}/${emulators.buckets.azure}?${sas}`);
    await expect(dialog.getByLabel('Sign in with')).toHaveValue('sas');
    await expect(dialog.getByLabel('Blob service URL')).toHaveValue(azurite.endpoint);
    await expect(dialog.getByLabel('Only this container (optional)')).toHaveValue(emulators.buckets.azure);
    await expect(dialog.getByLabel('SAS token')).toHaveValue(sas);
    await shot('sas-url-split');
    await testAndSave(page, 'pasted-sas');
    const saved = (await app.invoke('accounts:list', {})).find((a) => a.settings.name === 'pasted-sas');
    expect(saved).toMatchObject({ settings: { endpoint: azurite.endpoint, container: emulators.buckets.azure, auth: 'sas' }, hasSecrets: true });
    expect(JSON.stringify(saved)).not.toContain('sig=');

    await openNewAccount(page, 'Amazon S3 / S3-compatible', 'moving');
    await dialog.getByLabel('Endpoint URL').fill(minio.endpoint);
    await dialog.getByLabel(/Path-style addressing/).check();
    await dialog.getByLabel('Access key ID').fill(minio.accessKeyId);
    await dialog.getByLabel('Secret access key').fill(minio.secretAccessKey);
    await testAndSave(page, 'moving');
    await dialog.getByRole('button', { name: 'Edit moving' }).click();
    await dialog.getByLabel('Endpoint URL').fill('http://127.0.0.1:9');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(dialog.getByLabel('Secret access key')).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog).toContainText('The endpoint of moving changed: enter its secrets again');
    await shot('endpoint-moved');
    expect((await app.invoke('accounts:list', {})).find((a) => a.settings.name === 'moving')?.settings).toMatchObject({ endpoint: minio.endpoint });
  });
});
