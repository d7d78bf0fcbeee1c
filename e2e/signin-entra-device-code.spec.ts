import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { createFileKeyCipher } from '../electron/engine/accounts/secret-store';
import { fakeJwt, startArmStandIn, startEntraStandIn, STORAGE_AUDIENCE, TEST_TENANT, trustCertificate, type EntraAuthorityStandIn } from '../electron/engine/test-support/entra-stand-in';
import { startAzurite, type AzuriteHandle } from '../tools/emulators/emulators';
import { expect, test } from './fixtures';
import { openPath, row, waitForJobs } from './ui';

/**
 * "Sign in with Microsoft Entra ID" in the served mode without the Azure CLI: the host falls back to a device-code
 * sign-in, the dialog shows the code and the page to enter it on, and the user enters it there (a stand-in Entra
 * authority over HTTPS, reached through AZURE_AUTHORITY_HOST). The account is then picked from a stand-in Resource
 * Manager's lists (SKYFERRY_ARM_ENDPOINT) and browsed and copied both ways against Azurite over HTTPS with OAuth.
 * The host trusts the test's self-signed certificate through NODE_EXTRA_CA_CERTS; the browser, which opens the
 * stand-in's page as a user would, through ignoreHTTPSErrors. The `app` fixture starts the host after beforeAll.
 */
const SUBSCRIPTION = '00000000-0000-4000-8000-0000000000d1';
const CONTAINER = 'device-code-e2e';
let azurite: AzuriteHandle;
let entra: EntraAuthorityStandIn;
let stopArm: () => Promise<void>;
let folder: string;
const saved = {
  PATH: process.env.PATH,
  NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
  SKYFERRY_ARM_ENDPOINT: process.env.SKYFERRY_ARM_ENDPOINT,
  AZURE_AUTHORITY_HOST: process.env.AZURE_AUTHORITY_HOST,
};

test.use({ ignoreHTTPSErrors: true });

function tokenClient(): BlobServiceClient {
  return new BlobServiceClient(azurite.endpoint, { getToken: async () => ({ token: fakeJwt(STORAGE_AUDIENCE), expiresOnTimestamp: Date.now() + 3_000_000 }) });
}

test.beforeAll(async () => {
  azurite = await startAzurite({ oauth: true });
  if (!azurite.tls) throw new Error('Azurite started without TLS');
  trustCertificate(azurite.tls.cert);
  entra = await startEntraStandIn(azurite.tls, { userEntersCode: true });
  const arm = await startArmStandIn(azurite.tls, {
    subscriptions: [{ id: SUBSCRIPTION, name: 'Device code tests' }, { id: '00000000-0000-4000-8000-0000000000d2', name: 'Unused' }],
    storageAccounts: { [SUBSCRIPTION]: [{ name: azurite.accountName, resourceGroup: 'rg-dc', blobEndpoint: `${azurite.endpoint}/` }] },
    containers: { [azurite.accountName]: [CONTAINER, 'other'] },
  });
  stopArm = arm.stop;
  await tokenClient().getContainerClient(CONTAINER).create();
  await tokenClient().getContainerClient(CONTAINER).getBlockBlobClient('from-azure.txt').upload('made in Azure', 13);
  folder = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-entra-dc-'));
  await mkdir(path.join(folder, 'box'));
  await writeFile(path.join(folder, 'box', 'to-azure.txt'), 'made on this computer');
  // No Azure CLI on the host's PATH, whatever this machine has: "Automatic" goes to the device code.
  process.env.PATH = (saved.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !existsSync(path.join(dir, 'az')))
    .join(path.delimiter);
  process.env.NODE_EXTRA_CA_CERTS = azurite.tls.certFile;
  process.env.SKYFERRY_ARM_ENDPOINT = arm.origin;
  process.env.AZURE_AUTHORITY_HOST = entra.authorityHost;
});

