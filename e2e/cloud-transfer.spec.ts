import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { copyS3ToGcs, stsStandIn } from '../electron/engine/test-support/sts-stand-in';
import { expect, test } from './fixtures';

/**
 * "Run in the cloud" through the UI, served mode: a plan from MinIO to fake-gcs-server is handed to Google Storage
 * Transfer Service, whose REST surface is a local stand-in (SKYFERRY_TRANSFER_STAND_IN) that "runs" the job by
 * copying between the two emulators. The plan offers the service with its cost and needs, the confirmation lists what
 * will be created, the run shows in Transfers, and the plan ends verified with its report.
 */
const SRC = 'cloud-src';
const DST = 'cloud-dst';
const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
const FILES: Array<[string, string]> = [
  ['a.txt', 'aaaaaaaaaa'],
  ['b.txt', 'bbbbbbbbbb'],
  ['deep/c.txt', 'cccccccccc'],
];
let sts: ReturnType<typeof stsStandIn> | undefined;
/** The stand-in's copy waits for this, so that the test sees the plan while the service is still copying it. */
let letTheServiceCopy = (): void => {};
const serviceMayCopy = new Promise<void>((resolve) => (letTheServiceCopy = resolve));
const saved = process.env.SKYFERRY_TRANSFER_STAND_IN;

// Before the `app` fixture starts the host: the host reads SKYFERRY_TRANSFER_STAND_IN when its engine starts.
test.beforeAll(async ({ emulators }) => {
  const { s3, gcs } = emulators.clients;
  await s3.send(new CreateBucketCommand({ Bucket: SRC })).catch((err: unknown) => {
    if (!(err instanceof Error) || !/BucketAlready/.test(err.name)) throw err;
  });
  const [exists] = await gcs.bucket(DST).exists();
  if (!exists) await gcs.createBucket(DST);
  const counters = { objectsFoundFromSource: '3', bytesFoundFromSource: '30' };
  sts = stsStandIn({
    projectId: emulators.handles.gcs.projectId,
    script: [
      { status: 'IN_PROGRESS', counters: { ...counters, objectsCopiedToSink: '1', bytesCopiedToSink: '10' } },
      { status: 'SUCCESS', counters: { ...counters, objectsCopiedToSink: '3', bytesCopiedToSink: '30' } },
    ],
    onRun: async (job) => {
      await serviceMayCopy;
      await copyS3ToGcs(s3, gcs)(job);
    },
  });
  await sts.start();
  process.env.SKYFERRY_TRANSFER_STAND_IN = JSON.stringify({ sts: sts.url, pollMs: 300 });
});

test.afterAll(async () => {
  if (saved === undefined) delete process.env.SKYFERRY_TRANSFER_STAND_IN;
  else process.env.SKYFERRY_TRANSFER_STAND_IN = saved;
  await sts?.close();
});

test('Run in the cloud: offered with its cost and needs, confirmed, followed in Transfers, verified and reported', async ({ page, app, emulators, shot }) => {
  const { s3, gcs } = emulators.clients;
  const srcPrefix = `p-${stamp}/`;
  const dstPrefix = `b-${stamp}/`;
  for (const [key, body] of FILES) await s3.send(new PutObjectCommand({ Bucket: SRC, Key: `${srcPrefix}${key}`, Body: body }));
  await app.saveAccounts(emulators.accounts);

  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Migrations' }).click();
  await page.getByLabel('Source location', { exact: true }).fill(`s3://minio/${SRC}/${srcPrefix}`);
  await page.getByLabel('Destination 1 location', { exact: true }).fill(`gs://gcs/${DST}/${dstPrefix}`);
  await page.getByRole('button', { name: 'Build plan' }).click();
  const state = page.getByTestId('migration-state');
  await expect(state).toHaveText('Planned: nothing written yet', { timeout: 60_000 });

  // The option, its cost and what it needs.
  const cloud = page.getByRole('region', { name: 'Run in the cloud' });
  await expect(cloud.getByRole('heading', { name: 'Run in the cloud: Google Storage Transfer Service' })).toBeVisible();
  await expect(cloud).toContainText('Cost: the service’s fee $0.00');
  await expect(cloud).toContainText('the plan’s request and egress estimate');
  await cloud.getByText('What it needs').click();
  await expect(cloud.getByText(`Your Google identity needs the Storage Transfer User role on project ${emulators.handles.gcs.projectId}`)).toBeVisible();

  // The confirmation lists what will be created; nothing is created before it.
  await cloud.getByLabel('Account that drives the service').fill('gcs');
  await cloud.getByRole('button', { name: 'Review what will be created' }).click();
  const confirm = cloud.getByRole('dialog', { name: 'Confirm what will be created' });
  await expect(confirm).toContainText(`A Storage Transfer Service job in project ${emulators.handles.gcs.projectId} copying ${SRC}/${srcPrefix} to gs://${DST}/${dstPrefix}, run once now`);
  expect(sts?.jobs.size).toBe(0);
  await shot('confirm');
  await confirm.getByRole('button', { name: 'Create and start' }).click();

  // It shows in Transfers like a job, and ends there.
  const row = page.getByRole('region', { name: 'Transfers' }).getByTestId('cloud-transfer');
  await expect(row).toContainText(`s3://minio/${SRC}/${srcPrefix} → gs://gcs/${DST}/${dstPrefix}`);
  await expect(row).toContainText('Google Storage Transfer Service');
  // While the service copies the plan, the plan is not offered to run here as well (every file would go twice).
  await expect(page.getByText('A cloud service is copying this plan')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toHaveCount(0);
  letTheServiceCopy();
  await expect(row).toContainText('Done · Google Storage Transfer Service (SUCCESS)', { timeout: 60_000 });
  await expect(row).toContainText('3 / 3 objects');

  // The plan's own verification and report after the service's run.
  await expect(state).toHaveText('Completed', { timeout: 60_000 });
  const report = page.getByRole('region', { name: 'Report' });
  await expect(report.getByTestId('verification')).toHaveText('Verified: zero differences between the source and every destination.');
  await expect(report.getByTestId('service-run')).toContainText('Copied in the cloud by Google Storage Transfer Service (SUCCESS): 3 of 3 objects');
  await expect(report.getByTestId('total-copied')).toHaveText('3');
  await shot('reported');

  const [files] = await gcs.bucket(DST).getFiles({ prefix: dstPrefix });
  expect(files.map((f) => f.name.slice(dstPrefix.length)).sort()).toEqual(FILES.map(([k]) => k).sort());
  expect(sts?.failures).toEqual([]);
});
