import { GetObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GOOGLE_FEDERATED_TOKEN, startGoogleStandIn, writeExternalAccountFile, type GoogleStandIn } from '../electron/engine/test-support/google-stand-in';
import { startRecordingProxy, type RecordingProxy } from '../electron/engine/test-support/recording-proxy';
import { expect, test } from './fixtures';
import { openPath, row, waitForJobs } from './ui';

/**
 * Accounts that sign in with what the served host's environment holds, added through the account dialog:
 * - GCS on Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS names a workload identity federation
 *   file whose token endpoint is a loopback stand-in; fake-gcs-server (which checks no credentials) sits behind a
 *   recording proxy that shows the federated token arrived on every request.
 * - S3 on "Environment / instance role": AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY hold MinIO's keys.
 * The `app` fixture starts the host after beforeAll, with this worker's environment.
 */
let dir: string;
let google: GoogleStandIn;
let proxy: RecordingProxy;
const ENV = ['GOOGLE_APPLICATION_CREDENTIALS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

test.beforeAll(async ({ emulators }) => {
  const { minio, gcs } = emulators.handles;
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-adc-env-'));
  google = await startGoogleStandIn();
  proxy = await startRecordingProxy(gcs.endpoint);
  process.env.GOOGLE_APPLICATION_CREDENTIALS = await writeExternalAccountFile(dir, google);
  process.env.AWS_ACCESS_KEY_ID = minio.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = minio.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  // The environment's keys, not a profile of the machine running the tests.
  delete process.env.AWS_PROFILE;
  process.env.AWS_CONFIG_FILE = path.join(dir, 'no-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'no-credentials');
  await mkdir(path.join(dir, 'disk', 'inbox'), { recursive: true });
});

test.afterAll(async () => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await proxy?.close();
  await google?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a GCS account on application default credentials: added in the dialog, browsed, copied to and from', async ({ page, app, emulators, shot }) => {
  const { gcs } = emulators.handles;
  const disk = path.join(dir, 'disk');
  await writeFile(path.join(disk, 'inbox', 'to-gcs.txt'), 'written on disk, sent with a federated token\n');
  await app.saveAccounts([{ kind: 'local', name: 'disk', root: disk }]);

  await page.goto(app.url);
  await page.getByRole('button', { name: 'Accounts' }).click();
  const dialog = page.getByRole('dialog', { name: 'Accounts' });
  await dialog.getByRole('button', { name: '+ New account' }).click();
  await dialog.getByLabel('Kind').selectOption({ label: 'Google Cloud Storage' });
  await dialog.getByLabel('Account name', { exact: true }).fill('gcs-adc');
  await dialog.getByLabel('Sign in with').selectOption('adc');
  // No key to paste: the credentials come from the environment (GOOGLE_APPLICATION_CREDENTIALS).
  await expect(dialog.getByLabel('Service-account key (JSON)')).toHaveCount(0);
  await dialog.getByLabel('Project ID (optional)').fill(gcs.projectId);
  await dialog.getByLabel('Endpoint URL (optional)').fill(proxy.endpoint);
  await shot('adc-form');
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByTestId('account-test-result')).toHaveClass(/ok/, { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByRole('list', { name: 'Saved accounts' })).toContainText('gcs-adc');
  await dialog.getByRole('button', { name: 'Close' }).first().click();

  const account = (await app.invoke('accounts:list', {})).find((a) => a.settings.name === 'gcs-adc');
  expect(account?.hasSecrets).toBe(false);
  expect(account?.settings).toMatchObject({ kind: 'gcs', auth: 'adc' });
  expect(await readFile(path.join(app.dataDir, 'accounts.json'), 'utf8')).not.toContain('ya29.');

  const left = await openPath(page, 'left', 'gcs-adc', [emulators.buckets.gcs, 'web']);
  await expect(row(left, 'index.html')).toBeVisible();
  const right = await openPath(page, 'right', 'disk', ['inbox']);
  await row(left, 'index.html').click();
  await left.locator('.table-body').focus();
  await page.keyboard.press('F5');
  await waitForJobs(page);
  await expect(row(right, 'index.html')).toBeVisible();
  const [original] = await emulators.clients.gcs.bucket(emulators.buckets.gcs).file('web/index.html').download();
  expect((await readFile(path.join(disk, 'inbox', 'index.html'))).equals(original)).toBe(true);

  await row(right, 'to-gcs.txt').click();
  await right.locator('.table-body').focus();
  await page.keyboard.press('F5');
  await waitForJobs(page);
  await expect(row(left, 'to-gcs.txt')).toBeVisible();
  await shot('after-copies');
  const [copied] = await emulators.clients.gcs.bucket(emulators.buckets.gcs).file('web/to-gcs.txt').download();
  expect(copied.toString()).toBe('written on disk, sent with a federated token\n');

  // A federated identity that acts as no service account cannot sign a share link: the dialog says why and what to do.
  await row(left, 'index.html').click({ button: 'right' });
  await page.getByRole('menu', { name: 'Object actions' }).getByRole('menuitem', { name: 'Share link…' }).click();
  const share = page.getByRole('dialog', { name: 'Share link' });
  await share.getByRole('button', { name: 'Create and copy link' }).click();
  await expect(share.getByRole('alert')).toContainText('gcs-adc signs in with a federated identity that acts as no service account');
  await expect(share.getByRole('alert')).toContainText('--service-account');
  await share.getByRole('button', { name: 'Close' }).click();
  expect(google.requests.filter((r) => r.path.endsWith(':signBlob'))).toEqual([]);

  // The federated token was exchanged at the stand-in and carried by every request that reached the emulator.
  expect(google.requests.some((r) => r.path === '/token' && r.body.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange')).toBe(true);
  expect(proxy.requests.length).toBeGreaterThan(3);
  for (const r of proxy.requests) expect(r.authorization, `${r.method} ${r.path}`).toBe(`Bearer ${GOOGLE_FEDERATED_TOKEN}`);
  expect(app.output()).not.toContain('ya29.');
});

test('an S3 account on the environment\'s keys: added in the dialog, browsed, copied to and from', async ({ page, app, emulators, shot }) => {
  const { minio } = emulators.handles;
  const disk = path.join(dir, 'disk');
  await writeFile(path.join(disk, 'inbox', 'to-s3.txt'), 'written on disk, sent with the environment\'s keys\n');
  await app.saveAccounts([{ kind: 'local', name: 'disk', root: disk }]);

  await page.goto(app.url);
  await page.getByRole('button', { name: 'Accounts' }).click();
  const dialog = page.getByRole('dialog', { name: 'Accounts' });
  await dialog.getByRole('button', { name: '+ New account' }).click();
  await dialog.getByLabel('Kind').selectOption({ label: 'Amazon S3 / S3-compatible' });
  await dialog.getByLabel('Account name', { exact: true }).fill('aws-env');
  await dialog.getByLabel('Sign in with').selectOption('environment');
  await expect(dialog.getByLabel('Access key ID')).toHaveCount(0);
  await expect(dialog.getByLabel('AWS profile')).toHaveCount(0);
  await dialog.getByLabel('Endpoint URL').fill(minio.endpoint);
  await dialog.getByLabel(/Path-style addressing/).check();
  await shot('environment-form');
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByTestId('account-test-result')).toHaveClass(/ok/, { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByRole('list', { name: 'Saved accounts' })).toContainText('aws-env');
  await dialog.getByRole('button', { name: 'Close' }).first().click();

  const account = (await app.invoke('accounts:list', {})).find((a) => a.settings.name === 'aws-env');
  expect(account?.hasSecrets).toBe(false);
  expect(account?.settings).toMatchObject({ kind: 's3', auth: 'environment' });
  expect(await readFile(path.join(app.dataDir, 'accounts.json'), 'utf8')).not.toContain(minio.secretAccessKey);

  const left = await openPath(page, 'left', 'aws-env', [emulators.buckets.s3, 'web']);
  await expect(row(left, 'app.js')).toBeVisible();
  const right = await openPath(page, 'right', 'disk', ['inbox']);
  await row(left, 'app.js').click();
  await left.locator('.table-body').focus();
  await page.keyboard.press('F5');
  await waitForJobs(page);
  await expect(row(right, 'app.js')).toBeVisible();
  const original = await emulators.clients.s3.send(new GetObjectCommand({ Bucket: emulators.buckets.s3, Key: 'web/app.js' }));
  const bytes = Buffer.from((await original.Body?.transformToByteArray()) ?? []);
  expect((await readFile(path.join(disk, 'inbox', 'app.js'))).equals(bytes)).toBe(true);

  await row(right, 'to-s3.txt').click();
  await right.locator('.table-body').focus();
  await page.keyboard.press('F5');
  await waitForJobs(page);
  await expect(row(left, 'to-s3.txt')).toBeVisible();
  await shot('after-copies');
  const copied = await emulators.clients.s3.send(new GetObjectCommand({ Bucket: emulators.buckets.s3, Key: 'web/to-s3.txt' }));
  expect(await copied.Body?.transformToString()).toBe('written on disk, sent with the environment\'s keys\n');
  expect(app.output()).not.toContain(minio.secretAccessKey);
});
