import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { fakeJwt, startArmStandIn, STORAGE_AUDIENCE, TEST_TENANT, trustCertificate, writeAzStandIn, type AzStandIn } from '../electron/engine/test-support/entra-stand-in';
import { startAzurite, type AzuriteHandle } from '../tools/emulators/emulators';
import { expect, test } from './fixtures';
import { openPath, row, waitForJobs } from './ui';

/**
 * "Sign in with Microsoft Entra ID" in a real browser against the served host: the host runs with a stand-in `az`
 * first on its PATH (the Azure CLI's login), trusts the test's self-signed certificate (NODE_EXTRA_CA_CERTS) and
 * lists through a stand-in Resource Manager (SKYFERRY_ARM_ENDPOINT); blobs live in Azurite over HTTPS with OAuth.
 * The `app` fixture starts the host after beforeAll, with this worker's environment.
 */
const SUBSCRIPTION = '00000000-0000-4000-8000-0000000000e2';
const CONTAINER = 'entra-e2e';
let azurite: AzuriteHandle;
let cli: AzStandIn;
let stopArm: () => Promise<void>;
let folder: string;
const saved = { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS, SKYFERRY_ARM_ENDPOINT: process.env.SKYFERRY_ARM_ENDPOINT };

const restore = (name: keyof typeof saved): void => {
  if (saved[name] === undefined) delete process.env[name];
  else process.env[name] = saved[name];
};

/** The SDK with a storage token of the stand-in tenant, to seed and check the container. */
function tokenClient(): BlobServiceClient {
  return new BlobServiceClient(azurite.endpoint, { getToken: async () => ({ token: fakeJwt(STORAGE_AUDIENCE), expiresOnTimestamp: Date.now() + 3_000_000 }) });
}

test.beforeAll(async () => {
  azurite = await startAzurite({ oauth: true });
  if (!azurite.tls) throw new Error('Azurite started without TLS');
  trustCertificate(azurite.tls.cert);
  cli = await writeAzStandIn();
  const arm = await startArmStandIn(azurite.tls, {
    subscriptions: [{ id: SUBSCRIPTION, name: 'Skyferry tests' }, { id: '00000000-0000-4000-8000-0000000000e3', name: 'Another one' }],
    storageAccounts: {
      [SUBSCRIPTION]: [
        { name: 'elsewhere', resourceGroup: 'rg-x', blobEndpoint: 'https://elsewhere.blob.core.windows.net/' },
        { name: azurite.accountName, resourceGroup: 'rg-e2e', blobEndpoint: `${azurite.endpoint}/` },
      ],
    },
    containers: { [azurite.accountName]: ['archive', CONTAINER] },
  });
  stopArm = arm.stop;
  await tokenClient().getContainerClient(CONTAINER).create();
  await tokenClient().getContainerClient(CONTAINER).getBlockBlobClient('from-azure.txt').upload('made in Azure', 13);
  folder = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-entra-'));
  await mkdir(path.join(folder, 'box'));
  await writeFile(path.join(folder, 'box', 'to-azure.txt'), 'made on this computer');
  process.env.PATH = `${cli.binDir}${path.delimiter}${saved.PATH ?? ''}`;
  process.env.NODE_EXTRA_CA_CERTS = azurite.tls.certFile;
  process.env.SKYFERRY_ARM_ENDPOINT = arm.origin;
});

test.afterAll(async () => {
  for (const name of Object.keys(saved) as (keyof typeof saved)[]) restore(name);
  await stopArm?.();
  await azurite?.stop();
  for (const dir of [cli?.binDir, folder]) if (dir) await rm(dir, { recursive: true, force: true });
});

test('adds an Entra account from the Resource Manager list, browses it and copies both ways', async ({ page, app, shot }) => {
  await app.saveAccounts([{ kind: 'local', name: 'here', root: folder }]);
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Accounts' }).click();
  const dialog = page.getByRole('dialog', { name: 'Accounts' });
  await dialog.getByRole('button', { name: '+ New account' }).click();
  await dialog.getByLabel('Kind').selectOption({ label: 'Azure Blob Storage' });
  await dialog.getByLabel('Account name', { exact: true }).fill('entra');
  await dialog.getByLabel('Sign in with').selectOption('entra');
  await dialog.getByLabel('Tenant (optional)').fill(TEST_TENANT);
  await dialog.getByRole('button', { name: 'Sign in with Microsoft Entra ID' }).click();
  await dialog.getByLabel('Subscription').selectOption({ label: 'Skyferry tests' });
  await dialog.getByLabel('Storage account').selectOption({ label: `${azurite.accountName} (westeurope)` });
  await dialog.getByLabel('Container', { exact: true }).selectOption(CONTAINER);
  await expect(dialog.getByTestId('entra-identity')).toContainText('the Azure CLI');
  await shot('entra-picked');
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByTestId('account-test-result')).toHaveClass(/ok/, { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByRole('list', { name: 'Saved accounts' })).toContainText('entra');
  await dialog.getByRole('button', { name: 'Close' }).first().click();

  const stored = await app.invoke('accounts:list', {});
  const entra = stored.find((a) => a.settings.name === 'entra');
  expect(entra?.settings).toMatchObject({ kind: 'azure', auth: 'entra', entra: { credential: 'azureCli', tenantId: TEST_TENANT }, accountName: azurite.accountName, container: CONTAINER });
  expect(entra?.hasSecrets).toBe(false);
  expect(await readFile(path.join(app.dataDir, 'accounts.json'), 'utf8')).not.toMatch(/eyJ/);

  const left = await openPath(page, 'left', 'here', ['box']);
  const right = await openPath(page, 'right', 'entra', [CONTAINER]);
  await expect(row(right, 'from-azure.txt')).toBeVisible();

  await row(left, 'to-azure.txt').click();
  await left.locator('.table-body').focus();
  await page.keyboard.press('F5');
  await waitForJobs(page);
  await expect(row(right, 'to-azure.txt')).toBeVisible();

  await row(right, 'from-azure.txt').click();
  await right.locator('.table-body').focus();
  await page.keyboard.press('F5');
  await waitForJobs(page);
  await expect(row(left, 'from-azure.txt')).toBeVisible();
  await shot('copied-both-ways');

  expect(await readFile(path.join(folder, 'box', 'from-azure.txt'), 'utf8')).toBe('made in Azure');
  const uploaded = await tokenClient().getContainerClient(CONTAINER).getBlobClient('to-azure.txt').downloadToBuffer();
  expect(uploaded.toString()).toBe('made on this computer');
  expect(app.output()).not.toMatch(/eyJ/);
});
