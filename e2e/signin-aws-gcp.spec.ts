import { GetObjectCommand } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { openPath, row, waitForJobs } from './ui';

/**
 * An S3 account that signs in with an AWS profile, added through the account dialog: the served host reads the
 * profile file this spec writes (AWS_CONFIG_FILE, set before the host starts), a role assumed through MinIO's STS
 * with the keys of its source profile. The account is browsed and files are copied to and from it.
 */
let dir: string;
const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };

test.beforeAll(async ({ emulators }) => {
  const { minio } = emulators.handles;
  dir = await mkdtemp(path.join(os.tmpdir(), 'skyferry-e2e-aws-profile-'));
  await writeFile(
    path.join(dir, 'config'),
    [
      '[profile ferry-root]',
      `aws_access_key_id = ${minio.accessKeyId}`,
      `aws_secret_access_key = ${minio.secretAccessKey}`,
      '',
      '[profile ferry]',
      'role_arn = arn:aws:iam::123456789012:role/skyferry-e2e',
      'source_profile = ferry-root',
      '',
    ].join('\n'),
  );
  // The host started by the `app` fixture inherits this environment, as it would a user's shell.
  process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'no-credentials');
});

test.afterAll(async () => {
  for (const [k, v] of [['AWS_CONFIG_FILE', saved.config], ['AWS_SHARED_CREDENTIALS_FILE', saved.credentials]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('an S3 account on an AWS profile (a role): added in the dialog, browsed, copied to and from', async ({ page, app, emulators, shot }) => {
  const { minio } = emulators.handles;
  const disk = path.join(dir, 'disk');
  await mkdir(path.join(disk, 'inbox'), { recursive: true });
  await writeFile(path.join(disk, 'inbox', 'from-disk.txt'), 'written on disk, copied by a role\n');
  await app.saveAccounts([{ kind: 'local', name: 'disk', root: disk }]);

  // Wide enough for every toolbar button to show (narrower, Share link… goes into More).
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Accounts' }).click();
  const dialog = page.getByRole('dialog', { name: 'Accounts' });
  await dialog.getByRole('button', { name: '+ New account' }).click();
  await dialog.getByLabel('Kind').selectOption({ label: 'Amazon S3 / S3-compatible' });
  await dialog.getByLabel('Account name', { exact: true }).fill('aws-role');
  await dialog.getByLabel('Sign in with').selectOption('profile');
  // The key fields give way to the profiles the engine found in the file.
  await expect(dialog.getByLabel('Access key ID')).toHaveCount(0);
  const profile = dialog.getByLabel('AWS profile');
  await expect(profile.locator('option', { hasText: 'ferry (role)' })).toHaveCount(1);
  await expect(profile.locator('option', { hasText: 'ferry-root (access keys)' })).toHaveCount(1);
  await profile.selectOption('ferry');
  await expect(dialog.getByText(/Assumes the role with the keys of its source profile/)).toBeVisible();
  await dialog.getByLabel('Endpoint URL').fill(minio.endpoint);
  await dialog.getByLabel(/Path-style addressing/).check();
  await shot('profile-form');
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByTestId('account-test-result')).toHaveClass(/ok/, { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog.getByRole('list', { name: 'Saved accounts' })).toContainText('aws-role');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Saved: the profile's name, no secret.
  const accounts = await app.invoke('accounts:list', {});
  const account = accounts.find((a) => a.settings.name === 'aws-role');
  expect(account?.hasSecrets).toBe(false);
  expect(account?.settings).toMatchObject({ auth: 'profile', profile: 'ferry' });
  const onDisk = await readFile(path.join(app.dataDir, 'accounts.json'), 'utf8');
  expect(onDisk).not.toContain(minio.secretAccessKey);

  // Browse it, and copy a file from it to the disk and one from the disk to it.
  const left = await openPath(page, 'left', 'aws-role', ['demo-photos', 'web']);
  await expect(row(left, 'index.html')).toBeVisible();
  const right = await openPath(page, 'right', 'disk', ['inbox']);
  await row(left, 'index.html').click();
  await left.locator('.table-body').focus();
  await page.keyboard.press('F5');
  await waitForJobs(page);
  await expect(row(right, 'index.html')).toBeVisible();
  const original = await emulators.clients.s3.send(new GetObjectCommand({ Bucket: emulators.buckets.s3, Key: 'web/index.html' }));
  const bytes = Buffer.from((await original.Body?.transformToByteArray()) ?? []);
  expect((await readFile(path.join(disk, 'inbox', 'index.html'))).equals(bytes)).toBe(true);

  await row(right, 'from-disk.txt').click();
  await right.locator('.table-body').focus();
  await page.keyboard.press('F5');
  await waitForJobs(page);
  await expect(row(left, 'from-disk.txt')).toBeVisible();
  await shot('after-copies');

  // A share link signed by the role's temporary credentials cannot outlive them: the dialog says until when it works.
  await row(left, 'from-disk.txt').click();
  await page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: 'Share link…' }).click();
  const share = page.getByRole('dialog', { name: 'Share link' });
  await share.getByLabel('Expires after').selectOption({ label: '7 days' });
  await share.getByRole('button', { name: 'Create and copy link' }).click();
  await expect(share.getByRole('status')).toContainText('temporary credentials');
  const link = await share.getByLabel(/^Link \(valid until/).inputValue();
  expect(Number(new URL(link).searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(3600);
  expect((await fetch(link)).status).toBe(200);
  await share.getByRole('button', { name: 'Close' }).click();
  const copied = await emulators.clients.s3.send(new GetObjectCommand({ Bucket: emulators.buckets.s3, Key: 'web/from-disk.txt' }));
  expect(await copied.Body?.transformToString()).toBe('written on disk, copied by a role\n');
});