test.afterAll(async () => {
  for (const name of Object.keys(saved) as (keyof typeof saved)[]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await entra?.stop();
  await stopArm?.();
  await azurite?.stop();
  if (folder) await rm(folder, { recursive: true, force: true });
});

test('signs in with a device code entered on the authority page, picks the account, browses it and copies both ways', async ({ page, app, shot }) => {
  await app.saveAccounts([{ kind: 'local', name: 'here', root: folder }]);
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Accounts' }).click();
  const dialog = page.getByRole('dialog', { name: 'Accounts' });
  await dialog.getByRole('button', { name: '+ New account' }).click();
  await dialog.getByLabel('Kind').selectOption({ label: 'Azure Blob Storage' });
  await dialog.getByLabel('Account name', { exact: true }).fill('entra-dc');
  await dialog.getByLabel('Sign in with').selectOption('entra');
  await expect(dialog.getByLabel('Sign in through')).toHaveValue('auto');
  await dialog.getByLabel('Tenant (optional)').fill(TEST_TENANT);
  await dialog.getByRole('button', { name: 'Sign in with Microsoft Entra ID' }).click();

  // The code and the page to enter it on, in the dialog; nothing is signed in until the user enters it.
  const code = dialog.getByTestId('entra-device-code');
  await expect(code).toContainText(entra.userCode, { timeout: 30_000 });
  const link = code.getByRole('link');
  await expect(link).toHaveAttribute('href', `${entra.origin}/devicelogin`);
  await expect(link).toHaveAttribute('target', '_blank');
  await shot('device-code-shown');
  expect(entra.requests.filter((r) => r.includes('/devicecode'))).toHaveLength(1);
  await expect(dialog.getByLabel('Subscription')).toHaveCount(0);

  // The user opens the link (a new tab) and types the code shown.
  const [authorityPage] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await authorityPage.waitForLoadState();
  await authorityPage.getByLabel('Code').fill((await code.locator('code').textContent()) ?? '');
  await authorityPage.getByRole('button', { name: 'Next' }).click();
  await expect(authorityPage.getByRole('status')).toContainText('You have signed in');
  await authorityPage.close();

  // The sign-in completes on its own; the code goes away and the lists come from Resource Manager.
  await expect(code).toHaveCount(0, { timeout: 30_000 });
  await dialog.getByLabel('Subscription').selectOption({ label: 'Device code tests' });
  await dialog.getByLabel('Storage account').selectOption({ label: `${azurite.accountName} (westeurope)` });
  await dialog.getByLabel('Container', { exact: true }).selectOption(CONTAINER);
  await expect(dialog.getByTestId('entra-identity')).toContainText('a device code');
  await expect(dialog.getByTestId('entra-identity')).toContainText(TEST_TENANT);
  await shot('device-code-picked');
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByTestId('account-test-result')).toHaveClass(/ok/, { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByRole('list', { name: 'Saved accounts' })).toContainText('entra-dc');
  await dialog.getByRole('button', { name: 'Close' }).first().click();

  const stored = await app.invoke('accounts:list', {});
  const account = stored.find((a) => a.settings.name === 'entra-dc');
  expect(account?.settings).toMatchObject({ kind: 'azure', auth: 'entra', entra: { credential: 'deviceCode', tenantId: TEST_TENANT }, accountName: azurite.accountName, container: CONTAINER });
  expect(account?.hasSecrets).toBe(false);

  const left = await openPath(page, 'left', 'here', ['box']);
  const right = await openPath(page, 'right', 'entra-dc', [CONTAINER]);
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

  // One code for the whole session: storage tokens came from the same sign-in (refresh-token grants), no second code.
  expect(entra.requests.filter((r) => r.includes('/devicecode'))).toHaveLength(1);
  await expect(page.getByTestId('entra-device-code-notice')).toHaveCount(0);

  // Tokens never reach the page, the host's output or a file in clear: the sign-in is kept sealed with the
  // served mode's key file (entra-sign-ins.bin), and accounts.json holds no token.
  const sealed = await readFile(path.join(app.dataDir, 'entra-sign-ins.bin'));
  for (const clear of ['eyJ', 'stand-in-refresh-token', 'ada@example.test', 'access_token', 'secret']) expect(sealed.includes(clear), clear).toBe(false);
  // Opened with that key, it is MSAL's cache of this sign-in: the account and its refresh token.
  const opened = (await (await createFileKeyCipher(path.join(app.dataDir, 'secrets.key'))).decrypt(sealed)).toString('utf8');
  expect(opened).toContain('stand-in-refresh-token');
  expect(opened).toContain('ada@example.test');
  expect(await readFile(path.join(app.dataDir, 'accounts.json'), 'utf8')).not.toMatch(/eyJ|refresh/);
  expect(app.output()).not.toMatch(/eyJ|stand-in-refresh-token/);
  expect(await page.content()).not.toMatch(/eyJ/);
});
